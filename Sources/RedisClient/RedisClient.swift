import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An asynchronous Redis client for one Redis server or a Redis Cluster: a small pool of
/// pipelined connections per node.
///
/// Every call answers within about ``Configuration/commandTimeout``: with a reply, with the
/// server's error, or with ``RedisError`` when Redis is unreachable. Connections lost when
/// Redis restarts are replaced by the pool without a restart of the process. Run the
/// client as a `Service` (``run()``) before sending commands.
///
/// With one seed the client talks to that node alone, and becomes a cluster client only when
/// the node turns out to be a cluster node (it answers `CLUSTER SLOTS`, or redirects a
/// command): a single Redis pays for nothing but one `CLUSTER SLOTS` at start.
public final class RedisClient: Service, Sendable {
    /// How the client connects and how long it waits.
    public struct Configuration: Sendable {
        /// One Redis server, or any nodes of a cluster (the client learns the others).
        public var seeds: [RedisEndpoint]
        /// Connections kept open per node; each carries many commands at once.
        public var connections: Int = 2
        /// Commands in flight on one connection before callers queue for a connection. High: a
        /// queued call fails after the lease timeout, a deeper pipeline costs Redis nothing extra,
        /// and a queued call is what makes postgres-nio's pool state machine open a connection on
        /// demand (the path that trapped for PostgreSQL's pool while it restarted; the Redis pool
        /// comes back to all its connections after an outage, as a test checks). The pool counts
        /// a node's streams in 16 bits, so `connections` times this stays below 65,536.
        public var commandsPerConnection: UInt16 = 16_384
        public var connectTimeout: TimeAmount = .milliseconds(400)
        public var commandTimeout: TimeAmount = .milliseconds(600)
        /// How long a call waits for a connection (only when none is open: a connection
        /// carries many commands at once), so an unreachable Redis fails a call well within 1 s.
        public var leaseTimeout: TimeAmount = .milliseconds(500)
        /// How long before a call's command timeout the deadline given to a script falls (see
        /// ``RedisScript/takesDeadline``): time for the reply of a script that started just
        /// before its deadline to reach the caller while it still waits. Less than
        /// `commandTimeout`.
        public var scriptDeadlineMargin: TimeAmount = .milliseconds(100)
        /// How often each node's clock is read again (with `TIME`), so that the deadlines given
        /// to scripts follow a step of the server's clock.
        public var clockReadInterval: Duration = .seconds(30)
        /// How long connection attempts may fail before waiting calls fail fast.
        public var failFastAfter: Duration = .milliseconds(200)
        /// Where a new connection that Redis refuses (a wrong password, a database it does not
        /// have) is said: calls only fail with 503, and no retry mends a misconfiguration.
        public var logger = Logger(label: "hotcart.redis")

        public init(endpoint: RedisEndpoint) {
            self.seeds = [endpoint]
        }

        /// A client of the nodes `seeds` (not empty): one server, or nodes of one cluster.
        public init(seeds: [RedisEndpoint]) {
            precondition(!seeds.isEmpty, "a Redis client needs at least one node")
            self.seeds = seeds
        }
    }

    private let seed: RedisNodePool
    private let cluster: RedisCluster
    private let poolsToRun: AsyncStream<RedisNodePool>
    private let callLatency: Timer
    private let connectTimeout: TimeAmount
    /// From a call's start to the deadline its script gets, in milliseconds.
    private let scriptTimeAllowed: Int64

    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        let (poolsToRun, newPool) = AsyncStream.makeStream(of: RedisNodePool.self)
        let makePool: @Sendable (RedisEndpoint) -> RedisNodePool = { endpoint in
            let pool = RedisNodePool(endpoint: endpoint, configuration: configuration, eventLoopGroup: eventLoopGroup)
            newPool.yield(pool)
            return pool
        }
        self.poolsToRun = poolsToRun
        self.seed = makePool(configuration.seeds[0])
        self.cluster = RedisCluster(seeds: configuration.seeds, firstSeed: self.seed, makePool: makePool)
        self.connectTimeout = configuration.connectTimeout
        precondition(
            configuration.scriptDeadlineMargin < configuration.commandTimeout,
            "a script's deadline must fall before its call's command timeout"
        )
        self.scriptTimeAllowed =
            (configuration.commandTimeout - configuration.scriptDeadlineMargin).nanoseconds / 1_000_000
        self.callLatency = Timer(label: Self.callDuration.label, preferredDisplayUnit: .seconds)
    }

    /// The timer every call is recorded in, and the histogram buckets it needs, for the
    /// process's metrics factory (a swift-metrics `Timer` names no buckets): a call takes tens of
    /// microseconds to a few milliseconds and is given up within about a second, where a factory's
    /// usual buckets start at 5 ms.
    public static let callDuration = (
        label: "hotcart_redis_call_duration_seconds",
        buckets: [50, 100, 250, 500].map(Duration.microseconds)
            + [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000].map(Duration.milliseconds)
    )

    /// Keeps every node's connections open, and the cluster's slot map current, until the
    /// task is cancelled or shutdown begins.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.cluster.runRefresher() }
                for await pool in self.poolsToRun {
                    group.addTask { await pool.run() }
                }
            }
        }
    }

    /// Whether the client routes commands over a Redis Cluster.
    public var isCluster: Bool { self.cluster.isActive }

    /// Sends one command (to the node serving its key, on a cluster) and returns its reply.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        let start = ContinuousClock.now
        defer { self.callLatency.recordInterval(since: start) }
        if self.cluster.isActive { return try await self.cluster.send(arguments) }
        do {
            return try await self.seed.send(arguments)
        } catch let error as RedisError where error.redirection(answeredBy: self.seed.endpoint) != nil {
            self.cluster.activate()
            return try await self.cluster.send(arguments)
        }
    }

    /// Sends several commands in one round trip per node and returns their replies in order.
    /// They are not atomic: another client's command may run between them. The first error
    /// reply is thrown.
    public func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        let start = ContinuousClock.now
        defer { self.callLatency.recordInterval(since: start) }
        if self.cluster.isActive { return try await self.cluster.send(pipeline: commands) }
        let results = try await self.seed.results(of: commands)
        let redirected = results.contains { result in
            if case .failure(let error) = result {
                error.redirection(answeredBy: self.seed.endpoint) != nil
            } else {
                false
            }
        }
        guard redirected else { return try results.map { try $0.get() } }
        self.cluster.activate()
        return try await self.cluster.completing(commands, results: results)
    }

    /// Sends a keyless command to every master (the one server, without a cluster) and returns
    /// their replies, for figures a cluster keeps per node (`DBSIZE`, `INFO`).
    public func sendToEveryMaster(_ arguments: [String]) async throws -> [RedisValue] {
        let masters = self.cluster.isActive ? self.cluster.masters() : [self.seed]
        return try await withThrowingTaskGroup(of: RedisValue.self) { group in
            for master in masters { group.addTask { try await master.send(arguments) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Receives what is published with `SPUBLISH` on the sharded `channels`, one subscribed
    /// connection per node serving them, until the task is cancelled; or throws when a
    /// connection fails or a channel's slot moves to another node. Messages published while no
    /// subscription stands are not received: subscribe again, and treat `onSubscribed` (run
    /// once per node when its channels are confirmed) as "anything may have been missed".
    public func subscribe(
        toShardChannels channels: [String],
        onSubscribed: @escaping @Sendable () -> Void,
        onMessage: @escaping @Sendable (_ channel: String, _ message: String) -> Void
    ) async throws {
        let byNode = Dictionary(grouping: channels) { channel in
            self.cluster.isActive ? self.cluster.endpoint(forSlot: HashSlot.of(channel)) : self.seed.endpoint
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (endpoint, channels) in byNode {
                    let subscription = RedisShardSubscription(
                        endpoint: endpoint,
                        channels: channels,
                        connectTimeout: self.connectTimeout,
                        pingInterval: .seconds(1)
                    )
                    group.addTask { try await subscription.run(onSubscribed: onSubscribed, onMessage: onMessage) }
                }
                // One node's subscription ending ends them all: the caller subscribes again.
                try await group.next()
                group.cancelAll()
            }
        } catch let error as RedisError {
            if error.redirection(answeredBy: self.seed.endpoint) != nil { self.cluster.activate() }
            if self.cluster.isActive { self.cluster.requestRefresh() }
            throw error
        }
    }

    /// Runs a script with EVALSHA; when Redis has lost its script cache (after a restart or
    /// `SCRIPT FLUSH`) it runs it with EVAL, which loads it again. A script that takes a
    /// deadline gets it after `arguments`, in the clock of the node serving its first key.
    public func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisValue {
        var command: [String] = []
        command.reserveCapacity(4 + keys.count + arguments.count)
        command += ["EVALSHA", script.sha1, String(keys.count)]
        command += keys
        command += arguments
        if script.takesDeadline {
            command.append(String(self.serverClock(forKey: keys.first).now() + self.scriptTimeAllowed))
        }
        do {
            return try await self.send(command)
        } catch let error as RedisError where error.serverMessage?.hasPrefix("NOSCRIPT") == true {
            command[0] = "EVAL"
            command[1] = script.source
            return try await self.send(command)
        }
    }

    /// The clock of the node a command on `key` goes to (the one server's, without a cluster).
    private func serverClock(forKey key: String?) -> RedisServerClock {
        guard self.cluster.isActive, let key else { return self.seed.clock }
        return self.cluster.clock(forSlot: HashSlot.of(key))
    }
}

extension Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        self.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
    }
}
