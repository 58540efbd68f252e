import HotCartConfiguration

/// How `hotcart flush` batches and paces its work, read once from the environment.
public struct FlusherConfiguration: Sendable {
    /// Most write-behind records taken per batch (`FLUSH_BATCH_SIZE`).
    public var batchSize: Int = 500
    /// Pause when the queue is empty, in milliseconds (`FLUSH_INTERVAL_MS`).
    public var intervalMilliseconds: Int = 100
    /// Where the flusher serves `/metrics` and `/healthz` (`FLUSH_METRICS_PORT`).
    public var metricsPort: Int = 8001
    /// This flusher's name in the consumer group; unique per process.
    public var consumerName: String
    /// Records pending this long with a dead consumer are claimed by a live one.
    public var claimAfterMilliseconds: Int = 30_000
    /// How often the expiry and abandonment sweep runs (`CART_CLEANUP_INTERVAL_HOURS`), at
    /// most once a second.
    public var cleanupIntervalMilliseconds: Int64 = 24 * 3_600_000
    /// The shortest period the sweep runs at, whatever `CART_CLEANUP_INTERVAL_HOURS` asks (0,
    /// for a test that wants the sweep now, included).
    public static let shortestCleanupIntervalMilliseconds: Int64 = 1000
    /// A user cart untouched this long is `abandoned` (`CART_ABANDONED_AFTER_DAYS`).
    public var abandonedAfterMilliseconds: Int64 = 14 * 86_400_000
    /// An abandoned or expired cart untouched this long moves to the archive
    /// (`CART_ARCHIVE_AFTER_DAYS`).
    public var archiveAfterMilliseconds: Int64 = 90 * 86_400_000
    /// Batches in flight at once, each from its own share of the shards (`FLUSH_WORKERS`).
    public var workers: Int = 4
    /// Caps the retry back-off while PostgreSQL or Redis is down.
    public var maximumBackoffMilliseconds: Int = 5_000

    public init(consumerName: String) {
        self.consumerName = consumerName
    }

    public init(environment: [String: String], consumerName: String) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        self.init(consumerName: consumerName)
        self.batchSize = try reader.integer("FLUSH_BATCH_SIZE", default: 500, range: 1...100_000)
        self.intervalMilliseconds = try reader.integer("FLUSH_INTERVAL_MS", default: 100, range: 1...60_000)
        self.metricsPort = try reader.integer("FLUSH_METRICS_PORT", default: 8001, range: 0...65535)
        self.cleanupIntervalMilliseconds = max(
            Self.shortestCleanupIntervalMilliseconds,
            try reader.milliseconds(
                "CART_CLEANUP_INTERVAL_HOURS",
                default: 24,
                in: .hours,
                maximum: 8760,
                mayBeZero: true
            )
        )
        self.abandonedAfterMilliseconds = try reader.milliseconds(
            "CART_ABANDONED_AFTER_DAYS",
            default: 14,
            in: .days,
            maximum: 3650,
            mayBeZero: true
        )
        self.archiveAfterMilliseconds = try reader.milliseconds(
            "CART_ARCHIVE_AFTER_DAYS",
            default: 90,
            in: .days,
            maximum: 36500,
            mayBeZero: true
        )
        // Not in the contract: how many batches one flusher writes at once.
        self.workers = try reader.integer("FLUSH_WORKERS", default: 4, range: 1...64)
        // Not in the contract: how long a dead flusher's records wait before another claims them.
        self.claimAfterMilliseconds = try reader.integer(
            "FLUSH_CLAIM_AFTER_MS",
            default: 30_000,
            range: 100...3_600_000
        )
    }
}
