/// What one shopper's cart must hold, kept by the shopper from the requests it made.
///
/// A shopper's requests run one after another, so every answer is predictable: a change the
/// caps allow must succeed and show exactly the model's lines; a change they refuse must get
/// the contract's error and change nothing. Anything else is a mismatch (a lost or doubled
/// update, a wrong total, a wrong error).
public struct CartModel: Sendable, Equatable {
    /// Units per product.
    public private(set) var quantities: [Int: Int] = [:]
    /// The cart's item id of each product, learned from the answers.
    public private(set) var itemIDs: [Int: String] = [:]
    public let limits: Limits

    /// The contract's caps (`CART_MAX_QUANTITY_PER_ITEM`, `CART_MAX_ITEMS`).
    public struct Limits: Sendable, Equatable {
        public var perLine: Int
        public var perCart: Int

        public init(perLine: Int = 99, perCart: Int = 100) {
            self.perLine = perLine
            self.perCart = perCart
        }
    }

    /// How a request must be answered.
    public enum Outcome: Sendable, Equatable {
        /// 200 or 201 with the changed cart (`created`: a new line, 201 on an add).
        case changed(created: Bool)
        /// An error with one of these codes, and no change.
        case refused(codes: Set<String>)
    }

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var units: Int { self.quantities.values.reduce(0, +) }

    public func subtotalCents(in catalog: Catalog) -> Int {
        self.quantities.reduce(0) { $0 + $1.value * (catalog[$1.key]?.priceCents ?? 0) }
    }

    /// The answer `POST /cart/items` must get (the store checks the line cap, then the cart
    /// cap, then the stock).
    public func predictAdd(_ product: CatalogProduct, quantity: Int) -> Outcome {
        let line = (self.quantities[product.id] ?? 0) + quantity
        var codes: Set<String> = []
        if line > self.limits.perLine { codes.insert("CART_001") }
        if self.units + quantity > self.limits.perCart { codes.insert("CART_004") }
        if let stock = product.stock, line > stock { codes.insert("CART_009") }
        return codes.isEmpty ? .changed(created: self.quantities[product.id] == nil) : .refused(codes: codes)
    }

    /// The answer `PUT /cart/items/{id}` must get (a line that grows is checked against the
    /// cart cap, then the stock).
    public func predictSet(_ product: CatalogProduct, quantity: Int) -> Outcome {
        let old = self.quantities[product.id] ?? 0
        if quantity > self.limits.perLine { return .refused(codes: ["CART_001"]) }
        guard quantity > old else { return .changed(created: false) }
        if self.units - old + quantity > self.limits.perCart { return .refused(codes: ["CART_004"]) }
        if let stock = product.stock, quantity > stock { return .refused(codes: ["CART_009"]) }
        return .changed(created: false)
    }

    public mutating func add(product: Int, quantity: Int) {
        self.quantities[product, default: 0] += quantity
    }

    public mutating func set(product: Int, quantity: Int) {
        if quantity == 0 { self.remove(product: product) } else { self.quantities[product] = quantity }
    }

    public mutating func remove(product: Int) {
        self.quantities[product] = nil
        self.itemIDs[product] = nil
    }

    /// Learns the item ids of the lines a cart answer shows.
    public mutating func learnItemIDs(from cart: CartSnapshot) {
        for line in cart.lines where self.quantities[line.productID] != nil {
            self.itemIDs[line.productID] = line.itemID
        }
    }

    /// Starts again from what the server holds (after an answer the model could not predict,
    /// so one fault is reported once, not again on every later request).
    public mutating func resynchronize(with cart: CartSnapshot) {
        self.quantities = cart.quantities
        self.itemIDs = Dictionary(cart.lines.map { ($0.productID, $0.itemID) }, uniquingKeysWith: { first, _ in first })
    }

    /// How a cart answer differs from the model, or `nil` when it matches exactly: the
    /// lines, the units and the subtotal at the catalog's prices.
    public func difference(from cart: CartSnapshot, catalog: Catalog) -> String? {
        var problems: [String] = []
        let seen = cart.quantities
        for product in Set(seen.keys).union(self.quantities.keys).sorted()
        where seen[product] != self.quantities[product] {
            problems.append("product \(product): expected \(self.quantities[product] ?? 0), got \(seen[product] ?? 0)")
        }
        if cart.totalItems != self.units {
            problems.append("total_items: expected \(self.units), got \(cart.totalItems)")
        }
        let subtotal = self.subtotalCents(in: catalog)
        if cart.subtotalCents != subtotal {
            problems.append("subtotal: expected \(subtotal) cents, got \(cart.subtotalCents)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
