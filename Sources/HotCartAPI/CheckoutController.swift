import CartDomain
import Catalog
import Checkout
import Hummingbird
import Promotions

/// Checkout handoff: `POST /cart/checkout` turns the caller's cart into a checkout with its
/// stock reserved; `GET /checkouts/{id}`, `POST /checkouts/{id}/complete` and
/// `POST /checkouts/{id}/cancel` for the same owner (another's checkout is 404 CART_014).
/// Each takes `?currency=` as the cart routes do: the checkout is kept and charged in the base
/// currency, and shown in the display currency.
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
        let checkout: Checkout
        do {
            checkout = try await self.service.checkout(
                session: context.requireSession(),
                ifMatch: try CartController.ifMatch(request),
                idempotencyKey: try CartController.idempotencyKey(request)
            )
        } catch let conflict as CheckoutConflict {
            return ErrorResponder.response(for: conflict, display: MoneyDisplay(currency: context.displayCurrency))
        }
        await self.reloadCaches(after: checkout)
        return CheckoutResponse(checkout: checkout, context: context).response(status: .created)
    }

    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.checkout(Self.id(context), session: context.requireSession())
        return CheckoutResponse(checkout: checkout, context: context).response()
    }

    @Sendable func complete(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.complete(Self.id(context), session: context.requireSession())
        return CheckoutResponse(checkout: checkout, context: context).response()
    }

    @Sendable func cancel(request: Request, context: CartRequestContext) async throws -> Response {
        let checkout = try await self.service.cancel(Self.id(context), session: context.requireSession())
        await self.reloadCaches(after: checkout)
        return CheckoutResponse(checkout: checkout, context: context).response()
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

/// A checkout as the API shows it: an order-ready snapshot a payment step can use. In a
/// display currency its figures add up as a cart's do (see ``CartResponse``).
struct CheckoutResponse {
    let checkout: Checkout
    let display: MoneyDisplay

    /// The checkout in the request's display currency (`?currency=`), or as kept.
    init(checkout: Checkout, context: CartRequestContext) {
        self.checkout = checkout
        self.display = MoneyDisplay(currency: context.displayCurrency)
    }

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
        for item in self.checkout.items { CartItemResponse(item: item, display: self.display).write(into: &writer) }
        writer.endArray()
        let subtotal = self.display.subtotal(of: self.checkout.items)
        let discount = self.display.discount(self.checkout.discount, subtotal: subtotal)
        writer.key("subtotal")
        self.display.write(subtotal, into: &writer)
        writer.key("discount")
        self.display.write(discount, into: &writer)
        writer.key("total")
        self.display.write(subtotal - discount, into: &writer)
        writer.key("currency")
        writer.string(self.display.currency?.code ?? self.checkout.currency)
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
