import CartDomain
import Catalog
import Database
import Deadline
import Foundation
import HTTPTypes
import Hummingbird

/// The catalog: public `GET /products/` (limit/offset) and `GET /products/{id}` (prices in the
/// display currency asked for with `?currency=`, as on a cart), read from PostgreSQL so they
/// show the catalog as it is now (a reservation's stock at once), or, when PostgreSQL does not
/// answer within `freshReadTimeout`, from the catalog this process last read (marked by the
/// ``cachedCatalogFields`` header), so that the storefront keeps selling through an outage as the
/// carts do; `POST /products/`, `PUT|PATCH /products/{id}` and `DELETE /products/{id}` for
/// superusers. This process's carts see a change at once (the product cache is reloaded after the
/// write), other processes' within a second, through their caches' periodic reload.
struct ProductController {
    let repository: ProductRepository
    let authenticator: Authenticator
    let products: ProductCache
    /// How long a catalog read waits for PostgreSQL before it answers from the cache.
    let freshReadTimeout: Duration

    /// `X-HotCart-Catalog: cached` on a catalog read answered from the catalog last read.
    static let cachedCatalogFields: HTTPFields = [HTTPField.Name("X-HotCart-Catalog")!: "cached"]

    /// The public reads, on a group that reads the display currency (`?currency=`).
    func addReadRoutes(to group: RouterGroup<CartRequestContext>) {
        group.get(use: self.list)
        group.get("{id}", use: self.show)
    }

    /// The superusers' writes, which take and answer prices in the base currency.
    func addWriteRoutes(to group: RouterGroup<CartRequestContext>) {
        group.post(use: self.create)
        group.put("{id}", use: self.replace)
        group.patch("{id}", use: self.update)
        group.delete("{id}", use: self.delete)
    }

    /// The fields of `POST` and `PUT` (name and price required) and of `PATCH` (all optional).
    private struct Body: Decodable {
        var name: String?
        var price: PriceInput?
        var stock: WholeNumberInput??
        var isActive: Bool?

        enum CodingKeys: String, CodingKey {
            case name, price, stock
            case isActive = "is_active"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Only stock may be null (not tracked); a null elsewhere is a wrong type.
            for key in [CodingKeys.name, .price, .isActive] where container.contains(key) {
                if try container.decodeNil(forKey: key) {
                    throw CartError.invalidRequest("Field '\(key.rawValue)' may not be null", field: key.rawValue)
                }
            }
            self.name = try container.decodeIfPresent(String.self, forKey: .name)
            self.price = try container.decodeIfPresent(PriceInput.self, forKey: .price)
            // Absent (keep) is not null (stock not tracked).
            if container.contains(.stock) {
                self.stock = .some(try container.decodeIfPresent(WholeNumberInput.self, forKey: .stock))
            }
            self.isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        }

        /// The fields over `base`; every given value checked.
        func fields(over base: ProductRepository.Fields?) throws -> ProductRepository.Fields {
            guard let name = (self.name ?? base?.name)?.trimmingCharacters(in: .whitespaces), !name.isEmpty,
                name.count <= 255
            else {
                throw CartError.invalidRequest("name must be 1 to 255 characters", field: "name")
            }
            let price: Cents
            if let given = self.price {
                guard let cents = given.cents else {
                    throw CartError.invalidRequest(
                        "price must be a number from 0 to 99999999.99 with at most 2 decimals",
                        field: "price"
                    )
                }
                price = cents
            } else if let current = base?.price {
                price = current
            } else {
                throw CartError.invalidRequest("Field 'price' is required", field: "price")
            }
            var stock = base?.stock
            if let given = self.stock {
                if let given {
                    guard let value = given.value, value >= 0, value <= Int(Int32.max) else {
                        throw CartError.invalidRequest(
                            "stock must be a whole number of 0 or more, or null",
                            field: "stock"
                        )
                    }
                    stock = value
                } else {
                    stock = nil
                }
            }
            return ProductRepository.Fields(
                name: name,
                price: price,
                stock: stock,
                isActive: self.isActive ?? base?.isActive ?? true
            )
        }
    }

    @Sendable func create(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let fields = try await JSONBody.decode(Body.self, from: request).fields(over: nil)
        let product = try await self.saving(fields) { try await self.repository.create(fields) }
        return JSONBody.response(ProductResponse(product), status: .created)
    }

    /// `PUT`: every field given again (name and price required; stock and is_active default
    /// to untracked and active).
    @Sendable func replace(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let id = try Self.productID(context)
        let fields = try await JSONBody.decode(Body.self, from: request).fields(over: nil)
        return try await self.updating(id, to: fields)
    }

    /// `PATCH`: only the fields given change.
    @Sendable func update(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let id = try Self.productID(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        guard let current = try await self.repository.product(id: id) else { throw Self.notFound(id) }
        let fields = try body.fields(
            over: .init(name: current.name, price: current.price, stock: current.stock, isActive: current.isActive)
        )
        return try await self.updating(id, to: fields)
    }

    @Sendable func delete(request: Request, context: CartRequestContext) async throws -> Response {
        _ = try await self.authenticator.superuser(context)
        let id = try Self.productID(context)
        guard try await self.repository.delete(id: id) else { throw Self.notFound(id) }
        try? await self.products.refresh()
        return Response(status: .noContent)
    }

    private func updating(_ id: Int, to fields: ProductRepository.Fields) async throws -> Response {
        let product = try await self.saving(fields) { try await self.repository.update(id: id, fields) }
        guard let product else { throw Self.notFound(id) }
        return JSONBody.response(ProductResponse(product))
    }

    /// Runs a write, then reloads the product cache (a read that starts after the write, so no
    /// earlier read can put the old product back); a name another product has is 409.
    private func saving<Result>(
        _ fields: ProductRepository.Fields,
        _ write: () async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await write()
            try? await self.products.refresh()
            return result
        } catch is ProductRepository.DuplicateName {
            throw CartError(
                .invalidRequest,
                "A product named '\(fields.name)' already exists",
                field: "name",
                status: 409
            )
        }
    }

    private static func productID(_ context: CartRequestContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int(text), id > 0, id <= Int(Int32.max) else { throw Self.notFound(text) }
        return id
    }

    private static func notFound(_ id: some CustomStringConvertible) -> CartError {
        CartError(.productNotFound, "Product \(CartError.excerpt(id.description)) not found", field: "id")
    }

    @Sendable func list(request: Request, context: CartRequestContext) async throws -> Response {
        let limit = try request.integerQuery("limit", default: 100, range: 1...1000)
        let offset = try request.integerQuery("offset", default: 0, range: 0...Int(Int32.max))
        let repository = self.repository
        let (products, cached) = try await self.fresh {
            try await repository.list(limit: limit, offset: offset)
        } orLastRead: {
            try self.products.lastRead(limit: limit, offset: offset)
        }
        let display = MoneyDisplay(currency: context.displayCurrency)
        return JSONBody.response(
            products.map { ProductResponse($0, display: display) },
            headers: cached ? Self.cachedCatalogFields : [:]
        )
    }

    @Sendable func show(request: Request, context: CartRequestContext) async throws -> Response {
        let id = try Self.productID(context)
        let repository = self.repository
        let (product, cached) = try await self.fresh {
            try await repository.product(id: id)
        } orLastRead: {
            try self.products.lastRead(id: id)
        }
        guard let product else { throw Self.notFound(id) }
        return JSONBody.response(
            ProductResponse(product, display: MoneyDisplay(currency: context.displayCurrency)),
            headers: cached ? Self.cachedCatalogFields : [:]
        )
    }

    /// `read`'s answer from PostgreSQL, or, when PostgreSQL cannot answer it within
    /// ``freshReadTimeout`` (away, a connection lost, too busy), `lastRead`'s from the product
    /// cache; `cached` says which.
    private func fresh<Value: Sendable>(
        _ read: @escaping @Sendable () async throws -> Value,
        orLastRead lastRead: () throws -> Value
    ) async throws -> (value: Value, cached: Bool) {
        do {
            return (try await withDeadline(self.freshReadTimeout, orThrow: DatabaseUnreachable(), read), false)
        } catch let error where DatabaseUnreachable.describes(error) {
            return (try lastRead(), true)
        }
    }
}

/// A product as the API shows it, its price in the display currency when one is asked for.
struct ProductResponse: Encodable {
    let product: Product
    let display: MoneyDisplay

    init(_ product: Product, display: MoneyDisplay = .base) {
        self.product = product
        self.display = display
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(self.product.id, forKey: .id)
        try container.encode(self.product.name, forKey: .name)
        try container.encode(self.display.number(self.product.price), forKey: .price)
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
