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
        #expect(line.admit() == 0)
        #expect((1...4).map { _ in line.admit() } == [nil, nil, nil, nil])
        clock.withLock { $0 += .seconds(9) }
        #expect(line.admit() == nil)
        clock.withLock { $0 += .seconds(1) }
        #expect(line.admit() == 5)
        #expect(line.admit() == nil)
        clock.withLock { $0 += .seconds(30) }
        #expect(line.admit() == 1)
    }

    /// Every request Redis refuses is answered 503, and a burst of them is one line in the log,
    /// with the count of those held back in the next line written.
    @Test func aBurstOfRedisRefusalsIsAnsweredEachTimeAndLoggedOnce() {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        let clock = Mutex(ContinuousClock.now)
        let refusals = RepeatedLogLine(interval: .seconds(10)) { clock.withLock { $0 } }
        let error = RedisError.server("OOM command not allowed when used memory > 'maxmemory'.")
        for _ in 0..<5 {
            let response = ErrorResponder.response(for: error, logger: logger, redisRefusals: refusals)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
        }
        clock.withLock { $0 += .seconds(10) }
        _ = ErrorResponder.response(for: error, logger: logger, redisRefusals: refusals)
        let lines = logged.messages.withLock { $0 }.filter { $0.hasPrefix("redis refused a call ") }
        #expect(lines.count == 2)
        #expect(lines.map { $0.firstMatch(of: /held_back=(\d+)/).map { String($0.1) } } == ["0", "4"])
        #expect(lines.allSatisfy { $0.contains("OOM command not allowed") })
    }
}
