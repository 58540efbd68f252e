import CartDomain

/// A product as the catalog API shows it.
public struct Product: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var price: Cents
    /// Units left to sell; `nil` when stock is not tracked.
    public var stock: Int?
    public var isActive: Bool
    /// Milliseconds since 1970.
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: Int, name: String, price: Cents, stock: Int?, isActive: Bool, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.price = price
        self.stock = stock
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What a cart line needs from this product.
    public var snapshot: ProductSnapshot {
        ProductSnapshot(id: self.id, name: self.name, price: self.price, stock: self.stock, isActive: self.isActive)
    }
}
