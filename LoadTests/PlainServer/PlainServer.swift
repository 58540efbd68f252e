import Hummingbird
import Logging
import RedisClient
import ServiceLifecycle

/// The ceilings the cart figures are read against, built with the same compiler and flags:
/// `GET /` answers "ok" (plain Hummingbird) and `GET /redis` does one Redis PING through
/// HotCart's client (Hummingbird plus the Redis round trip, no cart logic).
/// Usage: `plain-server <port> [redis URL]`; loopback only.
@main
struct PlainServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let port = arguments.count > 1 ? Int(arguments[1]) ?? 8090 : 8090
        let redisURL = arguments.count > 2 ? arguments[2] : "redis://127.0.0.1:56379/0"
        guard let endpoint = RedisEndpoint(url: redisURL) else {
            print("not a redis:// URL: \(redisURL)")
            return
        }
        let redis = RedisClient(configuration: .init(endpoint: endpoint))
        let router = Router()
        router.get("/") { _, _ in "ok" }
        router.get("/redis") { _, _ -> String in
            try await redis.send(["PING"]).string ?? ""
        }
        var logger = Logger(label: "plain-server")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            services: [redis],
            logger: logger
        )
        try await app.runService()
    }
}
