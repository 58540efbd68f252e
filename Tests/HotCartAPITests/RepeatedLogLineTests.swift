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

    /// Every request Redis refuses is answered 503, but the log gets at most one line for a
    /// burst of them (the line's interval is 10 s, and other tests may have used it just before).
    @Test func aBurstOfRedisRefusalsIsAnsweredEachTimeAndLoggedOnce() {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        for _ in 0..<5 {
            let error = RedisError.server("OOM command not allowed when used memory > 'maxmemory'.")
            let response = ErrorResponder.response(for: error, logger: logger)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
        }
        let lines = logged.messages.withLock { $0 }.filter { $0.hasPrefix("redis refused a call ") }
        #expect(lines.count <= 1)
    }
}
