import Database
import Foundation
import PostgresNIO
import RedisClient

/// Where the Redis and PostgreSQL that `scripts/test` starts are listening.
public enum TestEnvironment {
    public static let redis: RedisEndpoint = {
        let url = ProcessInfo.processInfo.environment["HOTCART_TEST_REDIS_URL"] ?? "redis://127.0.0.1:56379/1"
        guard let endpoint = RedisEndpoint(url: url) else { fatalError("HOTCART_TEST_REDIS_URL is not a redis:// URL") }
        return endpoint
    }()

    /// A node of the local 3-master Redis Cluster that scripts/test starts (scripts/cluster.sh).
    public static let cluster: RedisEndpoint = {
        let url = ProcessInfo.processInfo.environment["HOTCART_TEST_CLUSTER_URL"] ?? "redis://127.0.0.1:21001/0"
        guard let endpoint = RedisEndpoint(url: url) else {
            fatalError("HOTCART_TEST_CLUSTER_URL is not a redis:// URL")
        }
        return endpoint
    }()

    /// The single Redis and the cluster: a suite whose guarantees must hold on both runs once
    /// with each (`@Test(arguments: TestEnvironment.redisDeployments)`).
    public static let redisDeployments = [redis, cluster]

    /// The test database's URL (`HOTCART_TEST_DATABASE_URL`).
    public static let databaseURL =
        ProcessInfo.processInfo.environment["HOTCART_TEST_DATABASE_URL"]
        ?? "postgres://hotcart:hotcart@127.0.0.1:55432/hotcart_test"

    public static let database: PostgresClient.Configuration = {
        do {
            return try DatabaseURL(databaseURL).client
        } catch {
            fatalError("HOTCART_TEST_DATABASE_URL \(error)")
        }
    }()

    /// A certificate and its key, for servers that speak TLS.
    public struct Certificate: Sendable {
        public let certificatePath: String
        public let keyPath: String
    }

    /// The self-signed certificate for `localhost` and `127.0.0.1` that `scripts/services.sh`
    /// made for the local PostgreSQL (`HOTCART_TLS_CERTIFICATE`, `HOTCART_TLS_KEY`).
    public static func certificate() throws -> Certificate {
        let environment = ProcessInfo.processInfo.environment
        guard let certificate = environment["HOTCART_TLS_CERTIFICATE"], let key = environment["HOTCART_TLS_KEY"] else {
            throw TestSetupError("scripts/test exports HOTCART_TLS_CERTIFICATE and HOTCART_TLS_KEY")
        }
        return Certificate(certificatePath: certificate, keyPath: key)
    }

    /// The directory of the test PostgreSQL's Unix-domain socket.
    public static func socketDirectory() throws -> String {
        guard let directory = ProcessInfo.processInfo.environment["HOTCART_PG_SOCKET_DIRECTORY"] else {
            throw TestSetupError("scripts/test exports HOTCART_PG_SOCKET_DIRECTORY")
        }
        return directory
    }

    /// A relay in front of the test database, for fault tests (`cut()` takes it down, `freeze()`
    /// silences it), and the configuration that reaches the database through it.
    public static func databaseProxy() async throws -> (TestTCPProxy, PostgresClient.Configuration) {
        let proxy = try await TestTCPProxy.start(to: database.host ?? "127.0.0.1", port: database.port ?? 5432)
        var throughProxy = PostgresClient.Configuration(
            host: "127.0.0.1",
            port: proxy.port,
            username: database.username,
            password: database.password,
            database: database.database,
            tls: .disable
        )
        throughProxy.options = database.options
        return (proxy, throughProxy)
    }

    /// A Redis client for `endpoint`, running for the duration of `body`. When Redis is up,
    /// `body` starts once the client's first call succeeded (a loaded test machine may take
    /// longer than one call's deadline to open the first connection).
    public static func withRedis<Result: Sendable>(
        _ endpoint: RedisEndpoint = TestEnvironment.redis,
        configure: (inout RedisClient.Configuration) -> Void = { _ in },
        _ body: @Sendable (RedisClient) async throws -> Result
    ) async throws -> Result {
        var configuration = RedisClient.Configuration(endpoint: endpoint)
        configure(&configuration)
        let client = RedisClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            for _ in 0..<20 {
                if (try? await client.send(["PING"])) != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try await body(client)
        }
    }

    /// Makes the cart stored under `cartKey` look as if time had passed: Redis drops it in
    /// `milliseconds`, and its field `x` (which reads go by) says so too.
    public static func age(cart cartKey: String, leaving milliseconds: Int64, redis: RedisClient) async throws {
        let until = Int64(Date().timeIntervalSince1970 * 1000) + milliseconds
        _ = try await redis.send(pipeline: [
            ["PEXPIRE", cartKey, String(milliseconds)], ["HSET", cartKey, "x", String(until)],
        ])
    }

    /// A random lowercase id, to keep each test's keys apart.
    public static func uniqueID() -> String {
        UUID().uuidString.lowercased()
    }
}

/// What the test environment lacks for a test to run (a test that cannot run fails, never passes).
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
