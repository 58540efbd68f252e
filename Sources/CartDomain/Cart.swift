/// A cart's lifecycle state, as stored and as reported.
public enum CartStatus: String, Sendable, Hashable, Codable {
    case active, abandoned, converted, expired
}

/// One line of a cart: a product, how many units, and the unit price when it was added.
public struct CartItem: Sendable, Hashable {
    /// Unique within the cart and stable for the line's life.
    public var id: CartItemID
    public var productID: Int
    public var productName: String
    public var quantity: Int
    /// The price snapshot taken when the line was made.
    public var unitPrice: Cents
    /// Milliseconds since 1970.
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: CartItemID,
        productID: Int,
        productName: String,
        quantity: Int,
        unitPrice: Cents,
        createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.productID = productID
        self.productName = productName
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var totalPrice: Cents { self.unitPrice * self.quantity }
}

/// A whole cart as read in one step: every field is from the same version.
public struct Cart: Sendable, Hashable {
    public var id: String
    public var owner: CartOwner
    /// An opaque reference to the guest session (never the cookie secret), or `nil` for users.
    public var sessionReference: String?
    public var status: CartStatus
    /// Grows by one with every change; the ETag and the `If-Match` precondition.
    public var version: Int64
    public var items: [CartItem]
    /// Lines saved for later: kept with the cart, outside its totals and caps.
    public var savedItems: [CartItem]
    /// The promotion code the cart holds (as the code was created), if any.
    public var promoCode: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// When a guest cart expires if untouched; `nil` for user carts.
    public var expiresAt: Int64?

    public init(
        id: String,
        owner: CartOwner,
        sessionReference: String?,
        status: CartStatus,
        version: Int64,
        items: [CartItem],
        savedItems: [CartItem] = [],
        promoCode: String? = nil,
        createdAt: Int64,
        updatedAt: Int64,
        expiresAt: Int64?
    ) {
        self.id = id
        self.owner = owner
        self.sessionReference = sessionReference
        self.status = status
        self.version = version
        self.items = items
        self.savedItems = savedItems
        self.promoCode = promoCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }

    /// Units in the cart: the sum of the quantities.
    public var totalQuantity: Int { self.items.reduce(0) { $0 + $1.quantity } }
    /// Distinct products in the cart.
    public var totalLines: Int { self.items.count }
    public var subtotal: Cents { self.items.reduce(.zero) { $0 + $1.totalPrice } }
}
