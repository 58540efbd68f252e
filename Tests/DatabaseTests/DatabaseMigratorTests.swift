import Database
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// The migrations against a database of their own: every one applies, rolls back and applies
/// again, so `hotcart migrate --down N` works from any version.
@Suite struct DatabaseMigratorTests {
    private let logger = Logger(label: "test.migrations")

    @Test func everyMigrationRollsBackAndAppliesAgain() async throws {
        let all = Migration.all.map(\.version)
        try await self.withScratchDatabase { client in
            let migrator = DatabaseMigrator(client: client, logger: self.logger)
            #expect(try await migrator.migrate() == all)
            #expect(try await migrator.migrate() == [])
            let everyTable = try await self.tables(client)
            #expect(everyTable.isSuperset(of: ["product", "user", "cart", "cart_item", "cart_event"]))

            #expect(try await migrator.rollBack(1) == [all.last!])
            #expect(try await migrator.migrate() == [all.last!])
            #expect(try await self.tables(client) == everyTable)

            #expect(try await migrator.rollBack(all.count) == all.reversed())
            #expect(try await self.tables(client) == ["schema_migrations"])
            #expect(try await self.indexes(client).isEmpty)

            #expect(try await migrator.migrate() == all)
            #expect(try await self.tables(client) == everyTable)
        }
    }

    /// Nothing listens on port 1 of the loopback; the test PostgreSQL's certificate is
    /// self-signed, so the system's authorities do not trust it.
    @Test(arguments: [
        ("127.0.0.1:1", "", "Error: PostgreSQL at 127.0.0.1:1 cannot be reached\n"),
        (
            "localhost:\(TestEnvironment.database.port ?? 5432)", "?sslmode=verify-full",
            "Error: PostgreSQL at localhost:\(TestEnvironment.database.port ?? 5432) failed the TLS handshake "
                + "under sslmode=verify-full (is its certificate trusted by sslrootcert?)\n"
        ),
    ])
    func migrateStopsAtOnceWhenPostgreSQLCannotBeReached(address: String, query: String, line: String) async throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["migrate"]
        process.environment = ["DATABASE_URL": "postgres://hotcart:hotcart@\(address)/hotcart_test\(query)"]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let stillRunning = process.isRunning
        if stillRunning { process.terminate() }
        #expect(!stillRunning, "hotcart migrate kept retrying an unreachable PostgreSQL")
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said == line)
    }

    private func tables(_ client: DatabasePool) async throws -> Set<String> {
        var names: Set<String> = []
        let rows = try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            logger: self.logger
        )
        for try await name in rows.decode(String.self) { names.insert(name) }
        return names
    }

    /// Indexes left once every migration is rolled back (the bookkeeping table's key aside).
    private func indexes(_ client: DatabasePool) async throws -> [String] {
        var names: [String] = []
        let rows = try await client.query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
            logger: self.logger
        )
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// Runs `body` with a client of a new, empty database, dropped afterwards.
    private func withScratchDatabase(_ body: @Sendable (DatabasePool) async throws -> Void) async throws {
        let name = "hotcart_migrations_" + TestEnvironment.uniqueID().prefix(8)
        let admin = DatabasePool(configuration: TestEnvironment.database, logger: self.logger)
        var scratch = TestEnvironment.database
        scratch.database = name
        let client = DatabasePool(configuration: scratch, logger: self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: self.logger)
            var failure: (any Error)?
            do {
                try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { await client.run() }
                    defer { inner.cancelAll() }
                    try await body(client)
                }
            } catch {
                failure = error
            }
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: self.logger)
            if let failure { throw failure }
        }
    }
}
