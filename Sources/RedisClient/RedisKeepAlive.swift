import _ConnectionPoolModule

/// Pings idle pooled connections so a half-dead one is found before a request needs it.
struct RedisKeepAlive: ConnectionKeepAliveBehavior {
    var keepAliveFrequency: Duration? { .seconds(30) }

    func runKeepAlive(for connection: RedisConnection) async throws {
        _ = try await connection.send(["PING"])
    }
}
