import NIOCore

/// Drives one Redis connection: writes pipelined commands, hands each reply to the pipeline
/// that sent its command, in reply order, fails every waiter when the connection drops, and
/// closes a connection whose oldest command is overdue. A connection that sent nothing for the
/// keep-alive interval sends a `PING`, so one that died while idle (its `PING` overdue) is
/// closed before a request needs it; the timeout check that runs anyway finds it due, so no
/// timer is armed per command.
///
/// Pipelines written in the same event-loop tick share one flush.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = RedisValue
    typealias OutboundOut = ByteBuffer

    private var stateMachine = RedisPipelineStateMachine<RedisRequest>()
    private var context: ChannelHandlerContext?
    private var flushPending = false
    private var timeoutCheck: Scheduled<Void>?
    private let commandTimeout: TimeAmount
    private let keepAliveInterval: TimeAmount
    /// When the last command was written.
    private var lastSent = NIODeadline.now()

    init(commandTimeout: TimeAmount, keepAliveInterval: TimeAmount) {
        self.commandTimeout = commandTimeout
        self.keepAliveInterval = keepAliveInterval
    }

    /// `PING`, as the connection sends it to keep alive.
    private static let ping = ByteBuffer(string: "*1\r\n$4\r\nPING\r\n")

    /// Sends a request's commands, whose replies go back to it; must run on the channel's event
    /// loop.
    func send(_ request: RedisRequest) {
        guard let context = self.context else {
            for _ in 0..<request.commandCount { request.complete(.failure(.connectionClosed)) }
            return
        }
        let now = NIODeadline.now()
        switch self.stateMachine.send(request, count: request.commandCount, deadline: now + self.commandTimeout) {
        case .write:
            self.lastSent = now
            context.write(self.wrapOutboundOut(request.bytes), promise: nil)
            if !self.flushPending {
                self.flushPending = true
                context.eventLoop.assumeIsolated().execute {
                    self.flushPending = false
                    self.context?.flush()
                }
            }
        case .fail(let request, let error):
            for _ in 0..<request.commandCount { request.complete(.failure(error)) }
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.scheduleTimeoutCheck(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.shutDown(with: .connectionClosed)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.shutDown(with: .connectionClosed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.stateMachine.replyReceived(self.unwrapInboundIn(data)) {
        case .succeed(let request, let value):
            request.complete(.success(value))
        case .fail(let request, let error):
            request.complete(.failure(error))
        case .closeConnection(let error):
            self.shutDown(with: error)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.shutDown(with: (error as? RedisError) ?? .connectionClosed)
        context.close(promise: nil)
    }

    /// Checks the oldest command a few times per timeout period, for the connection's life, and
    /// keeps an idle connection alive.
    private func scheduleTimeoutCheck(on eventLoop: any EventLoop) {
        let interval = TimeAmount.nanoseconds(max(self.commandTimeout.nanoseconds / 4, 20_000_000))
        self.timeoutCheck = eventLoop.assumeIsolated().scheduleTask(in: interval) {
            guard let context = self.context else { return }
            self.checkTimeouts(context: context)
            self.scheduleTimeoutCheck(on: eventLoop)
        }
    }

    private func checkTimeouts(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        switch self.stateMachine.timeoutCheck(now: now) {
        case .none:
            if self.stateMachine.inFlightCount == 0, now - self.lastSent >= self.keepAliveInterval {
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                self.send(RedisRequest(bytes: Self.ping, commandCount: 1, handler: handler, waiter: .nobody))
            }
        case .failAllAndClose(let waiters, let error):
            for request in waiters { request.complete(.failure(error)) }
            context.close(promise: nil)
        }
    }

    private func shutDown(with error: RedisError) {
        for request in self.stateMachine.close(with: error) { request.complete(.failure(error)) }
        self.timeoutCheck?.cancel()
        self.timeoutCheck = nil
        self.context = nil
    }
}
