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
        try await self.withPoolBehindProxy(checkInterval: .milliseconds(200), checkTimeout: .milliseconds(500)) {
            pool,
            proxy in
            proxy.cut()
            try await Task.sleep(for: .seconds(30))
            proxy.restore()
            let back = ContinuousClock.now
            // Each try with a deadline, as a request has: one left waiting in the old pool's
            // queue is answered 503 while the next one is served.
            let answered = try await self.answersAgain(pool, eachTry: .milliseconds(200), within: .seconds(10))
            let waited = ContinuousClock.now - back
            #expect(answered)
            #expect(
                waited < .milliseconds(1500),
                "answered \(waited) after PostgreSQL came back (pools replaced: \(pool.replacementCount))"
            )
        }
    }

    /// Once two probes in a row got no answer, a call fails at once with `DatabaseUnreachable`
    /// rather than waiting for a connection (which would last until the deadline here); once
    /// PostgreSQL is back, calls are answered again.
    @Test(.timeLimit(.minutes(1)))
    func callsFailAtOnceWhilePostgreSQLIsAwayAndAreAnsweredWhenItIsBack() async throws {
        try await self.withPoolBehindProxy(checkInterval: .milliseconds(100), checkTimeout: .milliseconds(300)) {
            pool,
            proxy in
            let logger = self.logger
            #expect(!pool.isAway)
            proxy.cut()
            let cut = ContinuousClock.now
            while !pool.isAway, ContinuousClock.now - cut < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            try #require(pool.isAway)
            await #expect(throws: DatabaseUnreachable.self) {
                try await withDeadline(.seconds(10), orThrow: CancellationError()) {
                    try await pool.rows("SELECT 1", logger: logger)
                }
            }
            proxy.restore()
            #expect(try await self.answersAgain(pool, eachTry: .milliseconds(300), within: .seconds(20)))
            #expect(!pool.isAway)
        }
    }

    /// A call already waiting for a connection when PostgreSQL goes away fails as it becomes
    /// away (about 1.5 s here), with an error that says PostgreSQL cannot answer, instead of
    /// waiting on until its deadline (20 s here).
    @Test(.timeLimit(.minutes(1)))
    func aCallWaitingForAConnectionFailsWhenPostgreSQLBecomesAway() async throws {
        try await self.withPoolBehindProxy(checkInterval: .milliseconds(100), checkTimeout: .milliseconds(300)) {
            pool,
            proxy in
            let logger = self.logger
            proxy.cut()
            // Long enough for the pool to see its connections closed, short of the probes' verdict.
            try await Task.sleep(for: .milliseconds(200))
            #expect(!pool.isAway)
            let start = ContinuousClock.now
            var failure: (any Error)?
            do {
                _ = try await withDeadline(.seconds(20), orThrow: CancellationError()) {
                    try await pool.rows("SELECT 1", logger: logger)
                }
            } catch {
                failure = error
            }
            let waited = ContinuousClock.now - start
            #expect(pool.isAway)
            #expect(failure.map(DatabaseUnreachable.describes) == true, "\(String(describing: failure))")
            #expect(waited < .seconds(5), "failed after \(waited)")
            proxy.restore()
            #expect(try await self.answersAgain(pool, eachTry: .milliseconds(300), within: .seconds(20)))
        }
    }

    /// PostgreSQL stopped (its port refuses connections, as port 1 here does) is away at the
    /// first check that gets no answer: about `checkInterval + checkTimeout` (2.2 s here), where
    /// two probes that each wait out `checkTimeout` would take 8.4 s.
    @Test(.timeLimit(.minutes(1)))
    func anAddressThatRefusesConnectionsIsAwayAtTheFirstUnansweredCheck() async throws {
        let database = TestEnvironment.database
        let refusing = PostgresClient.Configuration(
            host: "127.0.0.1",
            port: 1,
            username: database.username,
            password: database.password,
            database: database.database,
            tls: .disable
        )
        let pool = DatabasePool(
            configuration: refusing,
            logger: self.logger,
            checkInterval: .milliseconds(200),
            checkTimeout: .seconds(2)
        )
        try await self.whileRunning(pool) {
            let start = ContinuousClock.now
            while !pool.isAway, ContinuousClock.now - start < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            let waited = ContinuousClock.now - start
            #expect(pool.isAway)
            #expect(waited < .milliseconds(4500), "away after \(waited)")
            let logger = self.logger
            await #expect(throws: DatabaseUnreachable.self) {
                try await withDeadline(.seconds(10), orThrow: CancellationError()) {
                    try await pool.rows("SELECT 1", logger: logger)
                }
            }
        }
    }

    /// PostgresNIO's pool, after a minute of failed connections, fails requests at once with
    /// its circuit breaker's error (a `ConnectionPoolError`, which the API would answer with a
    /// 500): that is said as `DatabaseUnreachable` too. The probes are kept out of it here (a
    /// check interval of an hour), so that they do not find PostgreSQL away first.
    @Test(.timeLimit(.minutes(3)))
    func aPoolWhoseCircuitBreakerTrippedFailsWithDatabaseUnreachable() async throws {
        try await self.withPoolBehindProxy(checkInterval: .seconds(3600)) { pool, proxy in
            let logger = self.logger
            proxy.cut()
            // Until the breaker trips, a call fails on the connection that closed, or waits for a
            // new one until its deadline ends it.
            let cut = ContinuousClock.now
            var failure: (any Error)? = CancellationError()
            while failure is CancellationError || failure is PSQLError, ContinuousClock.now - cut < .seconds(120) {
                do {
                    _ = try await withDeadline(.seconds(1), orThrow: CancellationError()) {
                        try await pool.rows("SELECT 1", logger: logger)
                    }
                    failure = nil
                } catch {
                    failure = error
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(failure is DatabaseUnreachable, "\(String(describing: failure))")
            #expect(!pool.isAway)
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
        try await self.whileRunning(pool) {
            let before = pool.client
            // The one connection, busy for 2 s: three or four checks time out meanwhile, and their
            // probes (new connections, which a loaded machine may slow past the timeout) answer.
            _ = try await pool.rows("SELECT pg_sleep(2)", logger: self.logger)
            #expect(pool.replacementCount == 0)
            #expect(pool.client === before)
            _ = try await pool.rows("SELECT 1", logger: self.logger)
        }
    }

    /// Runs `test` while `pool` runs.
    private func whileRunning(_ pool: DatabasePool, _ test: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            defer { group.cancelAll() }
            try await test()
        }
    }

    /// Runs `test` with a running pool that reaches the test PostgreSQL through a fault proxy,
    /// once the pool has answered through it.
    private func withPoolBehindProxy(
        checkInterval: Duration,
        checkTimeout: Duration = .seconds(1),
        _ test: (DatabasePool, TestTCPProxy) async throws -> Void
    ) async throws {
        let (proxy, throughProxy) = try await TestEnvironment.databaseProxy()
        defer { Task { try? await proxy.stop() } }
        let pool = DatabasePool(
            configuration: throughProxy,
            logger: self.logger,
            checkInterval: checkInterval,
            checkTimeout: checkTimeout,
            retirementDelay: .seconds(1)
        )
        try await self.whileRunning(pool) {
            _ = try await pool.rows("SELECT 1", logger: self.logger)
            try await test(pool, proxy)
        }
    }

    /// Whether `pool` answers `SELECT 1` within `within`, each try with a deadline of `eachTry`
    /// (a try fails at once while PostgreSQL still counts as away).
    private func answersAgain(_ pool: DatabasePool, eachTry: Duration, within: Duration) async throws -> Bool {
        let logger = self.logger
        let start = ContinuousClock.now
        while ContinuousClock.now - start < within {
            let answered =
                (try? await withDeadline(eachTry, orThrow: CancellationError()) {
                    try await pool.rows("SELECT 1", logger: logger)
                }) != nil
            if answered { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
