import CartDomain

/// A read-only snapshot of a cart's lines, shared by an unguessable id until it expires. It
/// holds nothing that names the cart or its owner.
public struct CartShare: Sendable, Hashable {
    /// One shared line: a product, how many, at what unit price when it was shared.
    public struct Line: Sendable, Hashable {
        public var productID: Int
        public var productName: String
        public var quantity: Int
        public var unitPrice: Cents

        public init(productID: Int, productName: String, quantity: Int, unitPrice: Cents) {
            self.productID = productID
            self.productName = productName
            self.quantity = quantity
            self.unitPrice = unitPrice
        }
    }

    /// 128 random bits (16 random bytes), base64url: 22 characters.
    public var id: String
    public var lines: [Line]
    /// Milliseconds since 1970.
    public var createdAt: Int64
    public var expiresAt: Int64

    public var subtotal: Cents { self.lines.reduce(.zero) { $0 + $1.unitPrice * $1.quantity } }

    /// A new share of `cart`'s lines (not the lines saved for later), with a fresh id.
    public init(of cart: Cart, now: Int64, lifetimeMilliseconds: Int64) {
        self.id = RandomID.token(bytes: 16)
        self.lines = cart.items.map {
            Line(productID: $0.productID, productName: $0.productName, quantity: $0.quantity, unitPrice: $0.unitPrice)
        }
        self.createdAt = now
        self.expiresAt = now + lifetimeMilliseconds
    }

    init(id: String, lines: [Line], createdAt: Int64, expiresAt: Int64) {
        self.id = id
        self.lines = lines
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
