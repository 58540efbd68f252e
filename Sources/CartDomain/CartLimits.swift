/// The caps every cart change is checked against, inside the same atomic step that makes it.
public struct CartLimits: Sendable, Hashable {
    /// Most units on one line (`CART_MAX_QUANTITY_PER_ITEM`).
    public var maxQuantityPerItem: Int
    /// Most units in one cart, summed over its lines (`CART_MAX_ITEMS`).
    public var maxItems: Int

    public init(maxQuantityPerItem: Int = 99, maxItems: Int = 100) {
        self.maxQuantityPerItem = maxQuantityPerItem
        self.maxItems = maxItems
    }
}
