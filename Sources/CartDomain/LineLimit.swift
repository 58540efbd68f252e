/// How far a cart line of one product may grow, as the catalog says now.
///
/// An add names its product, and the add's script gets the product's stock. A change that
/// names only a line (`PUT /cart/items/{item_id}`, the bulk route, moving a saved line back)
/// learns the product from the line's id (``CartItemID/productID``) and gets this for it, so
/// that the line grows within the same limits in the same single script. Lowering a line is
/// never limited.
public struct LineLimit: Sendable, Hashable {
    /// What the product may sell.
    public enum Availability: Sendable, Hashable {
        /// On sale, stock not tracked: no limit.
        case unlimited
        /// On sale, with these units left to sell.
        case inStock(Int)
        /// Inactive or deleted: the line may not grow.
        case offSale

        /// What the catalog's `product` may sell (`nil`: unknown or deleted).
        public init(_ product: ProductSnapshot?) {
            self =
                switch product {
                case .some(let product) where product.isActive: product.stock.map(Self.inStock) ?? .unlimited
                default: .offSale
                }
        }
    }

    /// The product it is for: it limits that product's line only.
    public var productID: Int
    /// What that product may sell now.
    public var availability: Availability

    /// The limit for the line of `productID`: what `availability` allows.
    public init(productID: Int, availability: Availability) {
        self.productID = productID
        self.availability = availability
    }

    /// The limit for `productID` from the catalog's `product` (`nil`: unknown or deleted).
    public init(productID: Int, product: ProductSnapshot?) {
        self.init(productID: productID, availability: Availability(product))
    }
}
