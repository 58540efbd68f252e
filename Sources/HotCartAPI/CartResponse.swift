import CartDomain
import Hummingbird

/// The contract's CartResponse: the PyShop seed's fields plus summary, saved items, version,
/// currency, warnings and the promotion fields.
struct CartResponse {
    let cart: Cart
    let currency: String
    let pricing: CartPricing
    var warnings: [CartWarning] = []

    /// The answer to a cart request: this cart as JSON.
    func response(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var writer = JSONWriter(capacity: 512 + self.cart.items.count * 256)
        self.write(into: &writer)
        return writer.response(status: status, headers: headers)
    }

    func write(into writer: inout JSONWriter) {
        let subtotal = self.cart.subtotal
        writer.beginObject()
        writer.key("id")
        writer.string(self.cart.id)
        writer.key("user_id")
        writer.string(self.cart.owner.userID)
        writer.key("session_id")
        writer.string(self.cart.sessionReference)
        writer.key("status")
        writer.string(self.cart.status.rawValue)
        writer.key("items")
        writer.beginArray()
        for item in self.cart.items { CartItemResponse(item: item).write(into: &writer) }
        writer.endArray()
        writer.key("saved_items")
        writer.beginArray()
        for item in self.cart.savedItems { CartItemResponse(item: item).write(into: &writer) }
        writer.endArray()
        writer.key("total_items")
        writer.integer(self.cart.totalQuantity)
        writer.key("subtotal")
        writer.money(subtotal)
        writer.key("summary")
        CartSummaryResponse(cart: self.cart, currency: self.currency).write(into: &writer)
        writer.key("currency")
        writer.string(self.currency)
        writer.key("version")
        writer.integer(self.cart.version)
        writer.key("warnings")
        writer.beginArray()
        for warning in self.warnings { warning.write(into: &writer) }
        if let warning = self.pricing.warning { warning.write(into: &writer) }
        writer.endArray()
        writer.key("promo_code")
        writer.string(self.pricing.promoCode)
        writer.key("discount")
        writer.money(self.pricing.discount)
        writer.key("total")
        writer.money(self.pricing.total)
        writer.key("created_at")
        writer.timestamp(milliseconds: self.cart.createdAt)
        writer.key("updated_at")
        writer.timestamp(milliseconds: self.cart.updatedAt)
        writer.key("expires_at")
        writer.timestamp(milliseconds: self.cart.expiresAt)
        writer.endObject()
    }
}

/// One cart line as the API shows it.
struct CartItemResponse {
    let item: CartItem

    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(self.item.id)
        writer.key("product_id")
        writer.integer(self.item.productID)
        writer.key("product_name")
        writer.string(self.item.productName)
        writer.key("quantity")
        writer.integer(self.item.quantity)
        writer.key("unit_price")
        writer.money(self.item.unitPrice)
        writer.key("total_price")
        writer.money(self.item.totalPrice)
        writer.key("created_at")
        writer.timestamp(milliseconds: self.item.createdAt)
        writer.key("updated_at")
        writer.timestamp(milliseconds: self.item.updatedAt)
        writer.endObject()
    }
}

/// `GET /cart/summary`, and the `summary` inside a CartResponse.
struct CartSummaryResponse {
    let cart: Cart
    let currency: String

    func response() -> Response {
        var writer = JSONWriter(capacity: 128)
        self.write(into: &writer)
        return writer.response()
    }

    func write(into writer: inout JSONWriter) {
        let units = self.cart.totalQuantity
        writer.beginObject()
        writer.key("total_items")
        writer.integer(units)
        writer.key("total_lines")
        writer.integer(self.cart.totalLines)
        writer.key("total_quantity")
        writer.integer(units)
        writer.key("subtotal")
        writer.money(self.cart.subtotal)
        writer.key("currency")
        writer.string(self.currency)
        writer.endObject()
    }
}

/// An entry of `warnings`: about one line or product.
struct CartWarning {
    var code: String
    var message: String
    var productID: Int?
    var itemID: String?

    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        writer.string(self.code)
        writer.key("message")
        writer.string(self.message)
        writer.key("product_id")
        if let productID = self.productID { writer.integer(productID) } else { writer.null() }
        writer.key("item_id")
        writer.string(self.itemID)
        writer.endObject()
    }
}
