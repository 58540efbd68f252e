import Database
import Deadline
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// `DatabasePool` against the test PostgreSQL behind a relay that can take it away.
@Suite struct DatabasePoolTests {
    private let logger = Logger(label: "test.pool")

    /// After 30 s away PostgresNIO's pool waits up to 7.5 s before its next try (its back-off
    /// grows by a quarter at each failed attempt); the pool answers within 1.5 s of PostgreSQL's
    /// return instead. (Without the replacement this fails unless the old pool's own next try
    /// happens to fall in that window.)
    @Test(.timeLimit(.minutes(2)))
    func aPoolBackingOffAfterAnOutageAnswersWithinASecondOrSoOfPostgreSQLsReturn() async throws {
        let (proxy, throughProxy) = try await TestEnvironment.databaseProxy()
        defer { Task { try? await proxy.stop() } }
        let pool = DatabasePool(
            configuration: throughProxy,
            logger: self.logger,
            checkInterval: .milliseconds(200),
            checkTimeout: .milliseconds(500),
            retirementDelay: .seconds(1)
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            defer { group.cancelAll() }
            _ = try await pool.rows("SELECT 1", logger: self.logger)
            proxy.cut()
            try await Task.sleep(for: .seconds(30))
            proxy.restore()
            let back = ContinuousClock.now
            var answered = false
            // Each try with a deadline, as a request has: one left waiting in the old pool's
            // queue is answered 503 while the next one is served.
            while !answered, ContinuousClock.now - back < .seconds(10) {
                let logger = self.logger
                answered =
                    (try? await withDeadline(.milliseconds(200), orThrow: CancellationError()) {
                        try await pool.rows("SELECT 1", logger: logger)
                    }) != nil
            }
            let waited = ContinuousClock.now - back
            #expect(answered)
            #expect(
                waited < .milliseconds(1500),
                "answered \(waited) after PostgreSQL came back (pools replaced: \(pool.replacementCount))"
            )
        }
    }

    /// A pool whose every connection is busy does not answer its check, but PostgreSQL answers
    /// a fresh client: it was never away, so the pool stays (no connections are opened beside it).
    @Test func aBusyPoolIsNotReplaced() async throws {
        var configuration = TestEnvironment.database
        configuration.options.maximumConnections = 1
        let pool = DatabasePool(
            configuration: configuration,
            logger: self.logger,
            checkInterval: .milliseconds(100),
            checkTimeout: .milliseconds(400),
            retirementDelay: .seconds(1)
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            defer { group.cancelAll() }
            let before = pool.client
            // The one connection, busy for 2 s: three or four checks time out meanwhile, and their
            // probes (new connections, which a loaded machine may slow past the timeout) answer.
            _ = try await pool.rows("SELECT pg_sleep(2)", logger: self.logger)
            #expect(pool.replacementCount == 0)
            #expect(pool.client === before)
            _ = try await pool.rows("SELECT 1", logger: self.logger)
        }
    }
}
