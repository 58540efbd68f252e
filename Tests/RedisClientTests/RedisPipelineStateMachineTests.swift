import NIOCore
import Testing

@testable import RedisClient

@Suite struct RedisPipelineStateMachineTests {
    typealias Machine = RedisPipelineStateMachine<Int>
    let later = NIODeadline.now() + .seconds(10)

    @Test func repliesCompleteWaitersInTheOrderTheCommandsWereSent() {
        var machine = Machine()
        #expect(machine.send(1, deadline: later) == .write)
        #expect(machine.send(2, deadline: later) == .write)
        #expect(machine.replyReceived(.integer(10)) == .succeed(1, .integer(10)))
        #expect(machine.replyReceived(.bulkString("b")) == .succeed(2, .bulkString("b")))
        #expect(machine.inFlightCount == 0)
    }

    @Test func aPipelineWaitsForOneReplyPerCommandAndIsFailedOncePerCommand() {
        var machine = Machine()
        #expect(machine.send(1, count: 2, deadline: later) == .write)
        #expect(machine.send(2, deadline: later) == .write)
        #expect(machine.inFlightCount == 3)
        #expect(machine.replyReceived(.integer(10)) == .succeed(1, .integer(10)))
        #expect(machine.close(with: .connectionClosed) == [1, 2])
    }

    @Test func anErrorReplyFailsOnlyItsOwnCommand() {
        var machine = Machine()
        _ = machine.send(1, deadline: later)
        _ = machine.send(2, deadline: later)
        #expect(machine.replyReceived(.error("ERR bad")) == .fail(1, .server("ERR bad")))
        #expect(machine.replyReceived(.simpleString("OK")) == .succeed(2, .simpleString("OK")))
    }

    @Test func aReplyNobodyAskedForClosesTheConnection() {
        var machine = Machine()
        #expect(machine.replyReceived(.integer(1)) == .closeConnection(.protocolError("reply without a command")))
    }

    @Test func anOverdueOldestCommandFailsEveryWaiterWithTimeout() {
        var machine = Machine()
        let start = NIODeadline.now()
        _ = machine.send(1, deadline: start + .milliseconds(100))
        _ = machine.send(2, deadline: start + .milliseconds(200))
        guard case .none = machine.timeoutCheck(now: start + .milliseconds(50)) else {
            Issue.record("nothing is overdue yet")
            return
        }
        guard case .failAllAndClose(let waiters, let error) = machine.timeoutCheck(now: start + .milliseconds(150))
        else {
            Issue.record("expected failAllAndClose")
            return
        }
        #expect(waiters == [1, 2])
        #expect(error == .timeout)
        #expect(machine.send(3, deadline: later) == .fail(3, .timeout))
    }

    @Test func closingFailsWaitersOnceAndLaterSendsAtOnce() {
        var machine = Machine()
        _ = machine.send(1, deadline: later)
        #expect(machine.close(with: .connectionClosed) == [1])
        #expect(machine.close(with: .connectionClosed) == [])
        #expect(machine.send(2, deadline: later) == .fail(2, .connectionClosed))
    }
}
