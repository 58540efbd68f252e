import Foundation
import PostgresNIO

/// Parses a `postgres://user:password@host:port/database` URL into a client configuration.
public enum DatabaseURL {
    /// The connections each process keeps open to PostgreSQL.
    private static let connections = 8

    /// `nil` when the URL is not a PostgreSQL URL with a host.
    public static func configuration(from url: String) -> PostgresClient.Configuration? {
        guard
            let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            return nil
        }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: .disable
        )
        configuration.options.connectTimeout = .seconds(2)
        // A fixed set of connections that stay open, without keep-alive queries: the pool arms
        // no timer when a connection falls idle. Its default (up to 20 connections, each idle
        // one with a 30 s keep-alive and a 60 s idle timer) armed two timers per query, and a
        // cancelled `Task.sleep` holds its task and timer until the deadline: under the shopper
        // mix (a quarter of it catalog reads) `serve` held some 100,000 and grew by tens of
        // megabytes. A connection PostgreSQL closes leaves the pool at once and is reopened.
        configuration.options.minimumConnections = Self.connections
        configuration.options.maximumConnections = Self.connections
        configuration.options.keepAliveBehavior = nil
        return configuration
    }
}
