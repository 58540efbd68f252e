import Logging
import NIOCore
import _ConnectionPoolModule

/// A small pool of pipelined connections to one Redis server (a single node, or one master
/// of a cluster). Calls wait at most the lease timeout for a connection; run the pool
/// (``run()``) for it to open any.
final class RedisNodePool: Sendable {
    typealias Pool = ConnectionPool<
        RedisConnection, Int, ConnectionIDGenerator, RedisLeaseRequest, Int,
        NoOpKeepAliveBehavior<RedisConnection>, NoOpConnectionPoolMetrics<Int>, ContinuousClock
    >

    let endpoint: RedisEndpoint
    /// The server's clock, as its connections last measured it.
    let clock: RedisServerClock
    private let pool: Pool
    private let requestIDs = ConnectionIDGenerator()
    private let timers: any EventLoop
    private let leaseTimeout: TimeAmount
    private let clockReadInterval: Duration

    init(endpoint: RedisEndpoint, configuration: RedisClient.Configuration, eventLoopGroup: any EventLoopGroup) {
        precondition(
            configuration.connections * Int(configuration.commandsPerConnection) <= Int(UInt16.max),
            "the pool counts a node's commands in flight in 16 bits"
        )
        var poolConfiguration = ConnectionPoolConfiguration()
        poolConfiguration.minimumConnectionCount = configuration.connections
        poolConfiguration.maximumConnectionSoftLimit = configuration.connections
        poolConfiguration.maximumConnectionHardLimit = configuration.connections
        poolConfiguration.circuitBreakerTripAfter = configuration.failFastAfter
        poolConfiguration.idleTimeout = .seconds(3600)
        let clock = RedisServerClock()
        let outage = RedisOutage()
        self.endpoint = endpoint
        self.clock = clock
        self.timers = eventLoopGroup.any()
        self.leaseTimeout = configuration.leaseTimeout
        self.clockReadInterval = configuration.clockReadInterval
        self.pool = Pool(
            configuration: poolConfiguration,
            idGenerator: ConnectionIDGenerator(),
            requestType: RedisLeaseRequest.self,
            // No keep-alive timer from the pool: it would arm one each time a connection falls
            // idle and cancel it at the next lease, and a cancelled `Task.sleep` keeps its task
            // and timer until the deadline (30 s; see DatabaseURL for what PostgreSQL's pool
            // held that way). Each connection keeps itself alive on its event loop instead (see
            // RedisChannelHandler).
            keepAliveBehavior: NoOpKeepAliveBehavior(connectionType: RedisConnection.self),
            observabilityDelegate: NoOpConnectionPoolMetrics(connectionIDType: Int.self),
            clock: ContinuousClock()
        ) { id, _ in
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(
                    id: id,
                    to: endpoint,
                    on: eventLoopGroup.next(),
                    connectTimeout: configuration.connectTimeout,
                    commandTimeout: configuration.commandTimeout
                )
            } catch let error as RedisError where !error.isConnectivityFailure {
                // Redis answered and refused: once per attempt, as the pool backs off.
                configuration.logger.error(
                    "redis refused a new connection",
                    metadata: ["redis": "\(endpoint)", "error": "\(error)"]
                )
                throw error
            } catch {
                // The pool tries again and again while the server is away: said once.
                if outage.begins() {
                    configuration.logger.warning(
                        "redis unreachable",
                        metadata: ["redis": "\(endpoint)", "error": "\(error)"]
                    )
                }
                throw error
            }
            if let away = outage.ends() {
                configuration.logger.notice(
                    "redis reachable again",
                    metadata: ["redis": "\(endpoint)", "away_ms": "\(away.nanoseconds / 1_000_000)"]
                )
            }
            await clock.synchronize(with: connection)
            return ConnectionAndMetadata(
                connection: connection,
                maximalStreamsOnConnection: configuration.commandsPerConnection
            )
        }
    }

    /// Keeps the connections open, and the server's clock read, until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.keepClockSynchronized() }
            await self.pool.run()
            group.cancelAll()
        }
    }

    /// Reads the server's clock every `clockReadInterval` on one of the pool's connections (new
    /// connections read it as they open).
    private func keepClockSynchronized() async {
        while (try? await Task.sleep(for: self.clockReadInterval)) != nil {
            guard let lease = try? await self.lease() else { continue }
            await self.clock.synchronize(with: lease.connection)
            lease.release()
        }
    }

    /// Sends one command and returns its reply.
    func send(_ arguments: [String]) async throws -> RedisValue {
        let lease = try await self.lease()
        defer { lease.release() }
        return try await lease.connection.send(arguments)
    }

    /// Sends several commands in one round trip on one connection; the first error is thrown.
    func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        let lease = try await self.lease()
        defer { lease.release() }
        return try await lease.connection.send(pipeline: commands)
    }

    /// Sends several commands in one round trip on one connection and returns each outcome,
    /// so a caller can follow one command's redirection without losing the others' replies.
    func results(of commands: [[String]]) async throws -> [Result<RedisValue, RedisError>] {
        let lease = try await self.lease()
        defer { lease.release() }
        return await lease.connection.results(of: commands)
    }

    /// A connection from the pool, or ``RedisError/unavailable`` when none comes within the
    /// lease timeout (no connection can be made, or every one is saturated). The timer is
    /// armed only when no connection was free at once.
    private func lease() async throws -> ConnectionLease<RedisConnection> {
        let id = self.requestIDs.next()
        return try await withUnsafeThrowingContinuation { continuation in
            let request = RedisLeaseRequest(id: id, continuation: continuation)
            self.pool.leaseConnection(request)
            if !request.isCompleted {
                let pool = self.pool
                self.timers.scheduleTask(in: self.leaseTimeout) { pool.cancelLeaseConnection(id) }
            }
        }
    }
}
