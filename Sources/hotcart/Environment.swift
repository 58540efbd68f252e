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
func withPostgres<Result: Sendable>(
    logger: Logger,
    _ body: @escaping @Sendable (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: loadDatabaseConfiguration(), backgroundLogger: logger)
    do {
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    } catch let error as PSQLError {
        // An operator's command: say what PostgreSQL said (no secrets are in it).
        throw ValidationError("PostgreSQL: \(error.serverInfo?[.message] ?? String(describing: error.code))")
    }
}
