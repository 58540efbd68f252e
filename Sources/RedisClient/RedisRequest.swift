import NIOCore

/// One caller's commands on one connection: their encoded bytes, on their way to the
/// connection's event loop, and the replies gathered there for the caller, who is resumed
/// once, when the last one is in.
///
/// The loop completes each command exactly once (by its reply, or by the error that closed the
/// connection), so the caller is resumed exactly once. Made on the caller's task and handed to
/// the loop, which alone uses it from then on (hence `@unchecked Sendable`: its mutable state
/// is only ever touched there). Handing over this one object is the hop: a closure that
/// captures only it needs no allocation of its own.
final class RedisRequest: @unchecked Sendable {
    /// Who waits: a caller of one command gets its reply as it is, a pipeline's caller all of
    /// them in order.
    enum Waiter {
        case one(UnsafeContinuation<Result<RedisValue, RedisError>, Never>)
        case all(UnsafeContinuation<[Result<RedisValue, RedisError>], Never>)
        /// Nobody: the connection's own keep-alive `PING`, whose reply is dropped.
        case nobody
    }

    let bytes: ByteBuffer
    let commandCount: Int
    /// The handler of the connection the request is for.
    let handler: NIOLoopBound<RedisChannelHandler>
    private let waiter: Waiter
    private var results: [Result<RedisValue, RedisError>] = []

    init(bytes: ByteBuffer, commandCount: Int, handler: NIOLoopBound<RedisChannelHandler>, waiter: Waiter) {
        self.bytes = bytes
        self.commandCount = commandCount
        self.handler = handler
        self.waiter = waiter
        if case .all = waiter { self.results.reserveCapacity(commandCount) }
    }

    /// Sends the commands; called on the connection's event loop.
    func send() {
        self.handler.value.send(self)
    }

    /// The outcome of the next command, in the order they were sent.
    func complete(_ result: Result<RedisValue, RedisError>) {
        switch self.waiter {
        case .one(let continuation):
            continuation.resume(returning: result)
        case .all(let continuation):
            self.results.append(result)
            if self.results.count == self.commandCount { continuation.resume(returning: self.results) }
        case .nobody:
            break
        }
    }
}
