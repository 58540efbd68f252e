import CartDomain
import Logging

/// The 100 demo products `hotcart seed` inserts (idempotent: names are unique).
public enum DemoCatalog {
    static let adjectives = [
        "Classic", "Organic", "Compact", "Deluxe", "Rugged", "Silent", "Bright", "Vintage", "Smart", "Travel",
    ]
    static let nouns = [
        "Mug", "Backpack", "Lamp", "Notebook", "Headphones", "Kettle", "Sneakers", "Blanket", "Water Bottle",
        "Desk Chair",
    ]

    /// The demo products, each with a price that ends in .99 or .49 and a stock level: 1,000
    /// to 1,999 units, or (every 25th) not tracked, so that a shopper meets the cart's caps
    /// (99 a line, 100 a cart) before any product's stock, even after many checkouts.
    public static var products: [(name: String, price: Cents, stock: Int?)] {
        var result: [(String, Cents, Int?)] = []
        for (a, adjective) in adjectives.enumerated() {
            for (n, noun) in nouns.enumerated() {
                let index = a * nouns.count + n
                let dollars = Int64(5 + (index * 37) % 195)
                let cents: Int64 = index % 2 == 0 ? 99 : 49
                let stock: Int? = index % 25 == 24 ? nil : 1000 + (index * 13) % 1000
                result.append(("\(adjective) \(noun)", Cents(dollars * 100 + cents), stock))
            }
        }
        return result
    }

    /// Inserts the demo products that are missing; returns how many it inserted.
    @discardableResult
    public static func seed(into repository: ProductRepository) async throws -> Int {
        var inserted = 0
        for product in products
        where try await repository.insertIfAbsent(name: product.name, price: product.price, stock: product.stock) {
            inserted += 1
        }
        return inserted
    }
}
