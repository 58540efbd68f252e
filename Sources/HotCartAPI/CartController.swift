import CartDomain
import CartStore
import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import Promotions

/// The guest and user cart endpoints (`/cart…`). Handlers validate input, then make exactly
/// one call to the cart store: one Redis round trip per request, no PostgreSQL.
struct CartController {
    let store: RedisCartStore
    let products: ProductCache
    let promotions: PromoCodeCache
    let settings: CartSettings
    let merger: GuestCartMerger
    let validationEnabled: Bool

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get(use: self.show)
        group.delete(use: self.clear)
        group.get("summary", use: self.summary)
        group.post("items", use: self.addItem)
        group.put("items/{item_id}", use: self.setQuantity)
        group.delete("items/{item_id}", use: self.removeItem)
        group.put("bulk", use: self.bulkUpdate)
        group.post("merge", use: self.merge)
        group.post("validate", use: self.validate)
        group.post("save-for-later", use: self.saveForLater)
        group.post("saved/{item_id}/move-to-cart", use: self.moveToCart)
        group.post("promo", use: self.applyPromoCode)
        group.delete("promo", use: self.removePromoCode)
    }

    /// Puts a promotion code on the cart (replacing any other). Unknown, inactive, not yet
    /// started, expired, used up, or over a subtotal under its minimum: 400 CART_012 naming why.
    @Sendable func applyPromoCode(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            var code: String
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        let given = body.code.trimmingCharacters(in: .whitespaces)
        try self.promotions.requireLoaded()
        guard let code = self.promotions.code(given) else { throw CartError.promoInvalid(.unknown(given)) }
        if let reason = code.unavailability(now: CartPricing.now()) { throw CartError.promoInvalid(reason) }
        let cart = try await self.store.applyPromoCode(
            code,
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func removePromoCode(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.removePromoCode(
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func saveForLater(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            var itemID: String
            enum CodingKeys: String, CodingKey { case itemID = "item_id" }
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard let itemID = CartItemID(uuid: body.itemID) else {
            throw CartError(.itemNotFound, "Cart item not found", field: "item_id")
        }
        let cart = try await self.store.saveForLater(
            itemID: itemID,
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func moveToCart(request: Request, context: CartRequestContext) async throws -> Response {
        let itemID = try Self.itemID(context)
        let cart = try await self.store.moveToCart(
            itemID: itemID,
            limit: self.limit(of: itemID),
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    /// Checks the cart against the catalog as it is now; `?apply=true` also brings changed
    /// prices into the cart (one atomic step). 404 when validation is turned off.
    @Sendable func validate(request: Request, context: CartRequestContext) async throws -> Response {
        guard self.validationEnabled else { throw HTTPError(.notFound) }
        let apply: Bool
        switch request.uri.queryParameters["apply"].map(String.init) {
        case nil, "false", "0": apply = false
        case "true", "1": apply = true
        default: throw CartError.invalidRequest("apply must be true or false", field: "apply")
        }
        let (ifMatch, idempotencyKey) = (try Self.ifMatch(request), try Self.idempotencyKey(request))
        let session = try context.requireSession()
        let cart = try await self.store.cart(of: session, ifMatch: apply ? ifMatch : nil)
        try self.products.requireLoaded()
        let validation = CartValidation(
            cart: cart,
            display: MoneyDisplay(currency: context.displayCurrency),
            product: self.products.product(id:)
        )
        if apply && !validation.updatedItems.isEmpty {
            _ = try await self.store.reprice(
                validation.updatedItems.map { ($0.productID, $0.unitPrice) },
                session: session,
                ifMatch: ifMatch,
                idempotencyKey: idempotencyKey
            )
        }
        return validation.response()
    }

    /// Merges the guest cart the cookie names into the signed-in user's cart and rotates the
    /// guest session; 401 without a token, 404 when merging is turned off.
    @Sendable func merge(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try context.requireToken()
        guard self.merger.enabled else { throw HTTPError(.notFound) }
        let merged = try await self.merger.merge(
            guest: context.guestSession,
            into: context.requireSession(),
            ifMatch: try Self.ifMatch(request)
        )
        var response = CartResponse(
            cart: merged.cart,
            context: context,
            baseCurrency: self.settings.currency,
            promotions: self.promotions,
            warnings: merged.warnings
        ).response()
        if let rotated = merged.rotated { response.headers.append(rotated) }
        return response
    }

    /// The cart, its version as the `ETag`. `If-None-Match` naming that version is 304 when the
    /// version is all the answer depends on: shown in a display currency (its rate may have
    /// changed) or with a promotion code (its terms may have changed) the cart goes out whole.
    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.cart(of: context.requireSession())
        // A field that is not a list of entity tags is ignored: the cart goes out whole.
        if context.displayCurrency == nil, cart.promoCode == nil,
            let tags = EntityTags(request.headers[values: .ifNoneMatch]),
            tags.isAny || tags.versions.contains(cart.version)
        {
            return Response(status: .notModified, headers: [.eTag: cart.entityTag])
        }
        return self.response(cart, context)
    }

    @Sendable func summary(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.cart(of: context.requireSession())
        return CartSummaryResponse(
            cart: cart,
            currency: context.displayCurrency?.code ?? self.settings.currency,
            display: MoneyDisplay(currency: context.displayCurrency)
        ).response()
    }

    @Sendable func addItem(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            // Read leniently: Foundation reports a fractional or oversized number for an `Int`
            // as invalid JSON without naming the field.
            var productID: WholeNumberInput
            var quantity: WholeNumberInput
            enum CodingKeys: String, CodingKey {
                case productID = "product_id"
                case quantity
            }
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard let wholeNumber = body.productID.wholeNumber else {
            throw CartError.invalidRequest("Field 'product_id' has the wrong type", field: "product_id")
        }
        let limit = self.settings.limits.maxQuantityPerItem
        guard let quantity = body.quantity.value, (1...limit).contains(quantity) else {
            throw CartError.invalidQuantity(limit: limit)
        }
        try self.products.requireLoaded()
        guard let productID = body.productID.value, let product = self.products.product(id: productID) else {
            throw CartError.productNotFound(wholeNumber)
        }
        guard product.isActive else { throw CartError.productInactive(product.id) }
        if let stock = product.stock, stock == 0 { throw CartError.outOfStock(product.id, available: 0) }
        let change = try await self.store.addItem(
            product,
            quantity: quantity,
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(change.cart, context, status: change.createdLine ? .created : .ok)
    }

    @Sendable func setQuantity(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            var quantity: WholeNumberInput
        }
        let itemID = try Self.itemID(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        let limit = self.settings.limits.maxQuantityPerItem
        guard let quantity = body.quantity.value, (0...limit).contains(quantity) else {
            throw CartError(.invalidQuantity, "Quantity must be between 0 and \(limit)", field: "quantity")
        }
        let cart = try await self.store.setQuantity(
            itemID: itemID,
            quantity: quantity,
            limit: self.limit(of: itemID),
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func removeItem(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.setQuantity(
            itemID: try Self.itemID(context),
            quantity: 0,
            limit: nil,
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func clear(request: Request, context: CartRequestContext) async throws -> Response {
        let cart = try await self.store.clear(
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    @Sendable func bulkUpdate(request: Request, context: CartRequestContext) async throws -> Response {
        struct Entry: Decodable {
            var id: String
            var quantity: WholeNumberInput
        }
        struct Body: Decodable {
            var items: [Entry]
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard (1...100).contains(body.items.count) else {
            throw CartError.invalidRequest("items must hold between 1 and 100 entries", field: "items")
        }
        let limit = self.settings.limits.maxQuantityPerItem
        var seen = Set<CartItemID>()
        var entries: [(itemID: CartItemID, quantity: Int)] = []
        for (index, entry) in body.items.enumerated() {
            guard let id = CartItemID(uuid: entry.id) else {
                throw CartError(.itemNotFound, "Cart item not found", field: "items[\(index)].id")
            }
            guard let quantity = entry.quantity.value, (0...limit).contains(quantity) else {
                throw CartError(
                    .invalidQuantity,
                    "Quantity must be between 0 and \(limit)",
                    field: "items[\(index)].quantity"
                )
            }
            guard seen.insert(id).inserted else {
                throw CartError.invalidRequest("Item \(id) appears more than once", field: "items[\(index)].id")
            }
            entries.append((id, quantity))
        }
        let cart = try await self.store.bulkUpdate(
            entries,
            limits: entries.compactMap { self.limit(of: $0.itemID) },
            session: context.requireSession(),
            ifMatch: try Self.ifMatch(request),
            idempotencyKey: try Self.idempotencyKey(request)
        )
        return self.response(cart, context)
    }

    /// The cart as the request asked to see it (in its display currency, if any).
    private func response(_ cart: Cart, _ context: CartRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        CartResponse(cart: cart, context: context, baseCurrency: self.settings.currency, promotions: self.promotions)
            .response(status: status)
    }

    /// How far the line `itemID` may grow, from the catalog's entry for the product its id
    /// names; `nil` for a line whose id names none (made before ids did), or while the catalog
    /// has not been read (a line is then set as asked, and a checkout still checks the stock).
    private func limit(of itemID: CartItemID) -> LineLimit? {
        guard let productID = itemID.productID, self.products.isLoaded else { return nil }
        return LineLimit(productID: productID, product: self.products.product(id: productID))
    }

    /// The `{item_id}` path parameter; one that is not a UUID is CART_003.
    private static func itemID(_ context: CartRequestContext) throws -> CartItemID {
        guard let text = context.parameters.get("item_id"), let id = CartItemID(uuid: text) else {
            throw CartError.itemNotFound
        }
        return id
    }

    /// The request's `Idempotency-Key`, scoped to its method and path (the same key on another
    /// route is another request); 1 to 255 visible ASCII characters, else CART_005.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw CartError.invalidRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
                field: "Idempotency-Key"
            )
        }
        return "\(request.method) \(request.uri.path) \(key)"
    }

    /// The `If-Match` precondition, if any: met when one of its entity tags names the cart's
    /// version; `*` sets none. A tag that names no version matches nothing, so the change is 412
    /// like a stale one; a field that is not a list of entity tags is malformed (CART_005).
    static func ifMatch(_ request: Request) throws -> CartVersionPrecondition? {
        let values = request.headers[values: .ifMatch]
        guard !values.isEmpty else { return nil }
        guard let tags = EntityTags(values) else {
            throw CartError.invalidRequest("If-Match must be entity tags such as \"3\"", field: "If-Match")
        }
        return tags.isAny ? nil : CartVersionPrecondition(versions: tags.versions)
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` (IETF draft): a retried mutation carrying it is answered once.
    static let idempotencyKey = Self("Idempotency-Key")!
}
