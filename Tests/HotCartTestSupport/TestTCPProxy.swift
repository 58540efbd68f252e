import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A loopback TCP relay in front of a real server, for fault tests: `cut()` drops every
/// connection and refuses new ones (the server is "down"), `freeze()` keeps every connection
/// open but relays nothing more either way (the server "stopped answering"), `restore()` lets
/// new connections through again (a frozen connection stays silent: `cut()` it).
public final class TestTCPProxy: Sendable {
    private let server: any Channel
    private let state = NIOLockedValueBox(State())

    private struct State {
        var accepting = true
        var frozen = false
        var connections: [any Channel] = []
    }

    /// The port the proxy listens on (127.0.0.1).
    public var port: Int { self.server.localAddress?.port ?? 0 }

    private init(server: any Channel) {
        self.server = server
    }

    /// Starts a proxy to `targetHost:targetPort`.
    public static func start(to targetHost: String, port targetPort: Int) async throws -> TestTCPProxy {
        let box = NIOLockedValueBox<TestTCPProxy?>(nil)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard let proxy = box.withLockedValue({ $0 }), proxy.admit(inbound) else {
                    return inbound.close()
                }
                // Bytes that arrive before the target connection is up wait in the relay.
                let toTarget = Relay(proxy: proxy)
                let connected = ClientBootstrap(group: inbound.eventLoop)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture {
                            let toClient = Relay(proxy: proxy)
                            toClient.connect(to: inbound)
                            try outbound.pipeline.syncOperations.addHandler(toClient)
                        }
                    }
                    .connect(host: targetHost, port: targetPort)
                connected.whenSuccess { outbound in
                    proxy.track(outbound)
                    toTarget.connect(to: outbound)
                }
                connected.whenFailure { _ in inbound.close(promise: nil) }
                return inbound.eventLoop.makeCompletedFuture {
                    try inbound.pipeline.syncOperations.addHandler(toTarget)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let proxy = TestTCPProxy(server: server)
        box.withLockedValue { $0 = proxy }
        return proxy
    }

    /// Drops every open connection and refuses new ones.
    public func cut() {
        let open = self.state.withLockedValue { state in
            state.accepting = false
            defer { state.connections = [] }
            return state.connections
        }
        for channel in open { channel.close(promise: nil) }
    }

    /// Relays nothing more on the open connections and leaves new ones silent, closing none.
    public func freeze() {
        self.state.withLockedValue { $0.frozen = true }
    }

    /// Accepts and relays new connections again.
    public func restore() {
        self.state.withLockedValue { state in
            state.accepting = true
            state.frozen = false
        }
    }

    fileprivate var isFrozen: Bool {
        self.state.withLockedValue { $0.frozen }
    }

    public func stop() async throws {
        self.cut()
        try await self.server.close()
    }

    private func admit(_ channel: any Channel) -> Bool {
        self.state.withLockedValue { state in
            guard state.accepting else { return false }
            state.connections.append(channel)
            return true
        }
    }

    private func track(_ channel: any Channel) {
        let accepting = self.state.withLockedValue { state in
            if state.accepting { state.connections.append(channel) }
            return state.accepting
        }
        if !accepting { channel.close(promise: nil) }
    }
}

/// Copies bytes to the peer channel (holding them until the peer is known; dropping them while
/// the proxy is frozen) and closes the peer when this side closes.
private final class Relay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let proxy: TestTCPProxy
    private let lock = NIOLock()
    private var peer: (any Channel)?
    private var held: [ByteBuffer] = []
    private var closed = false

    init(proxy: TestTCPProxy) {
        self.proxy = proxy
    }

    func connect(to peer: any Channel) {
        let (held, closed) = self.lock.withLock {
            self.peer = peer
            defer { self.held = [] }
            return (self.held, self.closed)
        }
        for buffer in held { peer.write(buffer, promise: nil) }
        peer.flush()
        if closed { peer.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.proxy.isFrozen else { return }
        let buffer = self.unwrapInboundIn(data)
        let peer = self.lock.withLock { () -> (any Channel)? in
            if self.peer == nil { self.held.append(buffer) }
            return self.peer
        }
        peer?.writeAndFlush(buffer, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let peer = self.lock.withLock { () -> (any Channel)? in
            self.closed = true
            return self.peer
        }
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
