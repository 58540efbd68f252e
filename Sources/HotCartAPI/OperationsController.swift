import Foundation
import Hummingbird
import PostgresNIO
import Prometheus
import RedisClient
import WriteBehind

/// `/healthz` (the process is alive), `/readyz` (Redis and PostgreSQL answer), `/metrics` and
/// `/openapi.json` (the OpenAPI 3.1 document of this API, shipped as a resource).
struct OperationsController {
    let redis: RedisClient
    let postgres: PostgresClient
    let metrics: PrometheusCollectorRegistry

    func addRoutes(to router: Router<CartRequestContext>) {
        router.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("readyz", use: self.ready)
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.openAPIDocument))
            )
        }
        router.get("metrics", use: self.prometheusMetrics)
    }

    /// This process's metrics, then the write-behind status read from Redis (left out, not
    /// failed, when Redis does not answer: the scrape still shows the process).
    @Sendable func prometheusMetrics(request: Request, context: CartRequestContext) async throws -> Response {
        var text = self.metrics.emitToBuffer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let status = try? await WriteBehindStatus.read(from: self.redis, now: now) {
            text.append(contentsOf: status.prometheusText.utf8)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: text))
        )
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
        async let postgresUp = self.postgresAnswers()
        let (redis, postgres) = await (redisUp, postgresUp)
        let body = [
            "status": redis && postgres ? "ready" : "unavailable", "redis": redis ? "ok" : "down",
            "postgres": postgres ? "ok" : "down",
        ]
        return JSONBody.response(body, status: redis && postgres ? .ok : .serviceUnavailable)
    }

    private func redisAnswers() async -> Bool {
        (try? await self.redis.send(["PING"]))?.string == "PONG"
    }

    private func postgresAnswers() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    let rows = try await self.postgres.query("SELECT 1")
                    for try await _ in rows {}
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(1))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
