import CartDomain
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

/// Runs `test` against the HotCart router backed by the real test Redis and PostgreSQL.
func withTestApp(
    redis: RedisEndpoint = TestEnvironment.redis,
    settings: (inout AppConfiguration) -> Void = { _ in },
    setUp: @Sendable (HotCartServices) async throws -> Void = { _ in },
    test: @Sendable (any TestClientProtocol, HotCartServices) async throws -> Void
) async throws {
    var configuration = AppConfiguration(redis: redis, database: TestEnvironment.database, secretKey: "test-secret")
    configuration.cart.mutationsPerMinute = 0
    settings(&configuration)
    var logger = Logger(label: "hotcart.test")
    logger.logLevel = .critical
    let services = HotCartServices(configuration: configuration, metrics: PrometheusCollectorRegistry(), logger: logger)
    let app = Application(
        router: buildRouter(configuration: configuration, services: services, logger: logger),
        logger: logger
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.redis.run() }
        group.addTask { await services.postgres.run() }
        defer { group.cancelAll() }
        try await setUp(services)
        try await services.products.refresh()
        try await app.test(.router) { client in try await test(client, services) }
    }
}

/// Inserts a product for one test and returns its id.
func insertProduct(
    _ services: HotCartServices,
    price: String,
    stock: Int? = nil,
    isActive: Bool = true
) async throws -> Int {
    let name = "Test product \(TestEnvironment.uniqueID())"
    let rows = try await services.postgres.query(
        "INSERT INTO product (name, price, stock, is_active) VALUES (\(name), \(price)::numeric, \(stock), \(isActive)) RETURNING id"
    )
    for try await id in rows.decode(Int.self) { return id }
    throw CartError.productNotFound(0)
}

/// A guest browser: keeps the session cookie between requests.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookie: String?

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
