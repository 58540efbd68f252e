import Foundation
import PostgresNIO

/// Parses a `postgres://user:password@host:port/database` URL into a client configuration.
public enum DatabaseURL {
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
        return configuration
    }
}
