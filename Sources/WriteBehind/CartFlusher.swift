import CartDomain
import CartStore
import Foundation
import Logging
import Metrics
import PostgresNIO
import RedisClient
import ServiceLifecycle

/// The write-behind flusher: takes records from the write-behind streams, reads each named
/// cart's current snapshot from Redis, writes the batch to PostgreSQL in one transaction and
/// only then acknowledges the records (at-least-once).
///
/// While PostgreSQL or Redis is down it retries the same batch with capped exponential
/// back-off, logging once per change of state. On graceful shutdown it finishes the batch in
/// hand (or leaves it unacknowledged, for the next flusher to claim) and stops.
public final class CartFlusher: Service, Sendable {
    private let configuration: FlusherConfiguration
    private let queue: WriteBehindQueue
    private let store: RedisCartStore
    private let writer: CartSnapshotWriter
    private let sweeper: CartSweeper
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let metrics = FlusherMetrics()

    public init(
        configuration: FlusherConfiguration,
        redis: RedisClient,
        postgres: PostgresClient,
        settings: CartSettings,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.configuration = configuration
        self.queue = WriteBehindQueue(redis: redis, consumer: configuration.consumerName)
        self.store = RedisCartStore(redis: redis, settings: settings, now: now)
        self.writer = CartSnapshotWriter(postgres: postgres, logger: logger)
        self.sweeper = CartSweeper(
            postgres: postgres,
            abandonedAfterDays: configuration.abandonedAfterDays,
            logger: logger
        )
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        var health = Health(logger: self.logger)
        var lastClaim: Int64 = 0
        var lastSweep: Int64 = 0
        var groupsReady = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if self.now() - lastSweep >= self.configuration.cleanupIntervalMilliseconds {
                // A failed sweep is tried again a minute later; flushing goes on meanwhile.
                let swept = (try? await self.sweeper.sweep(now: self.now())) != nil
                lastSweep = swept ? self.now() : self.now() - self.configuration.cleanupIntervalMilliseconds + 60_000
            }
            do {
                if !groupsReady {
                    try await self.queue.ensureGroups()
                    groupsReady = true
                }
                var batch: [WriteBehindRecord] = []
                if self.now() - lastClaim >= Int64(self.configuration.claimAfterMilliseconds) / 2 {
                    batch = try await self.queue.claimStale(
                        idleMilliseconds: self.configuration.claimAfterMilliseconds,
                        count: self.configuration.batchSize
                    )
                    lastClaim = self.now()
                }
                if batch.isEmpty {
                    batch = try await self.queue.readNew(count: self.configuration.batchSize)
                }
                health.succeeded()
                if batch.isEmpty {
                    self.metrics.backlog.record(try await self.queue.backlog())
                    try? await Task.sleep(for: .milliseconds(self.configuration.intervalMilliseconds))
                    continue
                }
                try await self.flushUntilDone(batch, health: &health)
            } catch {
                // A Redis restarted empty has lost the groups: create them again.
                groupsReady = false
                health.failed(error, while: "reading the write-behind queue")
                try? await Task.sleep(
                    for: .milliseconds(health.backoffMilliseconds(cap: self.configuration.maximumBackoffMilliseconds))
                )
            }
        }
    }

    /// Flushes one batch, retrying with back-off until it is written and acknowledged, or
    /// until shutdown begins (then the records stay pending for a later claim).
    private func flushUntilDone(_ batch: [WriteBehindRecord], health: inout Health) async throws {
        while !Task.isCancelled {
            do {
                try await self.flush(batch)
                health.succeeded()
                return
            } catch {
                health.failed(error, while: "writing a batch to PostgreSQL")
                self.metrics.retries.increment()
                if Task.isShuttingDownGracefully { return }
                try? await Task.sleep(
                    for: .milliseconds(health.backoffMilliseconds(cap: self.configuration.maximumBackoffMilliseconds))
                )
            }
        }
    }

    /// One attempt: read the snapshots, write them in one transaction, acknowledge.
    func flush(_ batch: [WriteBehindRecord]) async throws {
        let cartKeys = Array(Set(batch.map(\.cartKey)))
        let carts = try await withThrowingTaskGroup(of: Cart?.self) { group in
            for key in cartKeys {
                group.addTask { try await self.store.snapshot(ofCartKey: key) }
            }
            var carts: [Cart] = []
            for try await cart in group { if let cart { carts.append(cart) } }
            return carts
        }
        let advanced = try await self.writer.write(carts)
        try await self.queue.acknowledge(batch)
        let committedAt = self.now()
        for record in batch {
            self.metrics.lag.recordMilliseconds(max(0, committedAt - record.changedAt))
        }
        self.metrics.batchSize.record(batch.count)
        self.metrics.upserts.increment(by: advanced)
    }
}

/// Whether the flusher is currently failing, for one log line per change of state and the
/// retry back-off (100 ms doubling up to a cap).
private struct Health {
    let logger: Logger
    var consecutiveFailures = 0

    mutating func succeeded() {
        if self.consecutiveFailures > 0 {
            self.logger.info(
                "write-behind flushing recovered",
                metadata: ["failed_attempts": "\(self.consecutiveFailures)"]
            )
        }
        self.consecutiveFailures = 0
    }

    mutating func failed(_ error: any Error, while activity: String) {
        if self.consecutiveFailures == 0 {
            self.logger.warning(
                "write-behind flushing failing; retrying with back-off",
                metadata: ["while": "\(activity)", "error": "\(String(describing: type(of: error)))"]
            )
        }
        self.consecutiveFailures += 1
    }

    func backoffMilliseconds(cap: Int) -> Int {
        min(cap, 100 << min(self.consecutiveFailures - 1, 10))
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
