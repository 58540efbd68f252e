import NIOCore
import NIOPosix
import _ConnectionPoolModule

/// One connection to Redis (TCP, over TLS for a `rediss://` endpoint, or a Unix-domain
/// socket) with any number of commands in flight (pipelining).
///
/// A pipeline's commands are encoded on the caller's task into one buffer and handed to the
/// event loop, where their replies are gathered; the caller is resumed once, with all of them.
/// A command that gets no reply within the command timeout fails with ``RedisError/timeout``
/// and the connection is closed.
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
        commandTimeout: TimeAmount = .seconds(2),
        keepAliveInterval: TimeAmount = .seconds(30)
    ) async throws -> RedisConnection {
        // Over TLS, the handshake's outcome: a refused certificate is said as such, not as a
        // closed connection.
        let handshake = endpoint.tls.map { _ in eventLoop.makePromise(of: Void.self) }
        let channel: any Channel
        do {
            // NIO sets no TCP_NODELAY on a Unix-domain socket.
            let bootstrap = ClientBootstrap(group: eventLoop)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
            channel = try await endpoint.connect(with: bootstrap) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = RedisChannelHandler(
                        commandTimeout: commandTimeout,
                        keepAliveInterval: keepAliveInterval
                    )
                    try endpoint.addReadingHandlers(to: channel, handshake: handshake, timeout: connectTimeout)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return channel
                }
            }
        } catch {
            handshake?.fail(error)
            throw error
        }
        let handler = try await channel.eventLoop.submit {
            try NIOLoopBound(
                channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self),
                eventLoop: channel.eventLoop
            )
        }.get()
        let connection = RedisConnection(id: id, channel: channel, handler: handler)
        do {
            try await handshake?.futureResult.get()
            if let credentials = endpoint.credentials { _ = try await connection.send(credentials.command) }
            if endpoint.database != 0 { _ = try await connection.send(["SELECT", String(endpoint.database)]) }
            // A name is a courtesy to whoever reads `CLIENT LIST`: one an ACL forbids is not set.
            if let name = endpoint.clientName { _ = try? await connection.send(["CLIENT", "SETNAME", name]) }
        } catch {
            // A refused certificate, password or database leaves no connection open behind it.
            try? await channel.close()
            throw error
        }
        return connection
    }

    /// Sends one command and waits for its reply; an error reply is thrown as ``RedisError``.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        let bytes = RedisCommandEncoder.encode(arguments, allocator: self.channel.allocator)
        return try await withUnsafeContinuation { continuation in
            self.start(RedisRequest(bytes: bytes, commandCount: 1, handler: self.handler, waiter: .one(continuation)))
        }.get()
    }

    /// Sends several commands back to back (one write, one round trip) and waits for every
    /// reply, in order; the first error reply is thrown as ``RedisError``.
    public func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        try await self.results(of: commands).map { try $0.get() }
    }

    /// Sends several commands back to back (one write, one round trip) and returns each
    /// command's reply or error, in order.
    ///
    /// The commands are encoded here, into one buffer, and handed to the event loop, where
    /// their replies are gathered; the loop resumes the caller once, with all of them. No
    /// future is made: one hop to the loop and one back, whatever the number of commands.
    func results(of commands: [[String]]) async -> [Result<RedisValue, RedisError>] {
        // No reply would ever come to resume the caller.
        guard !commands.isEmpty else { return [] }
        let bytes = RedisCommandEncoder.encode(pipeline: commands, allocator: self.channel.allocator)
        return await withUnsafeContinuation { continuation in
            self.start(
                RedisRequest(
                    bytes: bytes,
                    commandCount: commands.count,
                    handler: self.handler,
                    waiter: .all(continuation)
                )
            )
        }
    }

    /// Hands a request to the event loop (at once when already on it).
    private func start(_ request: RedisRequest) {
        let eventLoop = self.channel.eventLoop
        if eventLoop.inEventLoop {
            request.send()
        } else {
            eventLoop.execute { request.send() }
        }
    }

    public func onClose(_ closure: @escaping @Sendable ((any Error)?) -> Void) {
        self.channel.closeFuture.whenComplete { _ in closure(nil) }
    }

    public func close() {
        self.channel.close(promise: nil)
    }
}
