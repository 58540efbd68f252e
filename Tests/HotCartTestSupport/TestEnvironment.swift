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

    public static let database: PostgresClient.Configuration = {
        let url =
            ProcessInfo.processInfo.environment["HOTCART_TEST_DATABASE_URL"]
            ?? "postgres://hotcart:hotcart@127.0.0.1:55432/hotcart_test"
        guard let configuration = DatabaseURL.configuration(from: url) else {
            fatalError("HOTCART_TEST_DATABASE_URL is not a postgres:// URL")
        }
        return configuration
    }()

    /// A Redis client for `endpoint`, running for the duration of `body`.
    public static func withRedis<Result: Sendable>(
        _ endpoint: RedisEndpoint = TestEnvironment.redis,
        _ body: @Sendable (RedisClient) async throws -> Result
    ) async throws -> Result {
        let client = RedisClient(configuration: RedisClient.Configuration(endpoint: endpoint))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// A random lowercase id, to keep each test's keys apart.
    public static func uniqueID() -> String {
        UUID().uuidString.lowercased()
    }
}
