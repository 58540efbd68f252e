import HotCartTestSupport
import NIOCore
import Testing

@testable import RedisClient

@Suite struct RedisServerClockTests {
    @Test func anOffsetIsTheServersTimeLessTheMiddleOfTheRoundTrip() {
        let time = RedisValue.array([.bulkString("1700000000"), .bulkString("250999")])
        // Read halfway between 1,699,999,999,000 and 1,699,999,999,100: at ...050 here.
        #expect(RedisServerClock.offset(time: time, sent: 1_699_999_999_000, received: 1_699_999_999_100) == 1200)
        #expect(RedisServerClock.offset(time: time, sent: 1_700_000_002_000, received: 1_700_000_002_000) == -1750)
        #expect(RedisServerClock.offset(time: .array([.bulkString("1700000000")]), sent: 0, received: 0) == nil)
        #expect(RedisServerClock.offset(time: .simpleString("OK"), sent: 0, received: 0) == nil)
    }

    /// The deadline comes last, `scriptDeadlineMargin` before the command timeout from the call,
    /// by the clock of the node that runs the script; also when the script is loaded again.
    @Test(arguments: TestEnvironment.redisDeployments)
    func aScriptThatTakesADeadlineGetsItLastInTheServersClock(redis endpoint: RedisEndpoint) async throws {
        let source = "local time = redis.call('TIME') return {#ARGV, ARGV[#ARGV], time[1], time[2]}"
        let withDeadline = RedisScript(name: "deadline", source: source, takesDeadline: true)
        let without = RedisScript(name: "no deadline", source: source + " -- none")
        try await TestEnvironment.withRedis(endpoint) { configuration in
            configuration.commandTimeout = .milliseconds(800)
            configuration.scriptDeadlineMargin = .milliseconds(150)
        } _: { redis async throws in
            for index in 0..<12 {
                let key = "test:deadline:\(TestEnvironment.uniqueID()):\(index)"
                if index == 6 { _ = try await redis.sendToEveryMaster(["SCRIPT", "FLUSH"]) }
                let reply = try await redis.run(withDeadline, keys: [key], arguments: ["a", "b"]).array ?? []
                try #require(reply.count == 4)
                #expect(reply[0].int == 3)
                let deadline = try #require(reply[1].int)
                let serverTime = try #require(reply[2].int) * 1000 + (reply[3].int ?? 0) / 1000
                // 650 ms from the call as the node's clock reads, less the call's own time.
                #expect((550...651).contains(deadline - serverTime))
                #expect(try await redis.run(without, keys: [key], arguments: ["a", "b"]).array?.first?.int == 2)
            }
        }
    }

    /// Each node's clock is read as its connections open and again every `clockReadInterval`.
    @Test func aNodesClockIsReadAgainWhileTheClientRuns() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { configuration in
                configuration.clockReadInterval = .milliseconds(200)
            } _: { redis async throws in
                let before = try await Self.timeCalls(redis)
                try await Task.sleep(for: .milliseconds(1100))
                #expect(try await Self.timeCalls(redis) - before >= 3)
            }
        }
    }

    /// How many `TIME` commands the server has run, from `INFO commandstats`.
    private static func timeCalls(_ redis: RedisClient) async throws -> Int {
        let info = try await redis.send(["INFO", "commandstats"]).string ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_time:") }),
            let calls = line.split(separator: ",").first?.split(separator: "=").last
        else {
            return 0
        }
        return Int(calls) ?? 0
    }
}
