import ArgumentParser
import Database
import Foundation
import HotCartAPI
import Logging
import PostgresNIO

/// Reads the configuration or stops the process with the one line that says what is wrong.
func loadConfiguration() -> AppConfiguration {
    do {
        return try AppConfiguration(environment: ProcessInfo.processInfo.environment)
    } catch {
        try? FileHandle.standardError.write(contentsOf: Data("\(error)\n".utf8))
        exit(2)
    }
}

/// The database part of the configuration alone (for `migrate` and `seed`, which need no secret).
func loadDatabaseConfiguration() -> PostgresClient.Configuration {
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgres://hotcart:hotcart@127.0.0.1:5432/hotcart"
    guard let configuration = DatabaseURL.configuration(from: url) else {
        try? FileHandle.standardError.write(
            contentsOf: Data("configuration error: DATABASE_URL is not a postgres:// URL\n".utf8)
        )
        exit(2)
    }
    return configuration
}

/// Runs `body` with a running PostgreSQL client, then shuts the client down.
///
/// One connection of its own is opened first: a server that cannot be reached, or that
/// refuses the login, stops the command at once with PostgreSQL's reason (the client's pool
/// would retry for ever), and that round trip lets the client's `run()` start before `body`
/// asks it for a connection.
func withPostgres<Result: Sendable>(
    logger: Logger,
    _ body: @escaping @Sendable (PostgresClient) async throws -> Result
) async throws -> Result {
    let configuration = loadDatabaseConfiguration()
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    do {
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            try await checkReachable(configuration, logger: logger)
            return try await body(client)
        }
    } catch let error as PSQLError {
        // An operator's command: say what PostgreSQL said (no secrets are in it).
        if let message = error.serverInfo?[.message] { throw CommandFailure("PostgreSQL: \(message)") }
        let address = "\(configuration.host ?? "?"):\(configuration.port ?? 5432)"
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

/// Opens and closes one connection (TCP within 5 s, then the login).
private func checkReachable(_ configuration: PostgresClient.Configuration, logger: Logger) async throws {
    var connection = PostgresConnection.Configuration(
        host: configuration.host ?? "127.0.0.1",
        port: configuration.port ?? 5432,
        username: configuration.username,
        password: configuration.password,
        database: configuration.database,
        tls: .disable
    )
    connection.options.connectTimeout = .seconds(5)
    try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger).close()
}
