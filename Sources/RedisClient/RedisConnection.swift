import NIOCore
import NIOPosix
import _ConnectionPoolModule

/// One TCP connection to Redis with any number of commands in flight (pipelining).
///
/// Commands are encoded on the caller's task and handed to the event loop; the reply comes
/// back through a promise. A command that gets no reply within the command timeout fails
/// with ``RedisError/timeout`` and the connection is closed.
public final class RedisConnection: PooledConnection {
    public let id: Int
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>

    private init(id: Int, channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>) {
        self.id = id
        self.channel = channel
        self.handler = handler
    }

    /// Opens a connection; fails within `connectTimeout` when Redis is unreachable. Commands
    /// sent on it go to that node whatever their keys (for tools that manage one node; a
    /// ``RedisClient`` routes and pools).
    public static func connect(
        id: Int = 0,
        to endpoint: RedisEndpoint,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        connectTimeout: TimeAmount = .seconds(1),
        commandTimeout: TimeAmount = .seconds(2)
    ) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = RedisChannelHandler(commandTimeout: commandTimeout)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RedisReplyDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        let handler = try await channel.eventLoop.submit {
            try NIOLoopBound(
                channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self),
                eventLoop: channel.eventLoop
            )
        }.get()
        let connection = RedisConnection(id: id, channel: channel, handler: handler)
        if endpoint.database != 0 {
            _ = try await connection.send(["SELECT", String(endpoint.database)])
        }
        return connection
    }

    /// Sends one command and waits for its reply; an error reply is thrown as ``RedisError``.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        let bytes = RedisCommandEncoder.encode(arguments, allocator: self.channel.allocator)
        let eventLoop = self.channel.eventLoop
        let promise = eventLoop.makePromise(of: RedisValue.self)
        if eventLoop.inEventLoop {
            self.handler.value.send(bytes, promise: promise)
        } else {
            let handler = self.handler
            eventLoop.execute { handler.value.send(bytes, promise: promise) }
        }
        return try await promise.futureResult.get()
    }

    /// Sends several commands back to back (one write, one round trip) and waits for every
    /// reply, in order; the first error reply is thrown as ``RedisError``.
    public func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        try await self.results(of: commands).map { try $0.get() }
    }

    /// Sends several commands back to back (one write, one round trip) and returns each
    /// command's reply or error, in order.
    func results(of commands: [[String]]) async -> [Result<RedisValue, RedisError>] {
        let eventLoop = self.channel.eventLoop
        let sends = commands.map { arguments in
            (
                RedisCommandEncoder.encode(arguments, allocator: self.channel.allocator),
                eventLoop.makePromise(of: RedisValue.self)
            )
        }
        if eventLoop.inEventLoop {
            for (bytes, promise) in sends { self.handler.value.send(bytes, promise: promise) }
        } else {
            let handler = self.handler
            eventLoop.execute {
                for (bytes, promise) in sends { handler.value.send(bytes, promise: promise) }
            }
        }
        var results: [Result<RedisValue, RedisError>] = []
        results.reserveCapacity(sends.count)
        for (_, promise) in sends {
            do {
                results.append(.success(try await promise.futureResult.get()))
            } catch {
                results.append(.failure((error as? RedisError) ?? .connectionClosed))
            }
        }
        return results
    }

    public func onClose(_ closure: @escaping @Sendable ((any Error)?) -> Void) {
        self.channel.closeFuture.whenComplete { _ in closure(nil) }
    }

    public func close() {
        self.channel.close(promise: nil)
    }
}
