import CartDomain
import Database
import Foundation
import HotCartAPI
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import RedisClient
import Testing

/// Runs `test` against the HotCart router backed by the real test Redis and PostgreSQL.
func withTestApp(
    redis: RedisEndpoint = TestEnvironment.redis,
    settings: (inout AppConfiguration) -> Void = { _ in },
    setUp: @Sendable (HotCartServices) async throws -> Void = { _ in },
    test: @Sendable (any TestClientProtocol, HotCartServices) async throws -> Void
) async throws {
    var configuration = AppConfiguration(redis: redis, database: TestEnvironment.database, secretKey: "test-secret")
    configuration.cart.mutationsPerMinute = 0
    configuration.passwordHashCost = 4
    settings(&configuration)
    var logger = Logger(label: "hotcart.test")
    logger.logLevel = .critical
    let services = await HotCartServices(
        configuration: configuration,
        metrics: PrometheusCollectorRegistry(),
        logger: logger
    )
    let app = Application(
        router: buildRouter(configuration: configuration, services: services, logger: logger),
        logger: logger
    )
    try await withThrowingTaskGroup(of: Void.self) { clients in
        clients.addTask { try await services.redis.run() }
        clients.addTask { await services.postgres.run() }
        defer { clients.cancelAll() }
        try await setUp(services)
        try await services.products.refresh()
        try await services.promotions.refresh()
        try await services.rates.refresh()
        // The caches reload as in the server (every 500 ms). They stop, and their last reload
        // ends, before the clients they read through do, as a service group stops them.
        try await withThrowingTaskGroup(of: Void.self) { caches in
            caches.addTask { await services.products.run() }
            caches.addTask { await services.promotions.run() }
            caches.addTask { await services.rates.run() }
            defer { caches.cancelAll() }
            try await app.test(.router) { client in try await test(client, services) }
        }
    }
}

/// Inserts a product for one test and returns its id, already in the product cache.
func insertProduct(
    _ services: HotCartServices,
    price: String,
    stock: Int? = nil,
    isActive: Bool = true
) async throws -> Int {
    let id = try await insertProduct(into: services.postgres, price: price, stock: stock, isActive: isActive)
    // Seen by adds at once, rather than at the cache's next reload.
    try await services.products.refresh()
    return id
}

/// Inserts a product of a unique name into PostgreSQL and returns its id (caches see it at
/// their next reload).
func insertProduct(
    into postgres: DatabasePool,
    price: String,
    stock: Int? = nil,
    isActive: Bool = true
) async throws -> Int {
    let name = "Test product \(TestEnvironment.uniqueID())"
    let rows = try await postgres.query(
        "INSERT INTO product (name, price, stock, is_active) VALUES (\(name), \(price)::numeric, \(stock), \(isActive)) RETURNING id"
    )
    for try await id in rows.decode(Int.self) { return id }
    throw CartError.productNotFound(0)
}

/// A guest browser: keeps the session cookie between requests.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookie: String?
    /// Sent as `Authorization: Bearer …` when set.
    var token: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        if let token, headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await self.client.execute(
            uri: uri,
            method: method,
            headers: headers,
            body: json.map { ByteBuffer(string: $0) }
        )
        if let setCookie = response.headers[.setCookie] {
            self.cookie = String(setCookie.prefix { $0 != ";" })
        }
        return response
    }
}

extension Browser {
    /// Registers an account and returns its id.
    @discardableResult
    func register(_ email: String, password: String = "correct horse battery") async throws -> String {
        let response = try await self.send(
            .post,
            "/auth/register",
            json: #"{"email": "\#(email)", "password": "\#(password)"}"#
        )
        return response.json["id"] as? String ?? ""
    }

    /// Logs in with the form FastAPI-Users expects and keeps the token.
    @discardableResult
    func logIn(_ email: String, password: String = "correct horse battery") async throws -> TestResponse {
        let response = try await self.send(
            .post,
            "/auth/jwt/login",
            headers: [.contentType: "application/x-www-form-urlencoded"],
            form:
                "username=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password)"
        )
        if let token = response.json["access_token"] as? String { self.token = token }
        return response
    }

    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        headers: HTTPFields,
        form: String
    ) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        let response = try await self.client.execute(
            uri: uri,
            method: method,
            headers: headers,
            body: ByteBuffer(string: form)
        )
        if let setCookie = response.headers[.setCookie] {
            self.cookie = String(setCookie.prefix { $0 != ";" })
        }
        return response
    }
}

extension Browser {
    /// Shares this browser's cart (`POST /cart/share`); returns the share id.
    func shareCart() async throws -> String {
        try #require(try await self.send(.post, "/cart/share").json["share_id"] as? String)
    }

    /// Registers a new account and logs in with it (keeping the token); returns its id.
    @discardableResult
    func signUp() async throws -> String {
        let email = uniqueEmail()
        let id = try await self.register(email)
        try await self.logIn(email)
        return id
    }
}

/// Shares a new shopper's cart holding `quantity` units of `product`; returns the share id.
func shareOfACart(holding quantity: Int, of product: Int, client: any TestClientProtocol) async throws -> String {
    let owner = Browser(client)
    try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": \#(quantity)}"#)
    return try await owner.shareCart()
}

/// A cart answer's units per product id.
func cartQuantities(_ response: TestResponse) -> [Int: Int] {
    var quantities: [Int: Int] = [:]
    for item in response.items {
        if let product = item["product_id"] as? Int { quantities[product] = item["quantity"] as? Int }
    }
    return quantities
}

/// A product's stock as PostgreSQL holds it (`nil`: not tracked).
func productStock(_ services: HotCartServices, _ product: Int) async throws -> Int? {
    for try await stock in try await services.postgres.query("SELECT stock FROM product WHERE id = \(product)")
        .decode(Int?.self)
    {
        return stock
    }
    return nil
}

/// A browser signed in as a new superuser (promoted in PostgreSQL, as an operator would).
func signedInSuperuser(_ client: any TestClientProtocol, _ services: HotCartServices) async throws -> Browser {
    let admin = Browser(client)
    let email = uniqueEmail()
    let id = try await admin.register(email)
    for try await _ in try await services.postgres.query(
        "UPDATE \"user\" SET is_superuser = TRUE WHERE id = \(id)::uuid"
    ) {}
    try await admin.logIn(email)
    return admin
}

/// A fresh email address for one test.
func uniqueEmail() -> String { "shopper-\(TestEnvironment.uniqueID().lowercased())@example.com" }

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: self.body))) as? [String: Any] ?? [:]
    }

    var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: self.body))) as? [[String: Any]] ?? []
    }

    var items: [[String: Any]] { self.json["items"] as? [[String: Any]] ?? [] }

    /// The contract's error code (`CART_00x`) of an error body.
    var code: String? { self.json["code"] as? String }
}
