import Foundation
import PostgresNIO

/// Parses a `postgres://user:password@host:port/database` URL into a client configuration.
public enum DatabaseURL {
    /// The most connections each process opens to PostgreSQL.
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
        // Up to 8 connections, each closed after 5 s unused, without keep-alive queries. The
        // pool's default (up to 20 connections, each idle one with a 30 s keep-alive and a 60 s
        // idle timer) armed two timers per query, and a cancelled `Task.sleep` holds its task and
        // timer until its deadline: under the shopper mix (a quarter of it catalog reads) `serve`
        // held some 100,000 and grew by tens of megabytes. A 5 s idle timer bounds them to five
        // seconds' worth. No minimum: with one, the pool's state machine can trap (a
        // `precondition` in `createNewDemandConnectionIfPossible`) when a query asks for a
        // connection while PostgreSQL restarts and its connections are closing. The caches'
        // reloads, every 500 ms, keep a connection open between requests.
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = Self.connections
        configuration.options.connectionIdleTimeout = .seconds(5)
        configuration.options.keepAliveBehavior = nil
        // No JIT compilation: PostgreSQL compiles a statement whose estimated cost passes
        // `jit_above_cost`, and an analytics statement over a table of millions of rows that
        // reads a week of it through a block-range index is estimated past it while it runs in
        // 5 ms; compiling it took 0.85 s of its 1.1 s (`EXPLAIN ANALYZE`). HotCart runs short
        // statements only.
        configuration.options.additionalStartupParameters = [("jit", "off")]
        return configuration
    }
}
