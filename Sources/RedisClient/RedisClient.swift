import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import _ConnectionPoolModule

/// An asynchronous Redis client: a small pool of pipelined connections.
///
/// Every call answers within about ``Configuration/commandTimeout``: with a reply, with the
/// server's error, or with ``RedisError`` when Redis is unreachable. Connections lost when
/// Redis restarts are replaced by the pool without a restart of the process. Run the
/// client as a `Service` (``run()``) before sending commands.
public final class RedisClient: Service, Sendable {
    /// How the client connects and how long it waits.
    public struct Configuration: Sendable {
        public var endpoint: RedisEndpoint
        /// Connections kept open; each carries many commands at once.
        public var connections: Int = 2
        /// Commands in flight on one connection before callers queue for a connection.
        public var commandsPerConnection: UInt16 = 1024
        public var connectTimeout: TimeAmount = .milliseconds(400)
        public var commandTimeout: TimeAmount = .milliseconds(600)
        /// How long a call waits for a connection (only when none is open: a connection
        /// carries many commands at once), so an unreachable Redis fails a call well within 1 s.
        public var leaseTimeout: TimeAmount = .milliseconds(500)
        /// How long connection attempts may fail before waiting calls fail fast.
        public var failFastAfter: Duration = .milliseconds(200)

        public init(endpoint: RedisEndpoint) {
            self.endpoint = endpoint
        }
    }

    typealias Pool = ConnectionPool<
        RedisConnection, Int, ConnectionIDGenerator, RedisLeaseRequest, Int,
        RedisKeepAlive, NoOpConnectionPoolMetrics<Int>, ContinuousClock
    >

    private let pool: Pool
    private let requestIDs = ConnectionIDGenerator()
    private let timers: any EventLoop
    private let leaseTimeout: TimeAmount
    private let callLatency: Timer

    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        var poolConfiguration = ConnectionPoolConfiguration()
        poolConfiguration.minimumConnectionCount = configuration.connections
        poolConfiguration.maximumConnectionSoftLimit = configuration.connections
        poolConfiguration.maximumConnectionHardLimit = configuration.connections
        poolConfiguration.circuitBreakerTripAfter = configuration.failFastAfter
        poolConfiguration.idleTimeout = .seconds(3600)
        self.callLatency = Timer(label: "hotcart_redis_call_duration_seconds", preferredDisplayUnit: .seconds)
        self.timers = eventLoopGroup.any()
        self.leaseTimeout = configuration.leaseTimeout
        self.pool = Pool(
            configuration: poolConfiguration,
            idGenerator: ConnectionIDGenerator(),
            requestType: RedisLeaseRequest.self,
            keepAliveBehavior: RedisKeepAlive(),
            observabilityDelegate: NoOpConnectionPoolMetrics(connectionIDType: Int.self),
            clock: ContinuousClock()
        ) { id, _ in
            let connection = try await RedisConnection.connect(
                id: id,
                to: configuration.endpoint,
                on: eventLoopGroup.next(),
                connectTimeout: configuration.connectTimeout,
                commandTimeout: configuration.commandTimeout
            )
            return ConnectionAndMetadata(
                connection: connection,
                maximalStreamsOnConnection: configuration.commandsPerConnection
            )
        }
    }

    /// Keeps the pool's connections open until the task is cancelled or shutdown begins.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.pool.run()
        }
    }

    /// Sends one command and returns its reply.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        let start = ContinuousClock.now
        defer { self.callLatency.recordInterval(since: start) }
        let lease = try await self.lease()
        defer { lease.release() }
        return try await lease.connection.send(arguments)
    }

    /// Sends several commands in one round trip on one connection and returns their replies
    /// in order. They are not atomic: another client's command may run between them.
    public func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        let start = ContinuousClock.now
        defer { self.callLatency.recordInterval(since: start) }
        let lease = try await self.lease()
        defer { lease.release() }
        return try await lease.connection.send(pipeline: commands)
    }

    /// A connection from the pool, or ``RedisError/unavailable`` when none comes within the
    /// lease timeout (no connection can be made, or every one is saturated). The timer is
    /// armed only when no connection was free at once.
    private func lease() async throws -> ConnectionLease<RedisConnection> {
        let id = self.requestIDs.next()
        return try await withCheckedThrowingContinuation { continuation in
            let request = RedisLeaseRequest(id: id, continuation: continuation)
            self.pool.leaseConnection(request)
            if !request.isCompleted {
                let pool = self.pool
                self.timers.scheduleTask(in: self.leaseTimeout) { pool.cancelLeaseConnection(id) }
            }
        }
    }

    /// Runs a script with EVALSHA; when Redis has lost its script cache (after a restart or
    /// `SCRIPT FLUSH`) it runs it with EVAL, which loads it again.
    public func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisValue {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await self.send(["EVALSHA", script.sha1] + tail)
        } catch let error as RedisError where error.serverMessage?.hasPrefix("NOSCRIPT") == true {
            return try await self.send(["EVAL", script.source] + tail)
        }
    }
}

extension Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        self.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
