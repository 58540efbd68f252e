import CartDomain
import Catalog
import Checkout
import Hummingbird
import Promotions

/// Checkout handoff: `POST /cart/checkout` turns the caller's cart into a checkout with its
/// stock reserved; `GET /checkouts/{id}`, `POST /checkouts/{id}/complete` and
/// `POST /checkouts/{id}/cancel` for the same owner (another's checkout is 404 CART_014).
///
/// A reservation and a cancel change stock and a promotion code's uses, so they reload this
/// process's product and code caches before answering: the next add sees what is left to sell,
/// as `GET /products/` does, and the next cart to apply the code sees the uses left (other
/// processes see both within a second, through their caches' periodic reload).
struct CheckoutController {
    let service: CheckoutService
    let products: ProductCache
    let promotions: PromoCodeCache

    /// `POST /cart/checkout`, on the cart group (its owner middleware resolves the caller).
    func addCartRoutes(to group: RouterGroup<CartRequestContext>) {
        group.post("checkout", use: self.create)
    }

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get("{id}", use: self.show)
        group.post("{id}/complete", use: self.complete)
        group.post("{id}/cancel", use: self.cancel)
    }

    @Sendable func create(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.checkout(
            session: context.requireSession(),
            ifMatch: try CartController.ifMatch(request),
            idempotencyKey: try CartController.idempotencyKey(request)
        )
        await self.reloadCaches(after: checkout)
        return CheckoutResponse(checkout: checkout).response(status: .created)
    }

    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.checkout(Self.id(context), session: context.requireSession())
        return CheckoutResponse(checkout: checkout).response()
    }

    @Sendable func complete(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.complete(Self.id(context), session: context.requireSession())
        return CheckoutResponse(checkout: checkout).response()
    }

    @Sendable func cancel(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.cancel(Self.id(context), session: context.requireSession())
        await self.reloadCaches(after: checkout)
        return CheckoutResponse(checkout: checkout).response()
    }

    /// Reloads what a reservation or its end changed: the stock, and the uses of its code.
    private func reloadCaches(after checkout: Checkout) async {
        try? await self.products.refresh()
        if checkout.promoCode != nil { try? await self.promotions.refresh() }
    }

    private static func id(_ context: CartRequestContext) -> String {
        context.parameters.get("id") ?? ""
    }
}

/// A checkout as the API shows it: an order-ready snapshot a payment step can use.
struct CheckoutResponse {
    let checkout: Checkout

    func response(status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(capacity: 512 + self.checkout.items.count * 256)
        writer.beginObject()
        writer.key("checkout_id")
        writer.string(self.checkout.id)
        writer.key("cart_id")
        writer.string(self.checkout.cartID)
        writer.key("status")
        writer.string(self.checkout.status.rawValue)
        writer.key("items")
        writer.beginArray()
        for item in self.checkout.items { CartItemResponse(item: item).write(into: &writer) }
        writer.endArray()
        writer.key("subtotal")
        writer.money(self.checkout.subtotal)
        writer.key("discount")
        writer.money(self.checkout.discount)
        writer.key("total")
        writer.money(self.checkout.total)
        writer.key("currency")
        writer.string(self.checkout.currency)
        writer.key("promo_code")
        writer.string(self.checkout.promoCode)
        writer.key("reserved_until")
        writer.timestamp(milliseconds: self.checkout.reservedUntil)
        writer.key("created_at")
        writer.timestamp(milliseconds: self.checkout.createdAt)
        writer.key("updated_at")
        writer.timestamp(milliseconds: self.checkout.updatedAt)
        writer.endObject()
        return writer.response(status: status)
    }
}
