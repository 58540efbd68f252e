import CartDomain
import CartEvents
import Database
import Logging
import PostgresNIO
import Promotions

/// Checkouts in PostgreSQL, and the stock and promotion uses they hold. Every change is one
/// transaction that locks what it counts (products in id order, then the promotion code, then
/// the checkout row), so concurrent checkouts never take more than there is.
struct CheckoutRepository: Sendable {
    let postgres: DatabasePool
    let logger: Logger

    /// What a new checkout holds.
    struct Reservation: Sendable {
        var checkoutID: String
        var cart: Cart
        var currency: String
        var now: Int64
        var reservedUntil: Int64
        /// The request's Idempotency-Key (scoped to its route), if it had one.
        var idempotencyKey: String?
        /// The request's `If-Match`, if it had one: the versions `cart` must be at.
        var ifMatch: CartVersionPrecondition?
    }

    /// A reservation's outcome: the checkout, and whether this request made it (or found the
    /// one its Idempotency-Key made before).
    struct Reserved: Sendable {
        var checkout: Checkout
        var isNew: Bool
    }

    /// Reserves every line's stock and one use of the cart's promotion code, all or nothing,
    /// and stores the checkout; `handOver` (the cart's conversion in Redis) runs last, inside
    /// the transaction, and returns the cart's version after it: when it throws, nothing was
    /// reserved. With an Idempotency-Key the owner used for a checkout in the last 24 hours,
    /// that checkout is the answer and nothing is reserved again; the owner's checkouts with a
    /// key wait for each other, so a retry sent while the first request runs finds its checkout.
    ///
    /// Throws CART_008 for a cart at none of the `If-Match` versions (a retry with the
    /// Idempotency-Key is answered first, as the cart has since moved on), ``CheckoutConflict``
    /// for an empty cart or a line not buyable at its price,
    /// CART_009 for a line short of stock, CART_012 for a promotion code that cannot be used,
    /// `CancellationError` (and commits nothing) when the calling task was cancelled meanwhile.
    func reserve(
        _ reservation: Reservation,
        handOver: @Sendable () async throws -> Int64
    ) async throws -> Reserved {
        let cart = reservation.cart
        // A request past its deadline was answered 503 and its task cancelled, but left to run
        // (see DatabaseDeadline): held up here (a locked product row, a slow server), it must not
        // commit what the answer said had failed. The transaction rolls back, and the caller
        // hands the cart back to its owner.
        return try await self.postgres.withTransactionCommittedUnlessCancelled(logger: self.logger) { connection in
            if let key = reservation.idempotencyKey,
                let earlier = try await self.checkout(madeWith: key, ownerKey: cart.owner.key, on: connection)
            {
                return Reserved(checkout: earlier, isNew: false)
            }
            if let ifMatch = reservation.ifMatch, !ifMatch.isMet(by: cart.version) {
                throw CartError.versionConflict
            }
            let items = cart.items.sorted { $0.productID < $1.productID }
            let products = try await self.lockProducts(items.map(\.productID), on: connection)
            let buyable = items.allSatisfy { item in
                guard let product = products[item.productID] else { return false }
                return product.isActive && product.price == item.unitPrice
            }
            guard !items.isEmpty, buyable else { throw CheckoutConflict(cart: cart, products: products) }
            for item in items {
                if let stock = products[item.productID]?.stock, stock < item.quantity {
                    // The field names the product: a checkout has no body to point into.
                    var error = CartError.outOfStock(item.productID, available: stock)
                    error.field = "product_id:\(item.productID)"
                    throw error
                }
            }
            let subtotal = cart.subtotal
            var discount = Cents.zero
            if let code = cart.promoCode {
                let use = try await PromoCodeRepository.takeUse(
                    of: code,
                    subtotal: subtotal,
                    now: reservation.now,
                    on: connection,
                    logger: self.logger
                )
                switch use {
                case .success(let rules): discount = rules.discount(on: subtotal)
                case .failure(let refusal): throw CartError.promoInvalid(refusal)
                }
            }
            try await self.execute(
                """
                UPDATE product SET stock = product.stock - line.quantity, updated_at = now()
                FROM unnest(\(items.map(\.productID))::int[], \(items.map(\.quantity))::int[]) AS line (id, quantity)
                WHERE product.id = line.id AND product.stock IS NOT NULL
                """,
                on: connection
            )
            let checkout = Checkout(
                id: reservation.checkoutID,
                cartID: cart.id,
                ownerKey: cart.owner.key,
                sessionReference: cart.sessionReference,
                status: .reserved,
                items: items,
                subtotal: subtotal,
                discount: discount,
                total: subtotal - discount,
                currency: reservation.currency,
                promoCode: cart.promoCode,
                reservedUntil: reservation.reservedUntil,
                createdAt: reservation.now,
                updatedAt: reservation.now,
                linesReturned: false
            )
            try await self.insert(checkout, idempotencyKey: reservation.idempotencyKey, on: connection)
            try await CartEventOutbox.recordConversion(
                checkoutID: checkout.id,
                cartID: cart.id,
                userID: cart.owner.userID,
                on: connection,
                logger: self.logger
            )
            let version = try await handOver()
            try await self.markConverted(cart, version: version, at: reservation.now, on: connection)
            return Reserved(checkout: checkout, isNew: true)
        }
    }

    /// The owner's checkout made in the last 24 hours by a request with Idempotency-Key `key`,
    /// after any other such request of the owner's has committed (a transaction-scoped lock
    /// on the owner).
    private func checkout(
        madeWith key: String,
        ownerKey: String,
        on connection: PostgresConnection
    ) async throws -> Checkout? {
        try await self.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(ownerKey), 0))", on: connection)
        let rows = try await connection.rows(
            """
            SELECT id::text FROM checkout
            WHERE owner_key = \(ownerKey) AND idempotency_key = \(key) AND created_at > now() - interval '24 hours'
            ORDER BY created_at DESC LIMIT 1
            """,
            logger: self.logger
        )
        for id in try rows.decode(String.self) {
            return try await self.checkout(id, ownerKey: ownerKey, on: connection, lock: false)
        }
        return nil
    }

    /// The checkout `id` of the owner `ownerKey`; `nil` when there is none (or it is another's).
    func checkout(_ id: String, ownerKey: String) async throws -> Checkout? {
        try await self.postgres.withConnection { connection in
            try await self.checkout(id, ownerKey: ownerKey, on: connection, lock: false)
        }
    }

    /// What a request to end a reservation found and did.
    struct Ending: Sendable {
        /// The checkout as it is now; `nil` when there is none (or it is another owner's).
        var checkout: Checkout?
        /// Whether this request ended the reservation.
        var changed: Bool
    }

    /// Ends the reservation of checkout `id` as `status`: `completed` keeps the stock and the
    /// promotion use taken; `cancelled` and `expired` give them back. A checkout already ended
    /// is left as it is; `ownerKey` `nil` is the sweep, which acts for any owner. A reservation
    /// past its time is not completed: it expires instead.
    func end(_ id: String, ownerKey: String?, as status: Checkout.Status, now: Int64) async throws -> Ending {
        try await self.transaction { connection in
            guard var checkout = try await self.checkout(id, ownerKey: ownerKey, on: connection, lock: true) else {
                return Ending(checkout: nil, changed: false)
            }
            guard checkout.status == .reserved else { return Ending(checkout: checkout, changed: false) }
            let ending: Checkout.Status = status == .completed && checkout.reservedUntil <= now ? .expired : status
            if ending != .completed {
                // Products in id order, then the code, as a checkout takes them: no deadlock.
                _ = try await self.lockProducts(checkout.items.map(\.productID).sorted(), on: connection)
                try await self.execute(
                    """
                    UPDATE product SET stock = product.stock + line.quantity, updated_at = now()
                    FROM checkout_line AS line
                    WHERE line.checkout_id = \(id)::uuid AND product.id = line.product_id AND product.stock IS NOT NULL
                    """,
                    on: connection
                )
                if let code = checkout.promoCode {
                    try await PromoCodeRepository.returnUse(of: code, on: connection, logger: self.logger)
                }
            }
            try await self.execute(
                """
                UPDATE checkout SET status = \(ending.rawValue), updated_at = to_timestamp(\(now)::bigint / 1000.0)
                WHERE id = \(id)::uuid
                """,
                on: connection
            )
            checkout.status = ending
            checkout.updatedAt = now
            return Ending(checkout: checkout, changed: true)
        }
    }

    /// Records that a cancelled or expired checkout's lines are back in the owner's cart.
    func markLinesReturned(_ id: String) async throws {
        try await self.postgres.withConnection { connection in
            try await self.execute(
                "UPDATE checkout SET lines_returned_at = now() WHERE id = \(id)::uuid",
                on: connection
            )
        }
    }

    /// Reservations past their time (at most `limit`), for the sweep.
    func overdue(now: Int64, limit: Int) async throws -> [String] {
        try await self.ids(
            """
            SELECT id::text FROM checkout
            WHERE status = 'reserved' AND reserved_until <= to_timestamp(\(now)::bigint / 1000.0)
            ORDER BY reserved_until LIMIT \(limit)
            """
        )
    }

    /// Cancelled or expired checkouts whose lines did not get back to their cart yet (Redis
    /// was unreachable when they ended), for the sweep to try again.
    func linesToReturn(limit: Int) async throws -> [String] {
        try await self.ids(
            """
            SELECT id::text FROM checkout
            WHERE status IN ('cancelled', 'expired') AND lines_returned_at IS NULL
            ORDER BY updated_at LIMIT \(limit)
            """
        )
    }

    /// The checkout `id` whoever owns it (the sweep acts for every owner).
    func checkout(_ id: String) async throws -> Checkout? {
        try await self.postgres.withConnection { connection in
            try await self.checkout(id, ownerKey: nil, on: connection, lock: false)
        }
    }

    // MARK: - Statements

    /// Runs `body` in one transaction; an error `body` threw comes out as itself.
    private func transaction<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await self.postgres.withTransaction(logger: self.logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// The products `ids` not deleted, locked in id order (so checkouts never deadlock).
    private func lockProducts(_ ids: [Int], on connection: PostgresConnection) async throws -> [Int: ProductSnapshot] {
        let rows = try await connection.rows(
            """
            SELECT id, name, (price * 100)::bigint, stock, is_active FROM product
            WHERE id = ANY(\(ids)::int[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE
            """,
            logger: self.logger
        )
        var products: [Int: ProductSnapshot] = [:]
        for (id, name, cents, stock, isActive) in try rows.decode((Int, String, Int64, Int?, Bool).self) {
            products[id] = ProductSnapshot(id: id, name: name, price: Cents(cents), stock: stock, isActive: isActive)
        }
        return products
    }

    private func insert(
        _ checkout: Checkout,
        idempotencyKey: String?,
        on connection: PostgresConnection
    ) async throws {
        try await self.execute(
            """
            INSERT INTO checkout (id, cart_id, owner_key, session_reference, status, subtotal, discount, total,
                                  currency, promo_code, reserved_until, created_at, updated_at, idempotency_key)
            VALUES (\(checkout.id)::uuid, \(checkout.cartID)::uuid, \(checkout.ownerKey), \(checkout.sessionReference),
                    'reserved', \(checkout.subtotal.description)::numeric, \(checkout.discount.description)::numeric,
                    \(checkout.total.description)::numeric, \(checkout.currency), \(checkout.promoCode),
                    to_timestamp(\(checkout.reservedUntil)::bigint / 1000.0),
                    to_timestamp(\(checkout.createdAt)::bigint / 1000.0), to_timestamp(\(checkout.createdAt)::bigint / 1000.0),
                    \(idempotencyKey))
            """,
            on: connection
        )
        let items = checkout.items
        try await self.execute(
            """
            INSERT INTO checkout_line (checkout_id, item_id, product_id, product_name, quantity, unit_price,
                                       created_at, updated_at)
            SELECT \(checkout.id)::uuid, line.item_id::uuid, line.product_id, line.name, line.quantity,
                   line.cents::numeric / 100, to_timestamp(line.created / 1000.0), to_timestamp(line.updated / 1000.0)
            FROM unnest(\(items.map(\.id.description))::text[], \(items.map(\.productID))::int[], \(items.map(\.productName))::text[],
                        \(items.map(\.quantity))::int[], \(items.map(\.unitPrice.value))::bigint[],
                        \(items.map(\.createdAt))::bigint[], \(items.map(\.updatedAt))::bigint[])
                 AS line (item_id, product_id, name, quantity, cents, created, updated)
            """,
            on: connection
        )
    }

    /// The cart's row says `converted` at once (its write-behind record follows; a row's
    /// version never goes back), so PostgreSQL never holds it as the owner's active cart.
    private func markConverted(
        _ cart: Cart,
        version: Int64,
        at now: Int64,
        on connection: PostgresConnection
    ) async throws {
        try await self.execute(
            """
            INSERT INTO cart (id, user_id, session_id, status, version, created_at, updated_at, promo_code)
            VALUES (\(cart.id)::uuid, (SELECT id FROM "user" WHERE id = \(cart.owner.userID)::uuid),
                    \(cart.sessionReference), 'converted', \(version),
                    to_timestamp(\(cart.createdAt)::bigint / 1000.0), to_timestamp(\(now)::bigint / 1000.0), \(cart.promoCode))
            ON CONFLICT (id) DO UPDATE SET status = 'converted', version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at, promo_code = EXCLUDED.promo_code
            WHERE cart.version < EXCLUDED.version
            """,
            on: connection
        )
    }

    private func checkout(
        _ id: String,
        ownerKey: String?,
        on connection: PostgresConnection,
        lock: Bool
    ) async throws -> Checkout? {
        let rows = try await connection.rows(
            """
            SELECT id::text, cart_id::text, owner_key, session_reference, status, (subtotal * 100)::bigint,
                   (discount * 100)::bigint, (total * 100)::bigint, currency, promo_code,
                   (extract(epoch FROM reserved_until) * 1000)::bigint, (extract(epoch FROM created_at) * 1000)::bigint,
                   (extract(epoch FROM updated_at) * 1000)::bigint, lines_returned_at IS NOT NULL
            FROM checkout WHERE id = \(id)::uuid AND (\(ownerKey)::text IS NULL OR owner_key = \(ownerKey))
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: self.logger
        )
        var found: Checkout?
        for row in rows {
            let (
                id, cartID, owner, reference, status, subtotal, discount, total, currency, promoCode, reservedUntil,
                created, updated, returned
            ) = try row.decode(
                (
                    String, String, String, String?, String, Int64, Int64, Int64, String, String?, Int64, Int64,
                    Int64, Bool
                ).self
            )
            found = Checkout(
                id: id,
                cartID: cartID,
                ownerKey: owner,
                sessionReference: reference,
                status: Checkout.Status(rawValue: status) ?? .reserved,
                items: [],
                subtotal: Cents(subtotal),
                discount: Cents(discount),
                total: Cents(total),
                currency: currency,
                promoCode: promoCode,
                reservedUntil: reservedUntil,
                createdAt: created,
                updatedAt: updated,
                linesReturned: returned
            )
        }
        guard var checkout = found else { return nil }
        let lines = try await connection.rows(
            """
            SELECT item_id, product_id, product_name, quantity, (unit_price * 100)::bigint,
                   (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint
            FROM checkout_line WHERE checkout_id = \(checkout.id)::uuid ORDER BY product_id
            """,
            logger: self.logger
        )
        for (itemID, productID, name, quantity, cents, created, updated) in try lines.decode(
            (CartItemID, Int, String, Int, Int64, Int64, Int64).self
        ) {
            checkout.items.append(
                CartItem(
                    id: itemID,
                    productID: productID,
                    productName: name,
                    quantity: quantity,
                    unitPrice: Cents(cents),
                    createdAt: created,
                    updatedAt: updated
                )
            )
        }
        return checkout
    }

    private func ids(_ query: PostgresQuery) async throws -> [String] {
        try await self.postgres.rows(query, logger: self.logger).decode(String.self)
    }

    private func execute(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        try await connection.execute(query, logger: self.logger)
    }
}
