import Logging
import PostgresNIO

/// Applies and rolls back ``Migration``s, recording them in `schema_migrations`.
///
/// Each migration runs in its own transaction together with its bookkeeping row, and the
/// whole run holds an advisory lock, so two migrators at once cannot apply one twice.
public struct DatabaseMigrator: Sendable {
    private let client: DatabasePool
    private let migrations: [Migration]
    private let logger: Logger
    private static let lockID = 7_212_001

    public init(client: DatabasePool, migrations: [Migration] = Migration.all, logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every migration not applied yet; returns the versions it applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await self.locked { connection in
            let applied = try await self.appliedVersions(connection)
            var done: [Int] = []
            for migration in self.migrations where !applied.contains(migration.version) {
                try await self.transaction(
                    connection,
                    migration.statements(\.up)
                        + [
                            "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), '\(migration.name)')"
                        ]
                )
                self.logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        }
    }

    /// Rolls back the last `count` applied migrations, newest first; returns their versions.
    @discardableResult
    public func rollBack(_ count: Int) async throws -> [Int] {
        try await self.locked { connection in
            let applied = try await self.appliedVersions(connection).sorted(by: >).prefix(count)
            var done: [Int] = []
            for version in applied {
                guard let migration = self.migrations.first(where: { $0.version == version }) else { continue }
                try await self.transaction(
                    connection,
                    migration.statements(\.down) + ["DELETE FROM schema_migrations WHERE version = \(version)"]
                )
                self.logger.info("rolled back migration", metadata: ["migration": "\(migration.name)"])
                done.append(version)
            }
            return done
        }
    }

    private func locked<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await self.client.withConnection { connection in
            try await self.execute(connection, "SELECT pg_advisory_lock(\(Self.lockID))")
            do {
                try await self.execute(
                    connection,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                let result = try await body(connection)
                try await self.execute(connection, "SELECT pg_advisory_unlock(\(Self.lockID))")
                return result
            } catch {
                try? await self.execute(connection, "SELECT pg_advisory_unlock(\(Self.lockID))")
                throw error
            }
        }
    }

    /// Runs the statements in one transaction: all of them or none.
    private func transaction(_ connection: PostgresConnection, _ statements: [String]) async throws {
        try await self.execute(connection, "BEGIN")
        do {
            for statement in statements { try await self.execute(connection, statement) }
            try await self.execute(connection, "COMMIT")
        } catch {
            try? await self.execute(connection, "ROLLBACK")
            throw error
        }
    }

    private func execute(_ connection: PostgresConnection, _ sql: String) async throws {
        try await connection.execute(PostgresQuery(unsafeSQL: sql), logger: self.logger)
    }

    private func appliedVersions(_ connection: PostgresConnection) async throws -> Set<Int> {
        let rows = try await connection.rows("SELECT version FROM schema_migrations", logger: self.logger)
        return Set(try rows.decode(Int.self))
    }
}
