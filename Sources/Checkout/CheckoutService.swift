import CartDomain
import CartStore
import Database
import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// Checkout handoff: a cart becomes an order-ready checkout with its stock and promotion use
/// reserved, until it is completed, cancelled, or left past its reservation time and expired
/// by the sweep.
///
/// Never oversells: the stock and the promotion use are taken in one PostgreSQL transaction
/// that locks what it counts. The cart in Redis is converted inside that transaction, at the
/// version that was checked, so a cart changed meanwhile is never checked out. A cancelled or
/// expired checkout gives back exactly what it took, and its lines go back into the owner's
/// cart with the merge rules, once.
public struct CheckoutService: Sendable {
    private let repository: CheckoutRepository
    private let store: RedisCartStore
    private let reservation: Duration
    private let currency: String
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let metrics = CheckoutMetrics()

    public init(
        postgres: DatabasePool,
        store: RedisCartStore,
        reservation: Duration,
        currency: String,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.repository = CheckoutRepository(postgres: postgres, logger: logger)
        self.store = store
        self.reservation = reservation
        self.currency = currency
        self.logger = logger
        self.now = now
    }

    /// Checks the owner's cart out: re-validated at today's prices (``CheckoutConflict``),
    /// every line's stock reserved all or nothing (CART_009), one use of its promotion code
    /// taken (CART_012), the cart converted (CART_013 when it changed meanwhile; the owner's
    /// next cart request starts a new cart), provided the cart is at one of the `ifMatch`
    /// versions (CART_008 otherwise). A request retried with the `idempotencyKey` of one that
    /// made a checkout in the last 24 hours gets that checkout, as it is now, and changes nothing.
    public func checkout(
        session: CartSession,
        ifMatch: CartVersionPrecondition? = nil,
        idempotencyKey: String? = nil
    ) async throws -> Checkout {
        let cart = try await self.store.cart(of: session)
        let now = self.now()
        let handedOver = Mutex<Int64?>(nil)
        let reserved: CheckoutRepository.Reserved
        do {
            reserved = try await self.repository.reserve(
                CheckoutRepository.Reservation(
                    checkoutID: RandomID.timeOrderedUUID(milliseconds: now),
                    cart: cart,
                    currency: self.currency,
                    now: now,
                    reservedUntil: now + self.reservation.wholeMilliseconds,
                    idempotencyKey: idempotencyKey,
                    ifMatch: ifMatch
                )
            ) {
                let converted = try await self.converting(session: session, version: cart.version)
                handedOver.withLock { $0 = converted.version }
                return converted.version
            }
        } catch {
            // The cart was converted but the checkout not stored: the cart is the owner's again.
            if let version = handedOver.withLock({ $0 }) {
                do {
                    _ = try await self.store.reopen(session: session, version: version)
                } catch {
                    self.logger.error("a converted cart could not be reopened", metadata: ["cart_id": "\(cart.id)"])
                }
            }
            throw error
        }
        if reserved.isNew {
            self.metrics.started.increment()
            self.metrics.cartsConverted.increment()
        }
        return reserved.checkout
    }

    /// The cart's conversion; a cart changed since it was read is a checkout conflict.
    private func converting(session: CartSession, version: Int64) async throws -> Cart {
        do {
            return try await self.store.convert(session: session, version: version)
        } catch let error as CartError where error.kind == .versionConflict {
            throw CartError(.checkoutConflict, "The cart changed during checkout; try again", field: "cart")
        }
    }

    /// The owner's checkout `id` (CART_014 when there is none, or it is another's).
    public func checkout(_ id: String, session: CartSession) async throws -> Checkout {
        guard UUID(uuidString: id) != nil,
            let checkout = try await self.repository.checkout(id.lowercased(), ownerKey: session.owner.key)
        else {
            throw Self.notFound(id)
        }
        return checkout
    }

    /// Completes the owner's checkout: the stock and promotion use stay taken. Completing again
    /// answers the same; a cancelled or expired checkout (or one past its reservation time,
    /// which expires here) is CART_013.
    public func complete(_ id: String, session: CartSession) async throws -> Checkout {
        try await self.end(id, ownerKey: session.owner.key, as: .completed)
    }

    /// Cancels the owner's checkout: the stock and promotion use go back, and the lines go back
    /// into the owner's current cart. Cancelling again answers the same; a completed checkout
    /// is CART_013.
    public func cancel(_ id: String, session: CartSession) async throws -> Checkout {
        try await self.end(id, ownerKey: session.owner.key, as: .cancelled)
    }

    /// Expires every reservation past its time (at most `limit`), then retries giving back the
    /// lines of ended checkouts whose cart Redis could not take before. Returns how many expired.
    public func expireOverdue(limit: Int = 100) async throws -> Int {
        var expired = 0
        for id in try await self.repository.overdue(now: self.now(), limit: limit) {
            if try await self.ending(id, ownerKey: nil, as: .expired).changed { expired += 1 }
        }
        for id in try await self.repository.linesToReturn(limit: limit) {
            if let checkout = try await self.repository.checkout(id) { try await self.returnLines(of: checkout) }
        }
        return expired
    }

    /// Ends the owner's checkout as `status`; ending it the same way again answers the same
    /// (cancelling an expired checkout too), any other ending is CART_013.
    private func end(_ id: String, ownerKey: String, as status: Checkout.Status) async throws -> Checkout {
        guard let checkout = try await self.ending(id, ownerKey: ownerKey, as: status).checkout else {
            throw Self.notFound(id)
        }
        guard checkout.status == status || (status == .cancelled && checkout.status == .expired) else {
            throw CartError(
                .checkoutConflict,
                "Checkout \(id) is \(checkout.status.rawValue) and cannot be \(status.rawValue)",
                field: "checkout_id"
            )
        }
        return checkout
    }

    /// Ends the reservation in PostgreSQL, then puts a cancelled or expired checkout's lines
    /// back into the owner's cart (if Redis cannot take them now, the sweep tries again).
    private func ending(
        _ id: String,
        ownerKey: String?,
        as status: Checkout.Status
    ) async throws -> CheckoutRepository.Ending {
        guard UUID(uuidString: id) != nil else { return CheckoutRepository.Ending(checkout: nil, changed: false) }
        let now = self.now()
        let ending = try await self.repository.end(id.lowercased(), ownerKey: ownerKey, as: status, now: now)
        guard let checkout = ending.checkout else { return ending }
        if ending.changed { self.record(checkout, now: now) }
        if checkout.status == .cancelled || checkout.status == .expired, !checkout.linesReturned {
            do {
                try await self.returnLines(of: checkout)
            } catch {
                self.logger.warning(
                    "lines of an ended checkout not yet back in the cart",
                    metadata: ["checkout_id": "\(id)"]
                )
            }
        }
        return ending
    }

    private func returnLines(of checkout: Checkout) async throws {
        guard let session = checkout.ownerSession else { return }
        _ = try await self.store.addLines(
            checkout.items.map(RedisCartStore.LineToAdd.init),
            promoCode: checkout.promoCode,
            to: session,
            changeID: "checkout-\(checkout.id)"
        )
        try await self.repository.markLinesReturned(checkout.id)
    }

    /// Counts a reservation's end and how long it was held.
    private func record(_ checkout: Checkout, now: Int64) {
        switch checkout.status {
        case .completed: self.metrics.completed.increment()
        case .cancelled: self.metrics.cancelled.increment()
        case .expired: self.metrics.expired.increment()
        case .reserved: return
        }
        self.metrics.holdTime.recordMilliseconds(max(0, now - checkout.createdAt))
    }

    private static func notFound(_ id: String) -> CartError {
        CartError(.notFound, "Checkout \(CartError.excerpt(id)) not found", field: "checkout_id")
    }
}

/// The checkout metrics every process exports.
struct CheckoutMetrics: Sendable {
    let started = Counter(label: "hotcart_checkouts_started_total")
    /// Carts converted: each checkout started converts its cart (named beside the carts created,
    /// expired and abandoned, as the contract lists them).
    let cartsConverted = Counter(label: "hotcart_carts_converted_total")
    let completed = Counter(label: "hotcart_checkouts_completed_total")
    let cancelled = Counter(label: "hotcart_checkouts_cancelled_total")
    let expired = Counter(label: "hotcart_checkouts_expired_total")
    /// From reservation to its end (completed, cancelled or expired).
    let holdTime = Timer(label: CheckoutService.holdTime.label, preferredDisplayUnit: .seconds)
}

extension CheckoutService {
    /// The timer of how long reservations were held, and the histogram buckets it needs, for the
    /// process's metrics factory (a swift-metrics `Timer` names no buckets): a checkout is held
    /// for seconds to `CART_RESERVATION_MINUTES` (15) and a little more, where a factory's usual
    /// buckets end at 10 s.
    public static let holdTime = (
        label: "hotcart_checkout_hold_seconds",
        buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200].map(Duration.seconds)
    )
}
