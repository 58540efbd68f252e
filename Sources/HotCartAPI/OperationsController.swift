import CartDomain
import Catalog
import Database
import Deadline
import Foundation
import Hummingbird
import PostgresNIO
import Prometheus
import RedisClient
import WriteBehind

/// `/healthz` (the process is alive), `/readyz` (Redis and PostgreSQL answer, and the catalog
/// is in memory), `/metrics` and
/// `/openapi.json` (the OpenAPI 3.1 document of this API, shipped as a resource).
struct OperationsController {
    let redis: RedisClient
    let postgres: DatabasePool
    let products: ProductCache
    let metrics: PrometheusCollectorRegistry
    /// The document as served: the shipped one with this server's display currencies.
    let document: [UInt8]

    init(
        redis: RedisClient,
        postgres: DatabasePool,
        products: ProductCache,
        metrics: PrometheusCollectorRegistry,
        displayCurrencies: [String]
    ) {
        self.redis = redis
        self.postgres = postgres
        self.products = products
        self.metrics = metrics
        self.document = Self.openAPIDocument(offering: displayCurrencies)
    }

    func addRoutes(to router: Router<CartRequestContext>) {
        // A constant answer, so that `/healthz` costs what the framework costs: the benchmark
        // takes it as the ceiling the cart routes are measured against.
        Self.serve(ByteBuffer(string: #"{"status":"ok"}"#), at: "healthz", on: router)
        router.get("readyz", use: self.ready)
        Self.serve(ByteBuffer(bytes: self.document), at: "openapi.json", on: router)
        router.get("metrics", use: self.prometheusMetrics)
    }

    /// Answers `GET path` with `json`, built once.
    private static func serve(_ json: ByteBuffer, at path: RouterPath, on router: Router<CartRequestContext>) {
        router.get(path) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: json))
        }
    }

    /// This process's metrics, then the write-behind status and the number of keys read from
    /// Redis (left out, not failed, when Redis does not answer: the scrape still shows the
    /// process).
    @Sendable func prometheusMetrics(request: Request, context: CartRequestContext) async throws -> Response {
        var text = self.metrics.emitToBuffer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let status = try? await WriteBehindStatus.read(from: self.redis, now: now) {
            text.append(contentsOf: status.prometheusText.utf8)
        }
        if let sizes = try? await self.redis.sendToEveryMaster(["DBSIZE"]) {
            let keys = sizes.reduce(0) { $0 + ($1.int ?? 0) }
            text.append(
                contentsOf:
                    "# HELP hotcart_redis_keys Keys in Redis on every master: the hot carts and their companions.\n"
                    .utf8
            )
            text.append(contentsOf: "# TYPE hotcart_redis_keys gauge\nhotcart_redis_keys \(keys)\n".utf8)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: text))
        )
    }

    /// The shipped document with `currencies` as the values the `currency` parameter takes.
    static func openAPIDocument(offering currencies: [String]) -> [UInt8] {
        guard var document = try? JSONSerialization.jsonObject(with: Data(Self.openAPIDocument)) as? [String: Any],
            var components = document["components"] as? [String: Any],
            var parameters = components["parameters"] as? [String: Any],
            var currency = parameters["Currency"] as? [String: Any],
            var schema = currency["schema"] as? [String: Any]
        else {
            return Self.openAPIDocument
        }
        schema["enum"] = currencies
        currency["schema"] = schema
        parameters["Currency"] = currency
        components["parameters"] = parameters
        document["components"] = components
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
            return Self.openAPIDocument
        }
        return Array(data)
    }

    static let openAPIDocument: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            fatalError("openapi.json is missing from the HotCartAPI bundle")
        }
        return Array(data)
    }()

    @Sendable func ready(request: Request, context: CartRequestContext) async throws -> Response {
        async let redisUp = self.redisAnswers()
        async let postgresUp = self.postgresAnswers(logger: context.logger)
        let (redis, postgres) = await (redisUp, postgresUp)
        // Until the catalog is in memory an add would answer "product not found".
        let catalog = self.products.isLoaded
        let ready = redis && postgres && catalog
        let body = [
            "status": ready ? "ready" : "unavailable", "redis": redis ? "ok" : "down",
            "postgres": postgres ? "ok" : "down", "catalog": catalog ? "ok" : "loading",
        ]
        return JSONBody.response(body, status: ready ? .ok : .serviceUnavailable)
    }

    private func redisAnswers() async -> Bool {
        (try? await self.redis.send(["PING"]))?.string == "PONG"
    }

    /// Whether PostgreSQL answers `SELECT 1` within a second.
    private func postgresAnswers(logger: Logger) async -> Bool {
        let postgres = self.postgres
        let answered = try? await withDeadline(.seconds(1), orThrow: CartError.serviceUnavailable) {
            try await postgres.execute("SELECT 1", logger: logger)
            return true
        }
        return answered ?? false
    }
}
