import HotCartTestSupport
import Logging
import RedisClient
import Synchronization
import Testing

@testable import HotCartAPI

@Suite struct RepeatedLogLineTests {
    @Test func aLineRepeatedWithinItsIntervalIsHeldBackAndCountedInTheNextOneWritten() {
        let clock = Mutex(ContinuousClock.now)
        let line = RepeatedLogLine(interval: .seconds(10)) { clock.withLock { $0 } }
        #expect(line.admit("OOM") == 0)
        #expect((1...4).map { _ in line.admit("OOM") } == [nil, nil, nil, nil])
        clock.withLock { $0 += .seconds(9) }
        #expect(line.admit("OOM") == nil)
        clock.withLock { $0 += .seconds(1) }
        #expect(line.admit("OOM") == 5)
        #expect(line.admit("OOM") == nil)
        clock.withLock { $0 += .seconds(30) }
        #expect(line.admit("OOM") == 1)
    }

    /// Another kind of trouble within the interval is written at once, and counted apart.
    @Test func eachKindOfLineHasAnIntervalOfItsOwn() {
        let clock = Mutex(ContinuousClock.now)
        let line = RepeatedLogLine(interval: .seconds(10)) { clock.withLock { $0 } }
        #expect(line.admit("OOM") == 0)
        #expect(line.admit("MISCONF") == 0)
        #expect([line.admit("OOM"), line.admit("MISCONF"), line.admit("OOM")] == [nil, nil, nil])
        clock.withLock { $0 += .seconds(10) }
        #expect(line.admit("MISCONF") == 1)
        #expect(line.admit("OOM") == 2)
    }

    /// Kinds come from outside (error codes): past the limit, new ones share one interval, so
    /// the windows kept stay bounded and the flood stays a line every 10 s.
    @Test func kindsPastTheLimitShareOneInterval() {
        let clock = Mutex(ContinuousClock.now)
        let line = RepeatedLogLine(interval: .seconds(10)) { clock.withLock { $0 } }
        for kind in 0..<RepeatedLogLine.kindLimit { #expect(line.admit("known \(kind)") == 0) }
        #expect(line.admit("new 1") == 0)
        #expect(line.admit("new 2") == nil)
        #expect(line.admit("known 0") == nil)
        clock.withLock { $0 += .seconds(10) }
        #expect(line.admit("new 3") == 1)
    }

    /// Every request Redis refuses is answered 503, and a burst of them is one line in the log
    /// per kind of refusal, with the count of those held back in the next line of its kind.
    @Test func aBurstOfRedisRefusalsIsAnsweredEachTimeAndLoggedOnce() {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        let clock = Mutex(ContinuousClock.now)
        let refusals = RepeatedLogLine(interval: .seconds(10)) { clock.withLock { $0 } }
        let error = RedisError.server("OOM command not allowed when used memory > 'maxmemory'.")
        let another = RedisError.server("MISCONF Redis is configured to save RDB snapshots, but it's not able to")
        for refusal in [error, error, another, error, error, another, error] {
            let response = ErrorResponder.response(for: refusal, logger: logger, refusals: refusals)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
        }
        clock.withLock { $0 += .seconds(10) }
        _ = ErrorResponder.response(for: error, logger: logger, refusals: refusals)
        let lines = logged.messages.withLock { $0 }.filter { $0.hasPrefix("redis refused a call ") }
        #expect(lines.count == 3)
        #expect(lines.map { $0.firstMatch(of: /held_back=(\d+)/).map { String($0.1) } } == ["0", "0", "4"])
        #expect(lines.map { $0.contains("OOM command not allowed") } == [true, false, true])
        #expect(lines[1].contains("MISCONF"))
    }
}
