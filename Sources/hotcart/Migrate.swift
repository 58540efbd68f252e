import ArgumentParser
import Database
import Logging

/// `hotcart migrate [--down N]`: applies (or rolls back) the PostgreSQL schema migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the PostgreSQL schema migrations (idempotent).",
        discussion: "Reaches PostgreSQL at DATABASE_URL; logs at LOG_LEVEL (info)."
    )

    @Option(help: "Roll back the last N applied migrations instead.")
    var down: Int?

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "hotcart.migrate")
        let down = self.down
        let versions = try await withPostgres(as: "hotcart migrate", logger: logger) { client in
            let migrator = DatabaseMigrator(client: client, logger: logger)
            if let down { return try await migrator.rollBack(down) }
            return try await migrator.migrate()
        }
        print(down == nil ? "applied \(versions.count) migration(s)" : "rolled back \(versions.count) migration(s)")
    }
}
