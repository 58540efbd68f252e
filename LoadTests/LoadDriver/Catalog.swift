import AsyncHTTPClient
import Foundation

/// A product as the driver needs it: what a line of it costs and how many may be sold.
public struct CatalogProduct: Sendable, Equatable {
    public var id: Int
    public var priceCents: Int
    /// `nil` when the product's stock is not tracked.
    public var stock: Int?

    public init(id: Int, priceCents: Int, stock: Int?) {
        self.id = id
        self.priceCents = priceCents
        self.stock = stock
    }
}

/// The active products of the server under test, read once before the load starts.
public struct Catalog: Sendable {
    public let products: [CatalogProduct]
    private let byID: [Int: CatalogProduct]

    public init(products: [CatalogProduct]) {
        self.products = products
        self.byID = Dictionary(products.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(id: Int) -> CatalogProduct? { self.byID[id] }

    /// The server's active products with at least 5 in stock, read once (`GET /products/`).
    public static func load(from baseURL: String, client: HTTPClient) async throws -> Catalog {
        var session = HTTPSession(client: client, baseURL: baseURL)
        var recorder = Recorder()
        recorder.isMeasuring = false
        guard let answer = await session.send(.GET, "/products/?limit=100", endpoint: "setup", into: &recorder),
            answer.status == 200
        else { throw LoadError.setup("GET /products/ did not answer 200; is the server up and seeded?") }
        let products = try Self.decode(answer.body).filter { ($0.stock ?? 100) >= 5 }
        guard products.count >= 5 else {
            throw LoadError.setup("fewer than 5 active products in stock; run `hotcart seed`")
        }
        return Catalog(products: products)
    }

    /// Decodes a `GET /products/` answer, keeping the active products.
    static func decode(_ json: Data) throws -> [CatalogProduct] {
        struct Product: Decodable {
            var id: Int
            var price: Double
            var stock: Int?
            var is_active: Bool
        }
        return try JSONDecoder().decode([Product].self, from: json)
            .filter(\.is_active)
            .map { CatalogProduct(id: $0.id, priceCents: cents($0.price), stock: $0.stock) }
    }
}
