import CartDomain
import Catalog
import Hummingbird

/// The public catalog: `GET /products/` (limit/offset) and `GET /products/{id}`, read from
/// PostgreSQL so they show the catalog as it is now.
struct ProductController {
    let repository: ProductRepository

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get(use: self.list)
        group.get("{id}", use: self.show)
    }

    @Sendable func list(request: Request, context: CartRequestContext) async throws -> Response {
        let limit = try Self.integer(request, "limit", default: 100, range: 1...1000)
        let offset = try Self.integer(request, "offset", default: 0, range: 0...Int(Int32.max))
        let products = try await self.repository.list(limit: limit, offset: offset)
        return JSONBody.response(products.map(ProductResponse.init))
    }

    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int(text), id > 0, id <= Int(Int32.max), let product = try await self.repository.product(id: id)
        else {
            throw CartError(.productNotFound, "Product \(text) not found", field: "id")
        }
        return JSONBody.response(ProductResponse(product))
    }

    private static func integer(
        _ request: Request,
        _ name: String,
        default value: Int,
        range: ClosedRange<Int>
    ) throws -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw CartError.invalidRequest(
                "\(name) must be a whole number between \(range.lowerBound) and \(range.upperBound)",
                field: name
            )
        }
        return number
    }
}

/// A product as the API shows it.
struct ProductResponse: Encodable {
    let product: Product

    init(_ product: Product) {
        self.product = product
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.product.id, forKey: .id)
        try container.encode(self.product.name, forKey: .name)
        try container.encode(self.product.price.decimalValue, forKey: .price)
        try container.encode(self.product.stock, forKey: .stock)
        try container.encode(self.product.isActive, forKey: .isActive)
        try container.encode(Timestamp.iso8601(milliseconds: self.product.createdAt), forKey: .createdAt)
        try container.encode(Timestamp.iso8601(milliseconds: self.product.updatedAt), forKey: .updatedAt)
    }

    private enum Keys: String, CodingKey {
        case id, name, price, stock
        case isActive = "is_active"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
