import CartDomain

/// The contract's CartResponse: the PyShop seed's fields plus summary, saved items, version,
/// currency, warnings and the promotion fields (no promotion yet: `null`, 0, total = subtotal).
struct CartResponse: Encodable {
    let cart: Cart
    let currency: String
    var warnings: [CartWarning] = []

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        let subtotal = self.cart.subtotal
        let summary = CartSummaryResponse(cart: self.cart, currency: self.currency)
        try container.encode(self.cart.id, forKey: .id)
        try container.encode(self.cart.owner.userID, forKey: .userID)
        try container.encode(self.cart.sessionReference, forKey: .sessionID)
        try container.encode(self.cart.status.rawValue, forKey: .status)
        try container.encode(self.cart.items.map(CartItemResponse.init), forKey: .items)
        try container.encode([CartItemResponse](), forKey: .savedItems)
        try container.encode(summary.totalItems, forKey: .totalItems)
        try container.encode(subtotal.decimalValue, forKey: .subtotal)
        try container.encode(summary, forKey: .summary)
        try container.encode(self.currency, forKey: .currency)
        try container.encode(self.cart.version, forKey: .version)
        try container.encode(self.warnings, forKey: .warnings)
        try container.encode(String?.none, forKey: .promoCode)
        try container.encode(0, forKey: .discount)
        try container.encode(subtotal.decimalValue, forKey: .total)
        try container.encode(Timestamp.iso8601(milliseconds: self.cart.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.iso8601(milliseconds: self.cart.updatedAt), forKey: .updatedAt)
        try container.encode(self.cart.expiresAt.map { Timestamp.iso8601(milliseconds: $0) }, forKey: .expiresAt)
    }

    private enum Keys: String, CodingKey {
        case id, status, items, subtotal, summary, currency, version, warnings, discount, total
        case userID = "user_id"
        case sessionID = "session_id"
        case savedItems = "saved_items"
        case totalItems = "total_items"
        case promoCode = "promo_code"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case expiresAt = "expires_at"
    }
}

/// One cart line as the API shows it.
struct CartItemResponse: Encodable {
    let item: CartItem

    init(_ item: CartItem) {
        self.item = item
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.item.id, forKey: .id)
        try container.encode(self.item.productID, forKey: .productID)
        try container.encode(self.item.productName, forKey: .productName)
        try container.encode(self.item.quantity, forKey: .quantity)
        try container.encode(self.item.unitPrice.decimalValue, forKey: .unitPrice)
        try container.encode(self.item.totalPrice.decimalValue, forKey: .totalPrice)
        try container.encode(Timestamp.iso8601(milliseconds: self.item.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.iso8601(milliseconds: self.item.updatedAt), forKey: .updatedAt)
    }

    private enum Keys: String, CodingKey {
        case id, quantity
        case productID = "product_id"
        case productName = "product_name"
        case unitPrice = "unit_price"
        case totalPrice = "total_price"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `GET /cart/summary`, and the `summary` inside a CartResponse.
struct CartSummaryResponse: Encodable {
    let totalItems: Int
    let totalLines: Int
    let subtotal: Double
    let currency: String

    init(cart: Cart, currency: String) {
        self.totalItems = cart.totalQuantity
        self.totalLines = cart.totalLines
        self.subtotal = cart.subtotal.decimalValue
        self.currency = currency
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.totalItems, forKey: .totalItems)
        try container.encode(self.totalLines, forKey: .totalLines)
        try container.encode(self.totalItems, forKey: .totalQuantity)
        try container.encode(self.subtotal, forKey: .subtotal)
        try container.encode(self.currency, forKey: .currency)
    }

    private enum Keys: String, CodingKey {
        case subtotal, currency
        case totalItems = "total_items"
        case totalLines = "total_lines"
        case totalQuantity = "total_quantity"
    }
}

/// An entry of `warnings`: about one line or product.
struct CartWarning: Encodable {
    var code: String
    var message: String
    var productID: Int?
    var itemID: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.code, forKey: .code)
        try container.encode(self.message, forKey: .message)
        try container.encode(self.productID, forKey: .productID)
        try container.encode(self.itemID, forKey: .itemID)
    }

    private enum Keys: String, CodingKey {
        case code, message
        case productID = "product_id"
        case itemID = "item_id"
    }
}
