import CartDomain
import Hummingbird

/// A cart checked against the catalog as it is now (`POST /cart/validate`): a product deleted,
/// inactive or short of stock is an error (the cart cannot be bought as it is); a price changed
/// since the line's snapshot is a warning, with the line as it would be at today's price.
/// Prices are shown (in `updated_items` and the messages) as `display` says.
struct CartValidation {
    var errors: [CartWarning] = []
    var warnings: [CartWarning] = []
    /// Lines whose price changed, at the current price.
    var updatedItems: [CartItem] = []
    let display: MoneyDisplay

    var isValid: Bool { self.errors.isEmpty }

    /// `product` is the catalog (the in-process cache: current within a second).
    init(cart: Cart, display: MoneyDisplay = .base, product: (Int) -> ProductSnapshot?) {
        self.display = display
        for item in cart.items {
            guard let current = product(item.productID) else {
                self.errors.append(
                    CartWarning(
                        code: "PRODUCT_NOT_FOUND",
                        message: "\(item.productName) is no longer sold",
                        productID: item.productID,
                        itemID: item.id
                    )
                )
                continue
            }
            if !current.isActive {
                self.errors.append(
                    CartWarning(
                        code: "PRODUCT_UNAVAILABLE",
                        message: "\(current.name) is not available",
                        productID: item.productID,
                        itemID: item.id
                    )
                )
            } else if let stock = current.stock, stock < item.quantity {
                self.errors.append(
                    CartWarning(
                        code: "INSUFFICIENT_STOCK",
                        message: stock == 0
                            ? "\(current.name) is out of stock"
                            : "Only \(stock) of \(current.name) left (\(item.quantity) in the cart)",
                        productID: item.productID,
                        itemID: item.id
                    )
                )
            }
            if current.price != item.unitPrice {
                self.warnings.append(
                    CartWarning(
                        code: "PRICE_CHANGED",
                        message:
                            "The price of \(current.name) changed from \(display.text(item.unitPrice)) to \(display.text(current.price))",
                        productID: item.productID,
                        itemID: item.id
                    )
                )
                var updated = item
                updated.unitPrice = current.price
                self.updatedItems.append(updated)
            }
        }
    }

    func response() -> Response {
        var writer = JSONWriter(
            capacity: 256 + (self.errors.count + self.warnings.count) * 160 + self.updatedItems.count * 256
        )
        self.write(into: &writer)
        return writer.response()
    }

    func write(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("is_valid")
        writer.bool(self.isValid)
        writer.key("errors")
        writer.beginArray()
        for error in self.errors { error.write(into: &writer) }
        writer.endArray()
        writer.key("warnings")
        writer.beginArray()
        for warning in self.warnings { warning.write(into: &writer) }
        writer.endArray()
        writer.key("updated_items")
        writer.beginArray()
        for item in self.updatedItems { CartItemResponse(item: item, display: self.display).write(into: &writer) }
        writer.endArray()
        writer.endObject()
    }
}
