import CartDomain
import Foundation
import RedisClient

/// Hot carts in Redis. Every read is one round trip and every change is one atomic script
/// (EVALSHA) that checks the caps, bumps the version, refreshes the guest TTL and appends the
/// write-behind record together.
///
/// Failures are ``CartError``s: the script's refusals with their contract codes, and
/// ``CartError/serviceUnavailable`` when Redis cannot be reached in time.
public struct RedisCartStore: Sendable {
    /// The result of a change: the cart after it, and whether a new line was made.
    public struct Change: Sendable {
        public var cart: Cart
        public var createdLine: Bool
    }

    private let redis: RedisClient
    private let settings: CartSettings
    private let now: @Sendable () -> Int64

    /// - Parameter now: the clock, in milliseconds since 1970 (injectable for tests).
    public init(
        redis: RedisClient,
        settings: CartSettings,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.redis = redis
        self.settings = settings
        self.now = now
    }

    /// The owner's cart, created empty on first use.
    public func cart(of owner: CartOwner, sessionReference: String?) async throws -> Cart {
        try await self.run(CartScripts.read, owner: owner, sessionReference: sessionReference, ifMatch: nil).cart
    }

    /// Adds units of a product (a product already in the cart grows its line).
    public func addItem(
        _ product: ProductSnapshot,
        quantity: Int,
        owner: CartOwner,
        sessionReference: String?,
        ifMatch: Int64?
    ) async throws -> Change {
        try await self.run(
            CartScripts.addItem,
            owner: owner,
            sessionReference: sessionReference,
            ifMatch: ifMatch,
            arguments: [
                String(product.id), String(quantity), String(product.price.value), product.name,
                RandomID.uuid(), product.stock.map(String.init) ?? "",
            ],
            context: .product(product.id)
        )
    }

    /// Sets one line's quantity; 0 removes the line.
    public func setQuantity(
        itemID: String,
        quantity: Int,
        owner: CartOwner,
        sessionReference: String?,
        ifMatch: Int64?
    ) async throws -> Cart {
        try await self.run(
            CartScripts.setQuantity,
            owner: owner,
            sessionReference: sessionReference,
            ifMatch: ifMatch,
            arguments: [itemID, String(quantity)]
        ).cart
    }

    /// Removes every line.
    public func clear(owner: CartOwner, sessionReference: String?, ifMatch: Int64?) async throws -> Cart {
        try await self.run(CartScripts.clear, owner: owner, sessionReference: sessionReference, ifMatch: ifMatch).cart
    }

    /// Sets several quantities at once, all or nothing (ids distinct, quantities in range).
    public func bulkUpdate(
        _ entries: [(itemID: String, quantity: Int)],
        owner: CartOwner,
        sessionReference: String?,
        ifMatch: Int64?
    ) async throws -> Cart {
        var arguments: [String] = []
        arguments.reserveCapacity(entries.count * 2)
        for entry in entries {
            arguments.append(entry.itemID)
            arguments.append(String(entry.quantity))
        }
        return try await self.run(
            CartScripts.bulkUpdate,
            owner: owner,
            sessionReference: sessionReference,
            ifMatch: ifMatch,
            arguments: arguments
        ).cart
    }

    /// The cart stored under `cartKey` as it is now, without creating or touching it; `nil`
    /// when it is not in Redis. For the write-behind flusher, which learns keys from the queue.
    public func snapshot(ofCartKey cartKey: String) async throws -> Cart? {
        guard let owner = CartKeys.owner(ofCartKey: cartKey) else { return nil }
        let fields = try await self.redis.send(["HGETALL", cartKey]).array ?? []
        guard !fields.isEmpty else { return nil }
        let ttl: Int64 = owner.userID == nil ? self.settings.guestTTLMilliseconds : 0
        var cart = try Cart(hash: fields, owner: owner, expiresAt: nil)
        cart.expiresAt = ttl > 0 ? cart.updatedAt + ttl : nil
        return cart
    }

    /// What a refusal is about, so its message can name it.
    private enum RefusalContext {
        case none
        case product(Int)
    }

    private func run(
        _ script: RedisScript,
        owner: CartOwner,
        sessionReference: String?,
        ifMatch: Int64?,
        arguments: [String] = [],
        context: RefusalContext = .none
    ) async throws -> Change {
        let keys = CartKeys(owner: owner)
        let limits = self.settings.limits
        let ttl: Int64 = owner.userID == nil ? self.settings.guestTTLMilliseconds : 0
        let now = self.now()
        let common = [
            String(now), String(ttl), RandomID.uuid(), owner.key, sessionReference ?? "",
            ifMatch.map { String($0) } ?? "", String(self.settings.mutationsPerMinute),
            String(limits.maxQuantityPerItem), String(limits.maxItems),
        ]
        let reply: RedisValue
        do {
            reply = try await self.redis.run(
                script,
                keys: [keys.cart, keys.writeBehindStream, keys.rateLimit],
                arguments: common + arguments
            )
        } catch let error as RedisError where error.isConnectivityFailure {
            throw CartError.serviceUnavailable
        }
        guard let parts = reply.array, parts.count == 3, let outcome = parts[0].string else {
            throw RedisError.unexpectedReply("cart script \(script.name)")
        }
        guard outcome == "ok" else {
            throw self.refusal(code: parts[1].string ?? "", detail: parts[2].string ?? "", context: context)
        }
        // Every script run refreshes a guest cart's TTL, so it now expires `ttl` from now.
        let cart = try Cart(hash: parts[2].array ?? [], owner: owner, expiresAt: ttl > 0 ? now + ttl : nil)
        return Change(cart: cart, createdLine: parts[1].int == 1)
    }

    private func refusal(code: String, detail: String, context: RefusalContext) -> CartError {
        let limits = self.settings.limits
        var productID = 0
        if case .product(let id) = context { productID = id }
        switch CartError.Kind(rawValue: code) {
        case .invalidQuantity:
            return .lineCapExceeded(limit: limits.maxQuantityPerItem, current: Int(detail) ?? 0)
        case .itemNotFound:
            return .itemNotFound
        case .cartLimitExceeded:
            return .cartLimitExceeded(limit: limits.maxItems)
        case .rateLimited:
            let milliseconds = Int(detail) ?? 60_000
            return .rateLimited(retryAfterSeconds: max(1, (milliseconds + 999) / 1000))
        case .versionConflict:
            return .versionConflict
        case .productUnavailable:
            return .outOfStock(productID, available: Int(detail) ?? 0)
        default:
            return CartError(.serviceUnavailable, "Cart service temporarily unavailable")
        }
    }
}
