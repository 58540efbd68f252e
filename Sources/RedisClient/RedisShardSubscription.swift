import NIOCore
import NIOPosix
import Synchronization

/// One connection to one Redis node, subscribed to sharded channels (`SSUBSCRIBE`) for as
/// long as it runs.
///
/// A subscribed connection carries no request/reply traffic, so it is its own connection,
/// not one of the pool's. It sends a `PING` every ``pingInterval``; when nothing at all has
/// come back for three intervals the node is taken for dead and ``run(onSubscribed:onMessage:)``
/// throws ``RedisError/timeout``, so a silent network never leaves a subscriber deaf.
struct RedisShardSubscription {
    let endpoint: RedisEndpoint
    let channels: [String]
    let connectTimeout: TimeAmount
    let pingInterval: Duration

    /// Subscribes and hands every message to `onMessage` until the task is cancelled, or
    /// throws when the connection fails, the node refuses a channel (`MOVED`: its slot is
    /// elsewhere) or unsubscribes it (`sunsubscribe`: its slot moved away).
    /// `onSubscribed` runs once the node has confirmed every channel.
    func run(
        onSubscribed: @escaping @Sendable () -> Void,
        onMessage: @escaping @Sendable (_ channel: String, _ message: String) -> Void
    ) async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = self.endpoint.tls.map { _ in eventLoop.makePromise(of: Void.self) }
        let connection: NIOAsyncChannel<RedisValue, ByteBuffer>
        do {
            let bootstrap = ClientBootstrap(group: eventLoop)
                .connectTimeout(self.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
            connection = try await self.endpoint.connect(with: bootstrap) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.endpoint.addReadingHandlers(
                        to: channel,
                        handshake: handshake,
                        timeout: self.connectTimeout
                    )
                    return try NIOAsyncChannel<RedisValue, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            handshake?.fail(error)
            throw error
        }
        try await connection.executeThenClose { replies, commands in
            try await handshake?.futureResult.get()
            // One SSUBSCRIBE per channel: a cluster refuses one naming channels of several slots.
            // A refused AUTH comes back as an error reply, which ends the subscription.
            var subscribe = ByteBuffer()
            if let credentials = self.endpoint.credentials {
                RedisCommandEncoder.write(credentials.command, into: &subscribe)
            }
            for channel in self.channels {
                RedisCommandEncoder.write(["SSUBSCRIBE", channel], into: &subscribe)
            }
            try await commands.write(subscribe)
            let lastHeard = LastHeard()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let silenceLimit = self.pingInterval.nanoseconds * 3
                    while true {
                        try await Task.sleep(for: self.pingInterval)
                        if Self.uptime() - lastHeard.uptime.load(ordering: .relaxed) > silenceLimit {
                            throw RedisError.timeout
                        }
                        try await commands.write(RedisCommandEncoder.encode(["PING"]))
                    }
                }
                group.addTask {
                    var confirmed = 0
                    for try await reply in replies {
                        lastHeard.uptime.store(Self.uptime(), ordering: .relaxed)
                        switch try Self.push(reply) {
                        case .message(let channel, let message):
                            onMessage(channel, message)
                        case .subscribed:
                            confirmed += 1
                            if confirmed == self.channels.count { onSubscribed() }
                        case .unsubscribed:
                            throw RedisError.connectionClosed
                        case .other:
                            break
                        }
                    }
                    throw RedisError.connectionClosed
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// When the node last sent anything (nanoseconds of uptime).
    private final class LastHeard: Sendable {
        let uptime = Atomic<Int64>(RedisShardSubscription.uptime())
    }

    /// What a subscribed connection receives.
    private enum Push {
        case message(channel: String, message: String)
        case subscribed
        case unsubscribed
        /// A `PING`'s answer.
        case other
    }

    private static func push(_ reply: RedisValue) throws -> Push {
        if case .error(let message) = reply { throw RedisError.server(message) }
        // AUTH's answer.
        if case .simpleString = reply { return .other }
        guard let parts = reply.array, let kind = parts.first?.string else {
            throw RedisError.unexpectedReply("a subscribed connection got a non-array reply")
        }
        switch kind {
        case "smessage":
            guard parts.count == 3, let channel = parts[1].string, let message = parts[2].string else {
                throw RedisError.unexpectedReply("a malformed smessage")
            }
            return .message(channel: channel, message: message)
        case "ssubscribe": return .subscribed
        case "sunsubscribe": return .unsubscribed
        default: return .other
        }
    }

    private static func uptime() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds)
    }
}
