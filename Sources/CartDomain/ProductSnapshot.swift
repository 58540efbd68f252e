/// What a cart needs to know about a product when a line is added.
public struct ProductSnapshot: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var price: Cents
    /// Units left to sell; `nil` means not tracked (unlimited).
    public var stock: Int?
    public var isActive: Bool

    public init(id: Int, name: String, price: Cents, stock: Int?, isActive: Bool) {
        self.id = id
        self.name = name
        self.price = price
        self.stock = stock
        self.isActive = isActive
    }
}
