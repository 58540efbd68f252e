import Deadline
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization
import _ConnectionPoolModule

/// PostgreSQL's connection pool (PostgresNIO's `PostgresClient`), made anew when PostgreSQL is
/// back after an outage.
///
/// PostgresNIO's pool retries a connection that failed after a back-off that grows by a quarter
/// at each attempt, up to a minute, and does not try sooner when PostgreSQL comes back. Measured
/// here: after PostgreSQL had been stopped for 90 s, the catalog, sign-in and checkout stayed at
/// 503 for 26 s more (after five minutes away it would be up to a minute).
///
/// So every ``checkInterval`` the pool is asked `SELECT 1`. When it does not answer and
/// PostgreSQL's address refuses connections (nothing listens there: PostgreSQL stopped), it is
/// away at once. Otherwise a probe (a client of its own, no back-off) asks too: when two probes
/// in a row got no answer either, PostgreSQL is away (one alone may be a new connection slowed by
/// load). Once a probe gets an answer after that, a fresh client takes the stuck pool's place,
/// and the old pool is shut down after ``retirementDelay``, so that the requests it still holds
/// end on their own. A pool that is merely slow (every connection busy) while PostgreSQL answers
/// is left alone.
///
/// While PostgreSQL is away (from a refused connection or the second probe in a row without an
/// answer, until a pool that answers is in place) every call fails at once with
/// ``DatabaseUnreachable`` instead of waiting for a connection that will not come: a request that
/// needs PostgreSQL is told so in milliseconds, not at its deadline. The calls the pool held
/// waiting when PostgreSQL went away fail then too (the pool is shut down; PostgresNIO fails them
/// with `PSQLError.poolClosed`).
///
/// Run it as a `Service` (it runs the clients); its methods are `PostgresClient`'s, on the
/// client in place when they are called.
public final class DatabasePool: Service, Sendable {
    /// How often the pool is asked whether it answers.
    public let checkInterval: Duration
    /// How long a check waits for its answer.
    public let checkTimeout: Duration
    /// How long a replaced pool keeps running for the requests it still holds.
    public let retirementDelay: Duration

    private let configuration: PostgresClient.Configuration
    private let logger: Logger
    private let current: Mutex<RunningClient>
    private let replacements = Atomic<Int>(0)
    private let away = Atomic<Bool>(false)
    /// Whether the first client's `run()` has begun, and who waits for it.
    private let start = Mutex<(running: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// A client and the means to stop running it.
    private struct RunningClient: Sendable {
        let client: PostgresClient
        let retired: AsyncStream<Void>
        let retire: AsyncStream<Void>.Continuation

        init(_ configuration: PostgresClient.Configuration, logger: Logger) {
            self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            (self.retired, self.retire) = AsyncStream.makeStream()
        }

        /// Runs the client until it is retired or the task is cancelled; `started` is called as
        /// the client's `run()` is (a client asked for a connection before logs a warning).
        func run(started: @escaping @Sendable () -> Void) async {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    started()
                    await self.client.run()
                }
                for await _ in self.retired {}
                group.cancelAll()
            }
        }
    }

    public init(
        configuration: PostgresClient.Configuration,
        logger: Logger,
        checkInterval: Duration = .seconds(1),
        checkTimeout: Duration = .seconds(1),
        retirementDelay: Duration = .seconds(30)
    ) {
        self.configuration = configuration
        self.logger = logger
        self.checkInterval = checkInterval
        self.checkTimeout = checkTimeout
        self.retirementDelay = retirementDelay
        self.current = Mutex(RunningClient(configuration, logger: logger))
    }

    /// The client in place now.
    public var client: PostgresClient { self.current.withLock { $0.client } }

    /// How many times a stuck pool has been replaced so far.
    public var replacementCount: Int { self.replacements.load(ordering: .relaxed) }

    /// Whether PostgreSQL counts as away: its address refused a connection or two probes in a
    /// row got no answer, and no pool has answered since. Calls then fail at once with
    /// ``DatabaseUnreachable``.
    public var isAway: Bool { self.away.load(ordering: .relaxed) }

    /// Runs the pool and watches it until the task is cancelled or shutdown begins.
    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                _ = await self.launch(self.current.withLock { $0 }, in: &group)
                self.firstClientStarted()
                // Probes in a row that PostgreSQL did not answer.
                var unansweredProbes = 0
                var quiet = self.logger
                quiet.logLevel = .error
                while (try? await Task.sleep(for: self.checkInterval)) != nil {
                    if await self.answers(self.client) {
                        unansweredProbes = 0
                        self.markAway(false)
                        continue
                    }
                    if await self.refusesConnections() {
                        unansweredProbes = max(unansweredProbes, 2)
                        await self.goAway(in: &group)
                        continue
                    }
                    // A probe (a client of its own, logging errors only: its failed connections,
                    // several a second while PostgreSQL is away, are expected) tells whether
                    // PostgreSQL answers at all.
                    let probe = await self.launch(RunningClient(self.configuration, logger: quiet), in: &group)
                    let reachable = await self.answers(probe.client)
                    probe.retire.finish()
                    guard reachable else {
                        unansweredProbes += 1
                        if unansweredProbes >= 2 { await self.goAway(in: &group) }
                        continue
                    }
                    guard unansweredProbes >= 2 else {
                        unansweredProbes = 0
                        continue
                    }
                    let fresh = await self.launch(RunningClient(self.configuration, logger: self.logger), in: &group)
                    guard await self.answers(fresh.client) else {
                        fresh.retire.finish()
                        continue
                    }
                    unansweredProbes = 0
                    let replaced = self.current.withLock { current in
                        defer { current = fresh }
                        return current
                    }
                    self.replacements.add(1, ordering: .relaxed)
                    self.markAway(false)
                    self.logger.notice("a new connection pool replaces the one backing off")
                    group.addTask {
                        try? await Task.sleep(for: self.retirementDelay)
                        replaced.retire.finish()
                    }
                }
            }
        }
    }

    /// PostgreSQL is away: calls fail at once from now on, and so do those the pool in place
    /// holds waiting for a connection, rather than at their deadlines: a fresh client takes its
    /// place, and the old one is shut down at once, which fails every request it holds.
    private func goAway(in group: inout DiscardingTaskGroup) async {
        guard !self.isAway else { return }
        self.markAway(true)
        let fresh = await self.launch(RunningClient(self.configuration, logger: self.logger), in: &group)
        let replaced = self.current.withLock { current in
            defer { current = fresh }
            return current
        }
        replaced.retire.finish()
    }

    /// Notes whether PostgreSQL is away, and says so in the log when that changes.
    private func markAway(_ isAway: Bool) {
        guard self.away.exchange(isAway, ordering: .relaxed) != isAway else { return }
        if isAway {
            self.logger.warning("postgresql does not answer; calls that need it fail at once until it does")
        } else {
            self.logger.notice("postgresql answers again")
        }
    }

    /// Runs `client` in `group`, and returns it once its `run()` has begun.
    private func launch(_ client: RunningClient, in group: inout DiscardingTaskGroup) async -> RunningClient {
        await withCheckedContinuation { started in
            group.addTask { await client.run(started: { started.resume() }) }
        }
        return client
    }

    private func firstClientStarted() {
        let waiting = self.start.withLock { start in
            start.running = true
            defer { start.waiting = [] }
            return start.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    /// The client in place, once the first one runs: a client asked for a connection before its
    /// `run()` began logs a warning (the caches ask as the process starts). Throws
    /// ``DatabaseUnreachable`` while PostgreSQL is away.
    private func runningClient() async throws -> PostgresClient {
        guard !self.isAway else { throw DatabaseUnreachable() }
        if !self.start.withLock({ $0.running }) {
            await withCheckedContinuation { waiter in
                let running = self.start.withLock { start in
                    if !start.running { start.waiting.append(waiter) }
                    return start.running
                }
                if running { waiter.resume() }
            }
        }
        return self.client
    }

    /// `call` on the client in place. PostgresNIO's pool fails requests with a
    /// `ConnectionPoolError` of its own, not a `PSQLError`, in two cases: its circuit breaker
    /// (once its connections have failed for a minute it fails every request at once), and its
    /// shutdown (the requests it held when PostgreSQL went away, see ``goAway(in:)``, on some of
    /// its paths). Both are said as ``DatabaseUnreachable``.
    private func onRunningClient<Result>(
        _ call: (PostgresClient) async throws -> sending Result
    ) async throws -> sending Result {
        let client = try await self.runningClient()
        do {
            return try await call(client)
        } catch let error as ConnectionPoolError
            where error == .connectionCreationCircuitBreakerTripped || error == .poolShutdown
        {
            throw DatabaseUnreachable()
        }
    }

    /// Whether PostgreSQL's address refuses a connection (TCP's refusal, or no Unix socket
    /// there): nothing listens, which is known in milliseconds, where a connection that is merely
    /// slow or a server that accepts but does not answer is not.
    private func refusesConnections() async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(self.checkTimeout))
        do {
            let channel: any Channel
            if let path = self.configuration.unixSocketPath {
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            } else {
                channel = try await bootstrap.connect(
                    host: self.configuration.host ?? "127.0.0.1",
                    port: self.configuration.port ?? 5432
                ).get()
            }
            try? await channel.close()
            return false
        } catch let error as NIOConnectionError {
            return !error.connectionErrors.isEmpty
                && error.connectionErrors.allSatisfy { Self.isRefusal($0.error) }
        } catch {
            return Self.isRefusal(error)
        }
    }

    private static func isRefusal(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return error.errnoCode == ECONNREFUSED || error.errnoCode == ENOENT
    }

    private func answers(_ client: PostgresClient) async -> Bool {
        let logger = self.logger
        do {
            try await withDeadline(self.checkTimeout, orThrow: CancellationError()) {
                try await client.execute("SELECT 1", logger: logger)
            }
            return true
        } catch {
            return false
        }
    }

    // MARK: PostgresClient's methods, on the client in place

    /// See `PostgresClient.withConnection(isolation:_:)`.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.onRunningClient { try await $0.withConnection(isolation: isolation, body) }
    }

    /// See `PostgresClient.withTransaction(logger:file:line:isolation:_:)`.
    public func withTransaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.onRunningClient { try await $0.withTransaction(logger: logger, isolation: isolation, body) }
    }

    /// See `PostgresClient.query(_:logger:file:line:)`.
    public func query(_ query: PostgresQuery, logger: Logger? = nil) async throws -> PostgresRowSequence {
        try await self.onRunningClient { try await $0.query(query, logger: logger) }
    }

    /// See `PostgresClient.rows(_:logger:)`.
    public func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.onRunningClient { try await $0.rows(query, logger: logger) }
    }

    /// See `PostgresClient.execute(_:logger:)`.
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        try await self.onRunningClient { try await $0.execute(query, logger: logger) }
    }

    /// See `PostgresClient.withTransactionCommittedUnlessCancelled(logger:isolation:_:)`.
    public func withTransactionCommittedUnlessCancelled<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.onRunningClient {
            try await $0.withTransactionCommittedUnlessCancelled(logger: logger, isolation: isolation, body)
        }
    }

    /// See `PostgresClient.rowsCommittedUnlessCancelled(_:logger:)`.
    public func rowsCommittedUnlessCancelled(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.onRunningClient { try await $0.rowsCommittedUnlessCancelled(query, logger: logger) }
    }
}
