import CartDomain
import CartStore
import Database
import Deadline
import Foundation
import Logging
import Metrics
import PostgresNIO
import RedisClient
import ServiceLifecycle
import Synchronization

/// The write-behind flusher: takes records from the write-behind streams, reads each named
/// cart's current snapshot from Redis, writes the batch to PostgreSQL in one transaction and
/// only then acknowledges the records (at-least-once).
///
/// While PostgreSQL or Redis is down it retries the same batch with capped exponential
/// back-off, logging once per change of state. On graceful shutdown it finishes the batch in
/// hand (or leaves it unacknowledged, for the next flusher to claim) and stops.
public final class CartFlusher: Service, Sendable {
    private let configuration: FlusherConfiguration
    /// One queue per worker, each over its own shards' streams: a cart (which lives on one
    /// shard) is never in two of this flusher's batches at once.
    private let workerQueues: [WriteBehindQueue]
    private let wholeQueue: WriteBehindQueue
    private let redis: RedisClient
    private let store: RedisCartStore
    private let writer: CartSnapshotWriter
    private let sweeper: CartSweeper
    private let archiver: CartArchiver
    private let health: FlusherHealth
    private let now: @Sendable () -> Int64
    private let metrics = FlusherMetrics()

    public init(
        configuration: FlusherConfiguration,
        redis: RedisClient,
        postgres: DatabasePool,
        settings: CartSettings,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.configuration = configuration
        let workers = max(1, min(configuration.workers, CartKeys.shardCount))
        self.workerQueues = (0..<workers).map { worker in
            WriteBehindQueue(
                redis: redis,
                consumer: configuration.consumerName,
                shards: Array(stride(from: worker, to: CartKeys.shardCount, by: workers))
            )
        }
        self.wholeQueue = WriteBehindQueue(redis: redis, consumer: configuration.consumerName)
        self.redis = redis
        self.store = RedisCartStore(redis: redis, settings: settings, now: now)
        self.writer = CartSnapshotWriter(postgres: postgres, logger: logger)
        self.sweeper = CartSweeper(
            postgres: postgres,
            abandonedAfterMilliseconds: configuration.abandonedAfterMilliseconds,
            logger: logger
        )
        self.archiver = CartArchiver(
            postgres: postgres,
            archiveAfterMilliseconds: configuration.archiveAfterMilliseconds,
            logger: logger
        )
        self.health = FlusherHealth(logger: logger)
        self.now = now
    }

    /// Runs the workers, which overlap their PostgreSQL transactions, and the housekeeping
    /// (sweep, backlog gauge) until shutdown.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for (worker, queue) in self.workerQueues.enumerated() {
                group.addTask { await self.drain(queue, worker: worker) }
            }
            group.addTask { await self.keepHouse() }
        }
    }

    private var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// The longest one batch's transaction may take before the attempt counts as failed.
    static let writeTimeout: Duration = .seconds(10)

    /// A batch's transaction did not finish within ``writeTimeout``.
    struct WriteTimedOut: Error {}

    /// One worker: takes batches from its streams (first any a dead flusher left pending too
    /// long) and flushes them, until shutdown.
    ///
    /// A worker starts at most one batch per interval unless its last batch was full: changes
    /// that arrive meanwhile wait (well inside the 1 s lag budget) and go in one transaction,
    /// where a cart changed twice is written once. Taking each change as it came made batches
    /// of a few dozen records, and PostgreSQL spent its time on per-transaction work.
    private func drain(_ queue: WriteBehindQueue, worker: Int) async {
        var failures = 0
        var lastClaim: Int64 = 0
        var groupsReady = false
        while !self.isStopping {
            do {
                if !groupsReady {
                    try await queue.ensureGroups()
                    groupsReady = true
                }
                var batch: [WriteBehindRecord] = []
                if self.now() - lastClaim >= Int64(self.configuration.claimAfterMilliseconds) / 2 {
                    batch = try await queue.claimStale(
                        idleMilliseconds: self.configuration.claimAfterMilliseconds,
                        count: self.configuration.batchSize
                    )
                    lastClaim = self.now()
                }
                if batch.isEmpty {
                    batch = try await queue.readNew(count: self.configuration.batchSize)
                }
                failures = self.health.succeeded(worker: worker, after: failures)
                if batch.isEmpty {
                    try? await Task.sleep(for: .milliseconds(self.configuration.intervalMilliseconds))
                    continue
                }
                let started = ContinuousClock.now
                failures = await self.flushUntilDone(batch, worker: worker)
                if batch.count < self.configuration.batchSize {
                    try? await Task.sleep(until: started + .milliseconds(self.configuration.intervalMilliseconds))
                }
            } catch {
                // A Redis restarted empty has lost the groups: create them again.
                groupsReady = false
                failures = self.health.failed(
                    worker: worker,
                    after: failures,
                    error,
                    while: "reading the write-behind queue"
                )
                try? await Task.sleep(for: .milliseconds(self.backoffMilliseconds(failures)))
            }
        }
    }

    /// Flushes one batch, retrying with back-off until it is written and acknowledged, or
    /// until shutdown begins (then the records stay pending for a later claim). Returns the
    /// worker's failure count afterwards.
    private func flushUntilDone(_ batch: [WriteBehindRecord], worker: Int) async -> Int {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await self.flush(batch)
                return self.health.succeeded(worker: worker, after: failures)
            } catch {
                failures = self.health.failed(
                    worker: worker,
                    after: failures,
                    error,
                    while: "writing a batch to PostgreSQL"
                )
                self.metrics.retries.increment()
                if Task.isShuttingDownGracefully { return failures }
                try? await Task.sleep(for: .milliseconds(self.backoffMilliseconds(failures)))
            }
        }
        return failures
    }

    /// 100 ms doubling with each consecutive failure, up to the configured cap.
    private func backoffMilliseconds(_ failures: Int) -> Int {
        min(self.configuration.maximumBackoffMilliseconds, 100 << min(max(failures - 1, 0), 10))
    }

    /// The expiry and abandonment sweep and the archive when they are due, and the backlog
    /// gauge every second.
    private func keepHouse() async {
        var lastSweep: Int64 = 0
        var lastBacklog: Int64 = 0
        while !self.isStopping {
            if self.now() - lastSweep >= self.configuration.cleanupIntervalMilliseconds {
                // A failed sweep is tried again a minute later; flushing goes on meanwhile.
                let now = self.now()
                let outcome = try? await withDeadline(Self.writeTimeout, orThrow: WriteTimedOut()) {
                    try await self.sweeper.sweep(now: now)
                }
                if let outcome, outcome.ran {
                    // Totals for every process's /metrics; a count lost to a Redis failure here
                    // costs only the figure, never a cart.
                    try? await WriteBehindStatus.add(outcome, to: self.redis)
                }
                // Every flusher archives (each batch is taken with SKIP LOCKED, so they share).
                _ = try? await self.archiver.archive(now: now)
                lastSweep =
                    outcome != nil ? self.now() : self.now() - self.configuration.cleanupIntervalMilliseconds + 60_000
            }
            if self.now() - lastBacklog >= 1000, let backlog = try? await self.wholeQueue.backlog() {
                self.metrics.backlog.record(backlog)
                lastBacklog = self.now()
            }
            try? await Task.sleep(for: .milliseconds(self.configuration.intervalMilliseconds))
        }
    }

    /// One attempt: read the snapshots, write them in one transaction, acknowledge.
    func flush(_ batch: [WriteBehindRecord]) async throws {
        let carts = try await self.store.snapshots(ofCartKeys: Array(Set(batch.map(\.cartKey))))
        // A batch PostgreSQL has not committed in time is retried (the upserts are idempotent).
        let advanced = try await withDeadline(Self.writeTimeout, orThrow: WriteTimedOut()) {
            try await self.writer.write(carts)
        }
        try await self.wholeQueue.acknowledge(batch)
        let committedAt = self.now()
        for record in batch {
            self.metrics.lag.recordMilliseconds(max(0, committedAt - record.changedAt))
        }
        self.metrics.batchSize.record(batch.count)
        self.metrics.upserts.increment(by: advanced)
    }
}

/// Whether the flusher as a whole is failing, so the log gets one line when the first worker
/// starts failing and one when the last recovers, however many workers there are.
private final class FlusherHealth: Sendable {
    private let logger: Logger
    private let failingWorkers = Mutex<Set<Int>>([])

    init(logger: Logger) {
        self.logger = logger
    }

    /// Records a success; returns the worker's new failure count (0).
    func succeeded(worker: Int, after failures: Int) -> Int {
        guard failures > 0 else { return 0 }
        let recovered = self.failingWorkers.withLock { failing in
            failing.remove(worker)
            return failing.isEmpty
        }
        if recovered {
            self.logger.info("write-behind flushing recovered", metadata: ["failed_attempts": "\(failures)"])
        }
        return 0
    }

    /// Records a failure; returns the worker's new failure count.
    func failed(worker: Int, after failures: Int, _ error: any Error, while activity: String) -> Int {
        let first = self.failingWorkers.withLock { failing in
            let wasHealthy = failing.isEmpty
            failing.insert(worker)
            return wasHealthy
        }
        if first {
            self.logger.warning(
                "write-behind flushing failing; retrying with back-off",
                metadata: ["while": "\(activity)", "error": "\(String(describing: type(of: error)))"]
            )
        }
        return failures + 1
    }
}

/// The flusher's metrics (served on its own `/metrics` port by `hotcart flush`).
struct FlusherMetrics: Sendable {
    let lag = Timer(label: "hotcart_flush_lag_seconds", preferredDisplayUnit: .seconds)
    let batchSize = Recorder(label: "hotcart_flush_batch_size")
    let upserts = Counter(label: "hotcart_flush_upserts_total")
    let retries = Counter(label: "hotcart_flush_retries_total")
    let backlog = Gauge(label: "hotcart_flush_backlog")
}
