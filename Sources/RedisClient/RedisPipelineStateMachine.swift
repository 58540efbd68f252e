import NIOCore

/// The state of one pipelined Redis connection: which commands wait for a reply, in order.
///
/// Redis answers commands in the order it received them, so the replies complete a FIFO of
/// waiters. The machine does no I/O: each event returns what the handler must do. It is
/// generic over the waiter so tests can drive it with plain values.
struct RedisPipelineStateMachine<Waiter> {
    private enum State {
        case open
        case closed(RedisError)
    }

    private struct InFlight {
        var waiter: Waiter
        var deadline: NIODeadline
    }

    private var state: State = .open
    private var inFlight = CircularBuffer<InFlight>(initialCapacity: 64)

    /// What to do with a command the connection was asked to send.
    enum SendAction {
        case write
        case fail(Waiter, RedisError)
    }

    /// What to do with a reply that arrived.
    enum ReplyAction {
        case succeed(Waiter, RedisValue)
        case fail(Waiter, RedisError)
        /// A reply nobody asked for: the stream is out of step; close the connection.
        case closeConnection(RedisError)
    }

    /// What to do when the timeout check runs.
    enum TimeoutAction {
        case none
        /// The oldest command is overdue: Redis is stuck or gone. Fail everything and close.
        case failAllAndClose([Waiter], RedisError)
    }

    /// The number of commands waiting for their reply.
    var inFlightCount: Int { self.inFlight.count }

    /// `count` commands, all waited for by `waiter`, are to be sent.
    mutating func send(_ waiter: Waiter, count: Int = 1, deadline: NIODeadline) -> SendAction {
        switch self.state {
        case .open:
            for _ in 0..<count { self.inFlight.append(InFlight(waiter: waiter, deadline: deadline)) }
            return .write
        case .closed(let error):
            return .fail(waiter, error)
        }
    }

    mutating func replyReceived(_ reply: RedisValue) -> ReplyAction {
        guard case .open = self.state, let first = self.inFlight.popFirst() else {
            return .closeConnection(.protocolError("reply without a command"))
        }
        if case .error(let message) = reply {
            return .fail(first.waiter, .server(message))
        }
        return .succeed(first.waiter, reply)
    }

    mutating func timeoutCheck(now: NIODeadline) -> TimeoutAction {
        guard case .open = self.state, let first = self.inFlight.first, first.deadline <= now else {
            return .none
        }
        return .failAllAndClose(self.close(with: .timeout), .timeout)
    }

    /// The connection is closing or closed: every waiter gets `error`, later sends fail at once.
    mutating func close(with error: RedisError) -> [Waiter] {
        if case .closed = self.state { return [] }
        self.state = .closed(error)
        let waiters = self.inFlight.map(\.waiter)
        self.inFlight.removeAll()
        return waiters
    }
}

extension RedisPipelineStateMachine.SendAction: Equatable where Waiter: Equatable {}
extension RedisPipelineStateMachine.ReplyAction: Equatable where Waiter: Equatable {}
extension RedisPipelineStateMachine.TimeoutAction: Equatable where Waiter: Equatable {}
