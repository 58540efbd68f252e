import Foundation

/// What a CartResponse says, as far as the load driver checks it: the cart, its lines and
/// its totals, with money in integer cents.
public struct CartSnapshot: Sendable, Equatable {
    /// One line of the cart.
    public struct Line: Sendable, Equatable {
        public var itemID: String
        public var productID: Int
        public var quantity: Int
        public var unitCents: Int

        public init(itemID: String, productID: Int, quantity: Int, unitCents: Int) {
            self.itemID = itemID
            self.productID = productID
            self.quantity = quantity
            self.unitCents = unitCents
        }
    }

    public var id: String
    public var lines: [Line]
    public var totalItems: Int
    public var subtotalCents: Int

    /// Decodes a CartResponse body; `nil` when it is not one.
    public init?(json: Data) {
        guard let decoded = try? JSONDecoder().decode(Body.self, from: json) else { return nil }
        self.id = decoded.id
        self.lines = decoded.items.map {
            Line(itemID: $0.id, productID: $0.product_id, quantity: $0.quantity, unitCents: cents($0.unit_price))
        }
        self.totalItems = decoded.total_items
        self.subtotalCents = cents(decoded.subtotal)
    }

    public init(id: String, lines: [Line], totalItems: Int, subtotalCents: Int) {
        self.id = id
        self.lines = lines
        self.totalItems = totalItems
        self.subtotalCents = subtotalCents
    }

    /// Units of each product in the cart.
    public var quantities: [Int: Int] {
        Dictionary(self.lines.map { ($0.productID, $0.quantity) }, uniquingKeysWith: +)
    }

    private struct Body: Decodable {
        struct Item: Decodable {
            var id: String
            var product_id: Int
            var quantity: Int
            var unit_price: Double
        }
        var id: String
        var items: [Item]
        var total_items: Int
        var subtotal: Double
    }
}

/// A JSON money amount (at most two decimals) in integer cents.
func cents(_ amount: Double) -> Int {
    Int((amount * 100).rounded())
}
