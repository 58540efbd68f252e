import ArgumentParser
import Database
import Foundation
import HotCartAPI
import Logging
import PostgresNIO

/// Reads the configuration or stops the process with the one line that says what is wrong.
func loadConfiguration() -> AppConfiguration {
    do {
        return try AppConfiguration(environment: ProcessInfo.processInfo.environment, applicationName: "hotcart serve")
    } catch {
        try? FileHandle.standardError.write(contentsOf: Data("\(error)\n".utf8))
        exit(2)
    }
}

/// Logs, once at start, where the configuration points: the Redis nodes and the PostgreSQL
/// server and database, never a password (an endpoint's description leaves credentials out).
func logWhereItPoints(_ configuration: AppConfiguration, logger: Logger) {
    let database = configuration.database
    // Written as DATABASE_URL names servers (an IPv6 address in brackets).
    let server =
        database.unixSocketPath.map(DatabaseURL.Server.unixSocket)
        ?? .tcp(host: database.host ?? "", port: database.port ?? 5432)
    logger.info(
        "configured",
        metadata: [
            "redis": "\(configuration.redis.map(\.description).joined(separator: ","))",
            "postgres": "\(server)/\(database.database ?? "")",
        ]
    )
}

/// The database part of the configuration alone (for `migrate` and `seed`, which need no
/// secret), its connections named `applicationName`.
func loadDatabaseURL(applicationName: String) -> DatabaseURL {
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgres://hotcart:hotcart@127.0.0.1:5432/hotcart"
    do {
        return try DatabaseURL(url, applicationName: applicationName)
    } catch {
        try? FileHandle.standardError.write(contentsOf: Data("configuration error: DATABASE_URL \(error)\n".utf8))
        exit(2)
    }
}

/// The bcrypt cost `PASSWORD_HASH_COST` asks for (12 by default), read as `serve` reads it.
func loadPasswordHashCost() -> Int {
    do {
        return try AppConfiguration.passwordHashCost(in: ProcessInfo.processInfo.environment)
    } catch {
        try? FileHandle.standardError.write(contentsOf: Data("\(error)\n".utf8))
        exit(2)
    }
}

/// Runs `body` with a running PostgreSQL pool whose connections PostgreSQL shows as
/// `applicationName`, then shuts the pool down.
///
/// One connection of its own is opened first: a server that cannot be reached, or that
/// refuses the login, stops the command at once with PostgreSQL's reason (the client's pool
/// would retry for ever), and that round trip lets the client's `run()` start before `body`
/// asks it for a connection.
func withPostgres<Result: Sendable>(
    as applicationName: String,
    logger: Logger,
    _ body: @escaping @Sendable (DatabasePool) async throws -> Result
) async throws -> Result {
    let databaseURL = loadDatabaseURL(applicationName: applicationName)
    let client = DatabasePool(configuration: databaseURL.client, logger: logger)
    do {
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            try await checkReachable(databaseURL, logger: logger)
            return try await body(client)
        }
    } catch let error as PSQLError {
        // An operator's command: say what PostgreSQL said (no secrets are in it).
        if let message = error.serverInfo?[.message] { throw CommandFailure("PostgreSQL: \(message)") }
        let address = databaseURL.server
        if let refusal = databaseURL.tlsRefusal(error) { throw CommandFailure("PostgreSQL at \(address) \(refusal)") }
        if error.code == .connectionError { throw CommandFailure("PostgreSQL at \(address) cannot be reached") }
        throw CommandFailure("PostgreSQL at \(address): \(error.code)")
    }
}

/// A command that could not do its work, for a reason outside its arguments: ArgumentParser
/// prints `Error: <description>` and exits with status 1 (a `ValidationError` would add the
/// usage text, which is no help when PostgreSQL is down).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Opens and closes one connection (TCP within 5 s, TLS as `sslmode` says, then the login).
private func checkReachable(_ databaseURL: DatabaseURL, logger: Logger) async throws {
    let connection = databaseURL.connection(connectTimeout: .seconds(5))
    try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger).close()
}
