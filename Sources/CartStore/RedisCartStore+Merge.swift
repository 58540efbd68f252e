import CartDomain
import RedisClient

extension RedisCartStore {
    /// A guest line the user cart could not take in full.
    public struct MergeWarning: Sendable, Hashable {
        /// Why the line was not taken in full.
        public enum Reason: String, Sendable {
            /// The line would have passed the per-line cap.
            case quantityCapped = "QUANTITY_CAPPED"
            /// The cart would have passed the per-cart cap.
            case cartLimitReached = "CART_LIMIT_REACHED"
            /// The line would have passed the product's stock (a line given a ``LineToAdd/limit``).
            case insufficientStock = "INSUFFICIENT_STOCK"
        }

        public var reason: Reason
        public var productID: Int
        /// The user cart's line for the product (absent from the cart when nothing was kept).
        public var itemID: CartItemID
        public var requested: Int
        public var kept: Int
    }

    /// A line for ``addLines(_:to:changeID:)``: a product with its quantity and price snapshot.
    /// It has no id: the cart gives it one of its own, or grows its line for the product.
    public struct LineToAdd: Sendable, Hashable {
        public var productID: Int
        public var productName: String
        public var quantity: Int
        public var unitPrice: Cents
        /// Milliseconds since 1970.
        public var createdAt: Int64
        public var updatedAt: Int64
        /// What the product may sell, for a line that must stay within it (a shared cart's
        /// copy); `nil` for none (a guest cart's lines, a cancelled checkout's).
        public var limit: LineLimit.Availability?

        public init(
            productID: Int,
            productName: String,
            quantity: Int,
            unitPrice: Cents,
            createdAt: Int64,
            updatedAt: Int64,
            limit: LineLimit.Availability? = nil
        ) {
            self.productID = productID
            self.productName = productName
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.limit = limit
        }

        /// What `item` holds, without its id.
        public init(_ item: CartItem) {
            self.init(
                productID: item.productID,
                productName: item.productName,
                quantity: item.quantity,
                unitPrice: item.unitPrice,
                createdAt: item.createdAt,
                updatedAt: item.updatedAt
            )
        }
    }

    /// The user cart after a merge, and what it could not take.
    public struct MergeOutcome: Sendable {
        public var cart: Cart
        public var warnings: [MergeWarning]
        /// The guest cart's promotion code when the user cart kept a code of its own instead.
        public var promoCodeNotTaken: String? = nil
    }

    /// Merges the guest session's cart into the user's, in three atomic steps that never
    /// double-count, even with the two carts on different Redis Cluster shards:
    /// 1. the guest cart is marked `merging` under a merge id (a retry or a concurrent merge
    ///    finds the mark and uses the same id);
    /// 2. the user cart adds the lines once per merge id (capped per line and per cart; lines it
    ///    already has keep their price snapshot; lines saved for later stay saved) and takes the
    ///    guest's promotion code when it holds none;
    /// 3. the guest cart ends: no lines, status `expired`, so its session reaches nothing.
    /// A merge interrupted between steps is completed by the next merge of that guest session.
    /// `ifMatch` is checked on the user cart in step 2 (CART_008: the guest cart stays marked,
    /// for the next merge), or as it is read when there is nothing to merge.
    public func merge(
        guest: CartSession,
        into user: CartSession,
        ifMatch: CartVersionPrecondition? = nil
    ) async throws -> MergeOutcome {
        guard !guest.isNew else {
            return MergeOutcome(cart: try await self.cart(of: user, ifMatch: ifMatch), warnings: [])
        }
        let taken = try await self.answer(
            CartScripts.mergeTake,
            session: guest,
            arguments: [RandomID.uuid(), user.owner.key]
        )
        let guestHash = taken[2].array ?? []
        guard !guestHash.isEmpty, let mergeID = Self.field("mid", in: guestHash) else {
            return MergeOutcome(cart: try await self.cart(of: user, ifMatch: ifMatch), warnings: [])
        }
        let guestCart = try Cart(hash: guestHash, owner: guest.owner, expiresAt: nil)
        let lines =
            guestCart.items.map { (LineToAdd($0), false) } + guestCart.savedItems.map { (LineToAdd($0), true) }
        let arguments = [mergeID, guestCart.promoCode ?? ""] + self.mergeArguments(lines)
        let applied = try await self.answer(
            CartScripts.mergeApply,
            session: user,
            ifMatch: ifMatch,
            extraKeys: [CartKeys(owner: user.owner).mergeApplied(mergeID)],
            arguments: arguments
        )
        _ = try await self.answer(CartScripts.mergeFinish, session: guest, arguments: [mergeID])
        self.merges.increment()
        var outcome = try self.outcome(of: applied, owner: user.owner)
        if let code = guestCart.promoCode, outcome.cart.promoCode != code { outcome.promoCodeNotTaken = code }
        return outcome
    }

    /// Adds `items` to the owner's current cart with the merge rules (quantities add, capped
    /// per line, per cart and at each line's ``LineToAdd/limit``, with a warning per capped line; a line the cart has keeps its
    /// price; `promoCode` goes on a cart that holds no code), once per `changeID`: a second
    /// call with the same id changes nothing. For the lines of a cancelled checkout and of a
    /// shared cart copied in. A cart at none of the `ifMatch` versions is not changed (CART_008).
    public func addLines(
        _ lines: [LineToAdd],
        promoCode: String? = nil,
        to session: CartSession,
        changeID: String,
        ifMatch: CartVersionPrecondition? = nil
    ) async throws -> MergeOutcome {
        let arguments = [changeID, promoCode ?? ""] + self.mergeArguments(lines.map { ($0, false) })
        let applied = try await self.answer(
            CartScripts.mergeApply,
            session: session,
            ifMatch: ifMatch,
            extraKeys: [CartKeys(owner: session.owner).mergeApplied(changeID)],
            arguments: arguments
        )
        return try self.outcome(of: applied, owner: session.owner)
    }

    /// The cart and the capped lines of a `merge_apply.lua` reply.
    private func outcome(of reply: [RedisValue], owner: CartOwner) throws -> MergeOutcome {
        let cart = try Cart(hash: reply[2].array ?? [], owner: owner, expiresAt: self.expiry(of: owner))
        let warnings = (reply.count > 3 ? reply[3].string ?? "" : "").split(separator: ";").compactMap(Self.warning)
        return MergeOutcome(cart: cart, warnings: warnings)
    }

    private static func field(_ name: String, in hash: [RedisValue]) -> String? {
        var index = 0
        while index + 1 < hash.count {
            if hash[index].string == name { return hash[index + 1].string }
            index += 2
        }
        return nil
    }

    /// Parses `<code>|<product id>|<item id>|<requested>|<kept>`.
    private static func warning(_ text: Substring) -> MergeWarning? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 5, let reason = MergeWarning.Reason(rawValue: String(parts[0])),
            let productID = Int(parts[1]), let itemID = StoredItemID.id(parts[2].utf8), let requested = Int(parts[3]),
            let kept = Int(parts[4])
        else { return nil }
        return MergeWarning(
            reason: reason,
            productID: productID,
            itemID: itemID,
            requested: requested,
            kept: kept
        )
    }

    /// The merge script's arguments for `lines`, in product order: each line's product, a new
    /// line id, quantity, unit cents, times, name, whether it is saved for later and its limit.
    ///
    /// The ids are made at one reading of the clock and handed out in the order the lines
    /// came, so lines made at the same time (a copied share's) list in that order: a cart
    /// lists its lines by creation time, then id.
    private func mergeArguments(_ lines: [(line: LineToAdd, saved: Bool)]) -> [String] {
        let ids = CartItemID.lines(of: lines.map(\.line.productID), milliseconds: self.now())
        var arguments: [String] = []
        arguments.reserveCapacity(lines.count * 9)
        for (id, (line, saved)) in zip(ids, lines).sorted(by: { $0.1.line.productID < $1.1.line.productID }) {
            arguments += [
                String(line.productID), StoredItemID.stored(id), String(line.quantity),
                String(line.unitPrice.value), String(line.createdAt), String(line.updatedAt), line.productName,
                saved ? "1" : "0", line.limit.map(Self.stockArgument) ?? "",
            ]
        }
        return arguments
    }
}
