import CartDomain
import Hummingbird
import Promotions

/// The contract's CartResponse: the PyShop seed's fields plus summary, saved items, version,
/// currency, warnings and the promotion fields.
///
/// In a display currency every line's unit price is converted, its total is that price times
/// the quantity, and the subtotal is the sum of the totals shown, so the figures a shopper
/// sees add up; the discount is the base discount converted.
struct CartResponse {
    let cart: Cart
    let currency: String
    let pricing: CartPricing
    var warnings: [CartWarning] = []
    var display: MoneyDisplay = .base

    /// The answer to a cart request: this cart as JSON, its version as the `ETag` (so a
    /// storefront can send a change's answer back as the next change's `If-Match`).
    func response(status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(capacity: 512 + self.cart.items.count * 256)
        self.write(into: &writer)
        return writer.response(status: status, entityTag: self.cart.entityTag)
    }

    func write(into writer: inout JSONWriter) {
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
        var subtotal: Int64 = 0
        for item in self.cart.items {
            let line = CartItemResponse(item: item, display: self.display)
            line.write(into: &writer)
            subtotal = subtotal.clampedAdding(line.total)
        }
        writer.endArray()
        writer.key("saved_items")
        writer.beginArray()
        for item in self.cart.savedItems { CartItemResponse(item: item, display: self.display).write(into: &writer) }
        writer.endArray()
        writer.key("total_items")
        writer.integer(self.cart.totalQuantity)
        writer.key("subtotal")
        self.display.write(subtotal, into: &writer)
        writer.key("summary")
        CartSummaryResponse(cart: self.cart, currency: self.currency, display: self.display)
            .write(into: &writer, subtotal: subtotal)
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
        let discount = self.display.discount(self.pricing.discount, subtotal: subtotal)
        writer.key("discount")
        self.display.write(discount, into: &writer)
        writer.key("total")
        self.display.write(subtotal - discount, into: &writer)
        writer.key("created_at")
        writer.timestamp(milliseconds: self.cart.createdAt)
        writer.key("updated_at")
        writer.timestamp(milliseconds: self.cart.updatedAt)
        writer.key("expires_at")
        writer.timestamp(milliseconds: self.cart.expiresAt)
        writer.endObject()
    }
}

extension CartResponse {
    /// The cart as the request asked to see it: priced with the cached promotion codes, in
    /// the request's display currency (`?currency=`) or else in `baseCurrency`.
    init(
        cart: Cart,
        context: CartRequestContext,
        baseCurrency: String,
        promotions: PromoCodeCache,
        warnings: [CartWarning] = []
    ) {
        self.init(
            cart: cart,
            currency: context.displayCurrency?.code ?? baseCurrency,
            pricing: CartPricing(cart: cart, promotions: promotions),
            warnings: warnings,
            display: MoneyDisplay(currency: context.displayCurrency)
        )
    }
}

/// How a response shows money: as stored (base-currency cents), or converted to a display
/// currency and written with that currency's minor units.
struct MoneyDisplay: Sendable {
    /// `nil`: the base currency.
    let currency: DisplayCurrency?

    static let base = MoneyDisplay(currency: nil)

    /// `amount` in the shown currency's smallest unit.
    func amount(_ amount: Cents) -> Int64 {
        self.currency.map { $0.convert(amount) } ?? amount.value
    }

    /// `amount` as text in the shown currency, for messages: `5.99`, `907` (yen).
    func text(_ amount: Cents) -> String {
        self.currency.map { $0.text(minor: $0.convert(amount)) } ?? amount.description
    }

    /// A line's total shown: its unit price shown times its quantity.
    func lineTotal(unitPrice: Cents, quantity: Int) -> Int64 {
        let (total, overflow) = self.amount(unitPrice).multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? .max : total
    }

    /// The subtotal shown: the sum of the line totals shown.
    func subtotal(of items: [CartItem]) -> Int64 {
        self.subtotal(of: items, unitPrice: \.unitPrice, quantity: \.quantity)
    }

    /// The subtotal shown of any lines (a cart's, a shared cart's): the sum of their totals shown.
    func subtotal<Line>(of lines: [Line], unitPrice: (Line) -> Cents, quantity: (Line) -> Int) -> Int64 {
        lines.reduce(Int64(0)) { $0.clampedAdding(self.lineTotal(unitPrice: unitPrice($1), quantity: quantity($1))) }
    }

    /// The discount shown: the base discount converted, never more than the subtotal shown.
    func discount(_ discount: Cents, subtotal: Int64) -> Int64 {
        min(self.amount(discount), subtotal)
    }

    /// `amount` shown, in major units, for answers written by `Encodable` (exact: IEEE division
    /// rounds to the double nearest the decimal, which prints as that decimal).
    func number(_ amount: Cents) -> Double {
        guard let currency = self.currency else { return amount.decimalValue }
        var scale = 1.0
        for _ in 0..<currency.minorUnits { scale *= 10 }
        return Double(currency.convert(amount)) / scale
    }

    /// Writes an amount in the shown currency's smallest unit as a JSON number.
    func write(_ minor: Int64, into writer: inout JSONWriter) {
        if let currency = self.currency {
            writer.money(minor: minor, minorUnits: currency.minorUnits)
        } else {
            writer.money(Cents(minor))
        }
    }
}

/// One cart line as the API shows it.
struct CartItemResponse {
    let item: CartItem
    var display: MoneyDisplay = .base

    /// The unit price shown, and the line total: that price times the quantity.
    var unit: Int64 { self.display.amount(self.item.unitPrice) }
    var total: Int64 { self.display.lineTotal(unitPrice: self.item.unitPrice, quantity: self.item.quantity) }

    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.uuid(self.item.id)
        writer.key("product_id")
        writer.integer(self.item.productID)
        writer.key("product_name")
        writer.string(self.item.productName)
        writer.key("quantity")
        writer.integer(self.item.quantity)
        writer.key("unit_price")
        self.display.write(self.unit, into: &writer)
        writer.key("total_price")
        self.display.write(self.total, into: &writer)
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
    var display: MoneyDisplay = .base

    func response() -> Response {
        var writer = JSONWriter(capacity: 128)
        self.write(into: &writer, subtotal: self.display.subtotal(of: self.cart.items))
        return writer.response()
    }

    /// `subtotal`: the sum of the line totals as shown.
    func write(into writer: inout JSONWriter, subtotal: Int64) {
        let units = self.cart.totalQuantity
        writer.beginObject()
        writer.key("total_items")
        writer.integer(units)
        writer.key("total_lines")
        writer.integer(self.cart.totalLines)
        writer.key("total_quantity")
        writer.integer(units)
        writer.key("subtotal")
        self.display.write(subtotal, into: &writer)
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
    var itemID: CartItemID?

    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("code")
        writer.string(self.code)
        writer.key("message")
        writer.string(self.message)
        writer.key("product_id")
        if let productID = self.productID { writer.integer(productID) } else { writer.null() }
        writer.key("item_id")
        writer.uuid(self.itemID)
        writer.endObject()
    }
}

extension Int64 {
    /// The sum, or `Int64.max` where it would overflow (an absurd rate on a huge cart shows the
    /// largest amount rather than trapping).
    fileprivate func clampedAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = self.addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

extension Cart {
    /// The cart's version as an HTTP entity tag, `"7"`: the `ETag` of every cart answer.
    var entityTag: String { "\"\(self.version)\"" }
}
