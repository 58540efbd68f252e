import CartDomain
import Foundation
import Metrics
import RedisClient

/// Hot carts in Redis. Every read is one round trip and every change is one atomic script
/// (EVALSHA) that checks the caps, bumps the version, refreshes the guest TTL and appends the
/// write-behind record together.
///
/// A cart missing from Redis is first looked for in the ``DurableCartSource`` (read-through)
/// and put back in one atomic step that a concurrent request cannot double; only a session
/// with no durable cart gets a new empty one.
///
/// Failures are ``CartError``s: the script's refusals with their contract codes, and
/// ``CartError/serviceUnavailable`` when Redis (or, for a missing cart, PostgreSQL) cannot be
/// reached in time.
public struct RedisCartStore: Sendable {
    /// The result of a change: the cart after it, and whether a new line was made.
    public struct Change: Sendable {
        public var cart: Cart
        public var createdLine: Bool
    }

    private let redis: RedisClient
    private let settings: CartSettings
    private let durable: (any DurableCartSource)?
    /// The clock: milliseconds since 1970.
    let now: @Sendable () -> Int64
    private let cartsMade = Counter(label: "hotcart_carts_created_total")
    /// Guest carts merged into user carts (a retry of one merge counts again).
    let merges = Counter(label: "hotcart_cart_merges_total")

    /// - Parameters:
    ///   - durable: where a cart missing from Redis is looked for; `nil` makes it new at once.
    ///   - now: the clock, in milliseconds since 1970 (injectable for tests).
    public init(
        redis: RedisClient,
        settings: CartSettings,
        durable: (any DurableCartSource)? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.redis = redis
        self.settings = settings
        self.durable = durable
        self.now = now
    }

    /// The owner's cart, created empty on first use.
    ///
    /// Every request slides the expiry, but a read need not write: changes and refreshes keep
    /// the cart in Redis for its TTL and 1 % more (``redisLifetime(for:)``) and note until when
    /// in the cart (field `x`), so a known session's cart is read with one HGETALL, which costs
    /// Redis far less than a script and writes nothing (no AOF record). Only a cart with less
    /// than its TTL left, or not there at all (new, expired or evicted), goes through the read
    /// script, which refreshes it (a guest's with a write-behind record, so PostgreSQL's
    /// `expires_at` follows) or makes it, after read-through.
    public func cart(of session: CartSession) async throws -> Cart {
        if !session.isNew, let cart = try await self.existingCart(of: session) { return cart }
        let ttl = String(self.ttl(for: session.owner))
        return try await self.run(CartScripts.read, session: session, ifMatch: nil, arguments: [ttl]).cart
    }

    /// The owner's cart, provided it is at one of the `ifMatch` versions (CART_008 otherwise):
    /// for a change that turns out to have nothing to change.
    public func cart(of session: CartSession, ifMatch: CartVersionPrecondition?) async throws -> Cart {
        let cart = try await self.cart(of: session)
        if let ifMatch, !ifMatch.isMet(by: cart.version) { throw CartError.versionConflict }
        return cart
    }

    /// The cart as it is in Redis, or `nil` when Redis does not hold it or it has less than
    /// its TTL left. One command; a user's request also asks whether its token was revoked, in
    /// the same round trip.
    private func existingCart(of session: CartSession) async throws -> Cart? {
        let keys = CartKeys(owner: session.owner)
        let fields: [RedisValue]
        do {
            if let tokenID = session.tokenID {
                let replies = try await self.redis.send(
                    pipeline: [["HGETALL", keys.cart], ["EXISTS", keys.revokedToken(tokenID)]]
                )
                if replies[1].int == 1 { throw CartError.authRequired }
                fields = replies[0].array ?? []
            } else {
                fields = try await self.redis.send(["HGETALL", keys.cart]).array ?? []
            }
        } catch let error as RedisError where error.isConnectivityFailure {
            throw CartError.serviceUnavailable
        }
        guard let keptUntil = Self.keptUntil(fields), keptUntil - self.now() >= self.ttl(for: session.owner) else {
            return nil
        }
        let cart = try Cart(hash: fields, owner: session.owner, expiresAt: self.expiry(of: session.owner))
        // A cart that ended (merged away) is replaced by the read script.
        return cart.status == .active ? cart : nil
    }

    /// Until when Redis keeps a cart, from the field `x` of its `HGETALL` reply; `nil` for no
    /// cart, or one stored before the field existed (the read script refreshes it).
    private static func keptUntil(_ fields: [RedisValue]) -> Int64? {
        var index = 0
        while index + 1 < fields.count {
            if fields[index].string == "x" { return fields[index + 1].int.map(Int64.init) }
            index += 2
        }
        return nil
    }

    /// Adds units of a product (a product already in the cart grows its line).
    public func addItem(
        _ product: ProductSnapshot,
        quantity: Int,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Change {
        try await self.run(
            CartScripts.addItem,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: [
                String(product.id), String(quantity), String(product.price.value), product.name,
                StoredItemID.new(productID: product.id, milliseconds: self.now()),
                product.stock.map(String.init) ?? "",
            ],
            context: .add
        )
    }

    /// Sets one line's quantity; 0 removes the line. A line grows only within `limit`, when
    /// it is for the line's product (CART_009 otherwise).
    public func setQuantity(
        itemID: CartItemID,
        quantity: Int,
        limit: LineLimit?,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.change(
            CartScripts.setQuantity,
            item: itemID,
            [String(quantity)] + Self.scriptArguments(limit),
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey
        )
    }

    /// Removes every line.
    public func clear(
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.run(CartScripts.clear, session: session, ifMatch: ifMatch, idempotencyKey: idempotencyKey).cart
    }

    /// Sets several quantities at once, all or nothing (ids distinct, quantities in range). A
    /// line grows only within the limit in `limits` for its product, if any (CART_009 otherwise).
    public func bulkUpdate(
        _ entries: [(itemID: CartItemID, quantity: Int)],
        limits: [LineLimit],
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        var arguments: [String] = []
        arguments.reserveCapacity(entries.count * 4)
        for entry in entries {
            arguments.append(StoredItemID.stored(entry.itemID))
            arguments.append(String(entry.quantity))
            arguments += Self.scriptArguments(limits.first { $0.productID == entry.itemID.productID })
        }
        return try await self.run(
            CartScripts.bulkUpdate,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: arguments
        ).cart
    }

    /// Moves a cart line to the lines saved for later (already saved: unchanged).
    public func saveForLater(
        itemID: CartItemID,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.change(
            CartScripts.saveForLater,
            item: itemID,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey
        )
    }

    /// Brings a line saved for later back into the cart (CART_004 past the cart cap; CART_009
    /// past `limit`, when it is for the line's product).
    public func moveToCart(
        itemID: CartItemID,
        limit: LineLimit?,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.change(
            CartScripts.moveToCart,
            item: itemID,
            Self.scriptArguments(limit),
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            context: .move
        )
    }

    /// Runs a script that changes the line `itemID`.
    private func change(
        _ script: RedisScript,
        item itemID: CartItemID,
        _ arguments: [String] = [],
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String?,
        context: RefusalContext = .none
    ) async throws -> Cart {
        try await self.run(
            script,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: [StoredItemID.stored(itemID)] + arguments,
            context: context
        ).cart
    }

    /// Sets the price snapshot of the cart's lines for these products to these prices (lines
    /// already at that price, and products not in the cart, are left alone).
    public func reprice(
        _ prices: [(productID: Int, price: Cents)],
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        var arguments: [String] = []
        arguments.reserveCapacity(prices.count * 2)
        for entry in prices {
            arguments.append(String(entry.productID))
            arguments.append(String(entry.price.value))
        }
        return try await self.run(
            CartScripts.reprice,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: arguments
        ).cart
    }

    /// Puts the promotion code `code` on the cart (replacing any other), provided the cart's
    /// subtotal, read in the same atomic step, reaches the code's minimum; CART_012 otherwise.
    public func applyPromoCode(
        _ code: PromoCode,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.run(
            CartScripts.setPromoCode,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: [code.code, String(code.minimumSubtotal.value)],
            context: .promo(code)
        ).cart
    }

    /// Takes the cart's promotion code off (a cart without one is answered unchanged).
    public func removePromoCode(
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil
    ) async throws -> Cart {
        try await self.run(
            CartScripts.setPromoCode,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: ["", "0"]
        ).cart
    }

    /// The carts stored under `cartKeys` as they are now, read in one pipelined round trip
    /// (one per node on a cluster), without creating or touching them; keys with no cart in
    /// Redis are left out. For the write-behind flusher, which learns keys from the queue.
    ///
    /// A guest cart's `expiresAt` is when Redis drops it, so the expiry sweep never ends a
    /// cart that Redis still serves.
    public func snapshots(ofCartKeys cartKeys: [String]) async throws -> [Cart] {
        let replies = try await self.redis.send(
            pipeline: cartKeys.flatMap { [["HGETALL", $0], ["PEXPIRETIME", $0]] }
        )
        var carts: [Cart] = []
        carts.reserveCapacity(cartKeys.count)
        for (index, cartKey) in cartKeys.enumerated() {
            guard let owner = CartKeys.owner(ofCartKey: cartKey), let fields = replies[2 * index].array,
                !fields.isEmpty
            else { continue }
            var cart = try Cart(hash: fields, owner: owner, expiresAt: nil)
            if owner.userID == nil {
                // Exact to the millisecond, so a snapshot taken twice is the same.
                let dropped = replies[2 * index + 1].int.map(Int64.init) ?? -1
                cart.expiresAt = dropped > 0 ? dropped : cart.updatedAt + self.settings.guestTTLMilliseconds
            }
            carts.append(cart)
        }
        return carts
    }

    /// What a refusal is about, so its message can name it.
    enum RefusalContext {
        case none
        /// An add: a product it may not have is the request's `product_id`.
        case add
        /// Moving a saved line back: a product it may not have is the line's (`item_id`).
        case move
        case promo(PromoCode)
    }

    /// Runs a cart script and builds the cart it answers with.
    private func run(
        _ script: RedisScript,
        session: CartSession,
        ifMatch: CartVersionPrecondition?,
        idempotencyKey: String? = nil,
        arguments: [String] = [],
        context: RefusalContext = .none
    ) async throws -> Change {
        let parts = try await self.answer(
            script,
            session: session,
            ifMatch: ifMatch,
            idempotencyKey: idempotencyKey,
            arguments: arguments,
            context: context
        )
        let flags = parts[1].int ?? 0
        if flags & 2 != 0 { self.cartsMade.increment() }
        let fields = parts[2].array ?? []
        let expiresAt = self.expiry(of: session.owner, keptUntil: Self.keptUntil(fields))
        let cart = try Cart(hash: fields, owner: session.owner, expiresAt: expiresAt)
        return Change(cart: cart, createdLine: flags & 1 != 0)
    }

    /// Runs a cart script and returns its `ok` reply, or throws its refusal as a ``CartError``.
    /// `idempotencyKey` (scoped to the route) makes a retried change answer as the first did;
    /// `extraKeys` follow the prelude's five keys. When the cart is missing from Redis, restores it from the durable source first (or lets
    /// the script make it empty when there is none), then runs the script again.
    func answer(
        _ script: RedisScript,
        session: CartSession,
        ifMatch: CartVersionPrecondition? = nil,
        idempotencyKey: String? = nil,
        extraKeys: [String] = [],
        arguments: [String] = [],
        context: RefusalContext = .none
    ) async throws -> [RedisValue] {
        let mayCreate = self.durable == nil || session.isNew
        let owner = CartKeys(owner: session.owner)
        let keys = [owner.revokedToken(session.tokenID ?? ""), owner.idempotencyRecord(idempotencyKey)] + extraKeys
        // Worked out once for up to three script runs (a guest's is an HMAC).
        let reference = session.reference ?? ""
        var reply = try await self.call(script, session, owner, reference, ifMatch, mayCreate, keys, arguments)
        if case .missing = reply {
            let durableCart: Cart?
            do {
                durableCart = try await self.durable?.activeCart(of: session, now: self.now())
            } catch {
                // Never answer with a new empty cart while the durable one cannot be read.
                throw CartError.serviceUnavailable
            }
            if let durableCart {
                _ = try await self.call(
                    CartScripts.restore,
                    session,
                    owner,
                    reference,
                    nil,
                    false,
                    [owner.revokedToken(session.tokenID ?? ""), owner.idempotencyRecord(nil)],
                    Self.restoreArguments(durableCart)
                )
            }
            reply = try await self.call(script, session, owner, reference, ifMatch, true, keys, arguments)
        }
        guard case .answered(let parts) = reply else { throw RedisError.unexpectedReply("cart still missing") }
        guard parts[0].string == "ok" else {
            throw self.refusal(code: parts[1].string ?? "", detail: parts[2].string ?? "", context: context)
        }
        return parts
    }

    private enum ScriptReply {
        case missing
        case answered([RedisValue])
    }

    private func call(
        _ script: RedisScript,
        _ session: CartSession,
        _ keys: CartKeys,
        _ reference: String,
        _ ifMatch: CartVersionPrecondition?,
        _ mayCreate: Bool,
        _ keysAfterTheCart: [String],
        _ arguments: [String]
    ) async throws -> ScriptReply {
        let owner = session.owner
        let limits = self.settings.limits
        let now = self.now()
        let common = [
            String(now), String(self.redisLifetime(for: owner)), RandomID.timeOrderedUUID(milliseconds: now), owner.key,
            reference,
            ifMatch.map(Self.scriptArgument) ?? "", String(self.settings.mutationsPerMinute),
            String(limits.maxQuantityPerItem), String(limits.maxItems), mayCreate ? "1" : "0",
        ]
        let reply: RedisValue
        do {
            reply = try await self.redis.run(
                script,
                keys: [keys.cart, keys.writeBehindStream, keys.rateLimit] + keysAfterTheCart,
                arguments: common + arguments
            )
        } catch let error as RedisError where error.isConnectivityFailure {
            throw CartError.serviceUnavailable
        }
        guard let parts = reply.array, parts.count >= 3, parts[0].string != nil else {
            throw RedisError.unexpectedReply("cart script \(script.name)")
        }
        if parts[0].string == "err" && parts[1].string == "MISSING" { return .missing }
        return .answered(parts)
    }

    /// When a cart just touched expires: a whole guest TTL from now; a user cart never (it
    /// only leaves Redis, not the user).
    func expiry(of owner: CartOwner) -> Int64? {
        owner.userID == nil ? self.now() + self.settings.guestTTLMilliseconds : nil
    }

    /// When a cart a script answered with expires: a whole guest TTL from when a script last
    /// refreshed it (its field `x` says until when Redis keeps it from then), so a request
    /// retried with its `Idempotency-Key` shows the first answer's expiry; a user cart never.
    private func expiry(of owner: CartOwner, keptUntil: Int64?) -> Int64? {
        guard owner.userID == nil, let keptUntil else { return self.expiry(of: owner) }
        return keptUntil - self.redisLifetime(for: owner) + self.settings.guestTTLMilliseconds
    }

    /// How long the cart stays untouched: the guest TTL, or the user idle period (after which
    /// a user cart leaves Redis, not PostgreSQL).
    private func ttl(for owner: CartOwner) -> Int64 {
        owner.userID == nil ? self.settings.guestTTLMilliseconds : self.settings.userIdleMilliseconds
    }

    /// How long Redis keeps a cart from a change or refresh: its TTL and 1 % more (1 h 40 min
    /// for 7 days). A read refreshes only a cart with less than its TTL left, so a cart read
    /// again and again is refreshed once per 1 % of its TTL, yet always outlives its TTL.
    private func redisLifetime(for owner: CartOwner) -> Int64 {
        let ttl = self.ttl(for: owner)
        return ttl + ttl / 100
    }

    /// An `If-Match` precondition as the scripts take it: its versions between commas
    /// (`,7,` or `,7,8,`; `,` for none, which no version matches).
    private static func scriptArgument(_ precondition: CartVersionPrecondition) -> String {
        "," + precondition.versions.map { "\($0)," }.joined()
    }

    /// A line's limit as the scripts take it: the product it is for ('' for none), then its
    /// ``stockArgument(_:)``.
    private static func scriptArguments(_ limit: LineLimit?) -> [String] {
        guard let limit else { return ["", ""] }
        return [String(limit.productID), Self.stockArgument(limit.availability)]
    }

    /// What a product may sell as the scripts take it: 'off' (off sale), '' (no limit) or the
    /// units in stock.
    static func stockArgument(_ availability: LineLimit.Availability) -> String {
        switch availability {
        case .unlimited: ""
        case .inStock(let units): String(units)
        case .offSale: "off"
        }
    }

    private static func restoreArguments(_ cart: Cart) -> [String] {
        var arguments = [
            cart.id, cart.status.rawValue, String(cart.version), String(cart.createdAt), String(cart.updatedAt),
            cart.promoCode ?? "",
        ]
        for (item, saved) in cart.items.map({ ($0, "0") }) + cart.savedItems.map({ ($0, "1") }) {
            arguments += [
                String(item.productID), StoredItemID.stored(item.id), String(item.quantity),
                String(item.unitPrice.value),
                String(item.createdAt), String(item.updatedAt), item.productName, saved,
            ]
        }
        return arguments
    }

    private func refusal(code: String, detail: String, context: RefusalContext) -> CartError {
        let limits = self.settings.limits
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
        case .authRequired:
            return .authRequired
        case .productUnavailable:
            // '<product id>:<units in stock, or off>'.
            let parts = detail.split(separator: ":", maxSplits: 1)
            let productID = Int(parts.first ?? "") ?? 0
            var error: CartError =
                parts.last == "off"
                ? .productInactive(productID) : .outOfStock(productID, available: Int(parts.last ?? "") ?? 0)
            switch context {
            case .add: break
            case .move: error.field = "item_id"
            default: error.field = "quantity"
            }
            return error
        case .checkoutConflict:
            return CartError(
                .checkoutConflict,
                detail == "merging" ? "The cart is being merged; try again" : "The cart cannot be checked out now",
                field: "cart"
            )
        case .promoInvalid:
            guard case .promo(let code) = context else { break }
            return .promoInvalid(.belowMinimum(code.code, minimum: code.minimumSubtotal))
        default:
            break
        }
        // CART_010 (a change that reached Redis after its deadline), and any code not known here.
        return .serviceUnavailable
    }
}
