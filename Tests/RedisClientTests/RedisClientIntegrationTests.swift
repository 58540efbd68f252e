import HotCartTestSupport
import Logging
import NIOCore
import Synchronization
import Testing

@testable import RedisClient

@Suite struct RedisClientIntegrationTests {
    @Test func setThenGetRoundTripsAValue() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let key = "test:client:\(TestEnvironment.uniqueID())"
            #expect(try await redis.send(["SET", key, "café", "EX", "60"]) == .simpleString("OK"))
            #expect(try await redis.send(["GET", key]) == .bulkString("café"))
            #expect(try await redis.send(["GET", key + ":missing"]) == .null)
        }
    }

    @Test func anErrorReplyIsThrownAndTheConnectionKeepsWorking() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            await #expect(throws: RedisError.self) { try await redis.send(["NOSUCHCOMMAND"]) }
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
        }
    }

    @Test func thousandsOfPipelinedCommandsFromManyTasksAllGetTheirOwnReply() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let key = "test:client:\(TestEnvironment.uniqueID())"
            let replies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<2000 {
                    group.addTask {
                        _ = try await redis.send(["INCR", key])
                        return (index, try await redis.send(["ECHO", "reply-\(index)"]).string)
                    }
                }
                var replies: [Int: String?] = [:]
                for try await (index, reply) in group { replies[index] = reply }
                return replies
            }
            #expect(replies.count == 2000)
            #expect(replies.allSatisfy { $0.value == "reply-\($0.key)" })
            #expect(try await redis.send(["GET", key]).int == 2000)
            _ = try await redis.send(["DEL", key])
        }
    }

    @Test func aPipelineAnswersEachCommandInOrderAndThrowsAnErrorReply() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let key = "test:client:\(TestEnvironment.uniqueID())"
            let replies = try await redis.send(pipeline: [
                ["HSET", key, "a", "1", "b", "2"], ["PEXPIRE", key, "60000"], ["HGETALL", key], ["HGET", key, "c"],
            ])
            #expect(replies.count == 4)
            #expect(replies[0].int == 2)
            #expect(replies[1].int == 1)
            #expect(replies[2].array?.compactMap(\.string) == ["a", "1", "b", "2"])
            #expect(replies[3] == .null)
            await #expect(throws: RedisError.self) {
                try await redis.send(pipeline: [["INCR", key + ":n"], ["INCR", key]])
            }
            // The command after the error reply still ran: a pipeline is not a transaction.
            #expect(try await redis.send(["GET", key + ":n"]).int == 1)
            // An empty pipeline answers at once, with nothing.
            #expect(try await redis.send(pipeline: []).isEmpty)
            _ = try await redis.send(["DEL", key, key + ":n"])
        }
    }

    @Test func aScriptRunsAgainAfterRedisForgetsItsScriptCache() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                let script = RedisScript(name: "echo", source: "return ARGV[1] .. KEYS[1]")
                #expect(try await redis.run(script, keys: ["k"], arguments: ["a"]) == .bulkString("ak"))
                _ = try await redis.send(["SCRIPT", "FLUSH"])
                #expect(try await redis.run(script, keys: ["k"], arguments: ["b"]) == .bulkString("bk"))
                #expect(try await redis.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
            }
        }
    }

    /// A Redis that asks for a password (`requirepass`) or an ACL user: commands, scripts and
    /// sharded subscriptions sign in first; a wrong password fails calls at once, never hangs.
    @Test func aRedisWithAPasswordIsSignedInToAndAWrongOneFailsFast() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                _ = try await redis.send(["ACL", "SETUSER", "carts", "on", ">cart pass", "~*", "&*", "+@all"])
                _ = try await redis.send(["CONFIG", "SET", "requirepass", "s3cret"])
            }
            var withPassword = server.endpoint
            withPassword.credentials = .init(password: "s3cret")
            let asUser = try #require(RedisEndpoint(url: "redis://carts:cart%20pass@127.0.0.1:\(server.port)/3"))
            for endpoint in [withPassword, asUser] {
                try await self.commandsScriptsAndSubscriptionsWork(on: endpoint)
            }
            // The URL's database is selected after signing in.
            try await TestEnvironment.withRedis(asUser) { redis async throws in
                #expect(try await redis.send(["GET", "in-3"]) == .bulkString("v"))
                #expect(try await redis.send(["GET", "in-0"]) == .null)
            }
            var wrong = server.endpoint
            wrong.credentials = .init(password: "guess")
            // The operator learns why: the refusal is logged (the password is not).
            let messages = try await self.messagesLoggedWhileACallFailsFast(on: wrong)
            #expect(messages.contains { $0.hasPrefix("redis refused a new connection") && $0.contains("WRONGPASS") })
            #expect(!messages.contains { $0.contains("guess") })
        }
    }

    /// A Redis that speaks TLS only (`rediss://`): commands, scripts and sharded subscriptions
    /// go over TLS; a certificate the client does not trust fails calls at once, and says why.
    @Test func aRedisOverTLSIsReachedAndAnUntrustedOneFailsFast() async throws {
        try await TestRedisServer.with(tls: try TestEnvironment.certificate()) { server in
            var byName = server.endpoint
            byName.host = "localhost"
            for endpoint in [server.endpoint, byName] {
                try await self.commandsScriptsAndSubscriptionsWork(on: endpoint)
            }
            // The system's authorities did not sign the test certificate.
            var untrusted = server.endpoint
            untrusted.tls = RedisTLS()
            let messages = try await self.messagesLoggedWhileACallFailsFast(on: untrusted)
            #expect(messages.contains { $0.hasPrefix("redis refused a new connection") && $0.contains("CERTIFICATE") })
            // Without checking the certificate (`ssl_cert_reqs=none`), it is reached.
            let unchecked = try #require(RedisEndpoint(url: "rediss://127.0.0.1:\(server.port)?ssl_cert_reqs=none"))
            try await TestEnvironment.withRedis(unchecked) { redis async throws in
                #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
            }
        }
    }

    /// A Redis that admits only clients with a certificate it trusts (`tls-auth-clients yes`):
    /// reached with `ssl_certfile` and `ssl_keyfile`, refused fast without them.
    @Test func aRedisAskingForClientCertificatesAdmitsTheOneShown() async throws {
        let certificate = try TestEnvironment.certificate()
        try await TestRedisServer.with(tls: certificate, requiringClientCertificates: true) { server in
            let url = "rediss://localhost:\(server.port)/3?ssl_ca_certs=\(certificate.certificatePath)"
            let identified = try #require(
                RedisEndpoint(
                    url: "\(url)&ssl_certfile=\(certificate.certificatePath)&ssl_keyfile=\(certificate.keyPath)"
                )
            )
            try await self.commandsScriptsAndSubscriptionsWork(on: identified)
            let anonymous = try #require(RedisEndpoint(url: url))
            _ = try await self.messagesLoggedWhileACallFailsFast(on: anonymous)
        }
    }

    /// Every pooled connection gives its name (`CLIENT SETNAME`), so `CLIENT LIST` shows whose
    /// connections are whose.
    @Test func pooledConnectionsGiveTheirName() async throws {
        try await TestRedisServer.with { server in
            var named = server.endpoint
            named.clientName = "hotcart-test"
            try await TestEnvironment.withRedis(named) { redis async throws in
                for _ in 0..<4 {
                    #expect(try await redis.send(["CLIENT", "GETNAME"]) == .bulkString("hotcart-test"))
                }
                // A connection the pool is opening just then is listed before its first command
                // (`cmd=NULL`, no name yet): the list is read again until it has named itself.
                var list = ""
                var names: [Substring] = []
                for _ in 0..<20 {
                    list = try await redis.send(["CLIENT", "LIST"]).string ?? ""
                    names = list.split(separator: "\n").compactMap { line in
                        line.split(separator: " ").first { $0.hasPrefix("name=") }
                    }
                    if names.allSatisfy({ $0 == "name=hotcart-test" }) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!names.isEmpty && names.allSatisfy { $0 == "name=hotcart-test" }, "\(list)")
                // An ACL user that may not use CLIENT: its connections work, unnamed.
                let created = try await redis.send([
                    "ACL", "SETUSER", "shop", "on", ">pw", "~*", "&*", "+@all", "-client",
                ])
                #expect(created == .simpleString("OK"))
            }
            var restricted = named
            restricted.credentials = .init(username: "shop", password: "pw")
            try await TestEnvironment.withRedis(restricted) { redis async throws in
                #expect(try await redis.send(["SET", "k", "v"]) == .simpleString("OK"))
                #expect(try await redis.send(["GET", "k"]) == .bulkString("v"))
            }
        }
    }

    /// redis-py's `unix://` URL: commands, a script and a subscription over the socket.
    @Test func aRedisIsReachedOverItsUnixSocket() async throws {
        try await TestRedisServer.with { server in
            let endpoint = try #require(RedisEndpoint(url: "unix://\(server.socketPath)?db=5"))
            try await self.commandsScriptsAndSubscriptionsWork(on: endpoint)
            // The key is in database 5 of the server on that socket.
            var overTCP = server.endpoint
            overTCP.database = 5
            try await TestEnvironment.withRedis(overTCP) { redis async throws in
                #expect(try await redis.send(["GET", "in-5"]) == .bulkString("v"))
            }
        }
    }

    @Test func anUnreachableRedisFailsEveryCallWithinOneSecond() async throws {
        let nobody = RedisEndpoint(host: "127.0.0.1", port: 1)
        try await TestEnvironment.withRedis(nobody) { redis async throws in
            for _ in 0..<3 {
                let start = ContinuousClock.now
                await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
                #expect(ContinuousClock.now - start < .seconds(1))
            }
        }
    }

    @Test func aHungRedisTimesOutInsteadOfHanging() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
                // A frozen server keeps its sockets open and never answers: calls must time out.
                server.pause()
                try await Task.sleep(for: .milliseconds(100))  // let the stop take hold
                // A single command and a pipeline in flight together: each of the pipeline's
                // commands is failed, and its caller resumed once.
                let start = ContinuousClock.now
                async let single = #expect(throws: RedisError.timeout) { try await redis.send(["PING"]) }
                async let pipeline = #expect(throws: RedisError.timeout) {
                    try await redis.send(pipeline: [["PING"], ["GET", "a"], ["GET", "b"]])
                }
                _ = await (single, pipeline)
                #expect(ContinuousClock.now - start < .seconds(1))
                server.resume()
            }
        }
    }

    @Test func anIdleConnectionPingsAndItsRepliesReachNoCaller() async throws {
        let connection = try await RedisConnection.connect(
            to: TestEnvironment.redis,
            commandTimeout: .milliseconds(400),
            keepAliveInterval: .milliseconds(100)
        )
        defer { connection.close() }
        let pingsBefore = try await Self.pingCalls(connection)
        try await Task.sleep(for: .milliseconds(1200))
        // Each keep-alive PONG was taken by nobody: the next caller gets its own reply.
        #expect(try await connection.send(["ECHO", "mine"]) == .bulkString("mine"))
        #expect(try await Self.pingCalls(connection) - pingsBefore >= 3)
    }

    @Test func anIdleConnectionToAFrozenRedisIsClosedByItsKeepAlive() async throws {
        try await TestRedisServer.with { server in
            let connection = try await RedisConnection.connect(
                to: server.endpoint,
                commandTimeout: .milliseconds(300),
                keepAliveInterval: .milliseconds(200)
            )
            defer { connection.close() }
            #expect(try await connection.send(["PING"]) == .simpleString("PONG"))
            let closed = AsyncStream<Void>.makeStream()
            connection.onClose { _ in closed.continuation.yield() }
            server.pause()
            defer { server.resume() }
            // No caller sends anything: the keep-alive PING goes unanswered and times out.
            let closedInTime = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in closed.stream { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(2))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            #expect(closedInTime)
        }
    }

    /// How many PINGs the server has run (every client's), from `INFO commandstats`.
    private static func pingCalls(_ connection: RedisConnection) async throws -> Int {
        let info = try await connection.send(["INFO", "commandstats"]).string ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_ping:") }),
            let calls = line.split(separator: ",").first?.split(separator: "=").last
        else { return 0 }
        return Int(calls) ?? 0
    }

    /// After an outage the pool reopens one connection first; calls past what it carries queue
    /// for another, and a queued call that finds fewer connections than the pool's minimum traps
    /// in its state machine. A burst of thousands of calls as Redis comes back all end.
    @Test func aBurstAsRedisComesBackGetsAnswersWithoutStoppingTheProcess() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                server.kill()
                // Bursts of 3,000 calls every 20 ms while Redis is down and as it comes back,
                // until one burst is all answered: some land while the pool has reopened one
                // connection and not yet the other.
                let bursts = Task {
                    var answered = 0
                    for _ in 0..<200 {
                        let burst = await withTaskGroup(of: Bool.self) { group in
                            for _ in 0..<3_000 {
                                group.addTask { (try? await redis.send(["INCR", "burst"])) != nil }
                            }
                            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                        }
                        answered += burst
                        if burst == 3_000 { break }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    return answered
                }
                try await Task.sleep(for: .milliseconds(300))
                try await server.start()
                let answered = await bursts.value
                #expect(answered >= 3_000)
                // Every call that answered was applied (one that timed out may have been too),
                // and the client works afterwards.
                let stored = try await redis.send(["GET", "burst"])
                guard case .bulkString(let text) = stored, let count = Int(text) else {
                    Issue.record("GET burst answered \(stored)")
                    return
                }
                #expect(count >= answered)
            }
        }
    }

    @Test func afterAnOutageTheClientCarriesMoreThanOneConnectionCan() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint, configure: { $0.commandsPerConnection = 4 }) {
                redis async throws in
                // Down long enough for both connections' reconnect attempts to fail, not long
                // enough for calls to fail fast (the circuit breaker).
                server.kill()
                try await Task.sleep(for: .milliseconds(150))
                try await server.start()
                var recovered = false
                for _ in 0..<100 where !recovered {
                    recovered = (try? await redis.send(["PING"])) != nil
                    if !recovered { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(recovered)
                // 64 calls at once, through two connections of four commands each: they queue
                // for a connection and are all answered.
                for _ in 0..<20 {
                    let answered = await withTaskGroup(of: Bool.self) { group in
                        for _ in 0..<64 {
                            group.addTask { (try? await redis.send(["INCR", "after-outage"])) != nil }
                        }
                        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    #expect(answered == 64)
                }
                #expect(try await redis.send(["GET", "after-outage"]) == .bulkString("1280"))
                // Both connections are open again and carried commands.
                let clients = try await redis.send(["CLIENT", "LIST"]).string ?? ""
                #expect(clients.split(separator: "\n").filter { !$0.contains("cmd=NULL") }.count == 2)
            }
        }
    }

    @Test func theClientRecoversByItselfAfterRedisRestartsUnderLoad() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                #expect(try await redis.send(["SET", "k", "1"]) == .simpleString("OK"))
                // Load while Redis dies: every call ends (reply or error) within a second.
                let load = Task {
                    var slowest = Duration.zero
                    for _ in 0..<200 {
                        let start = ContinuousClock.now
                        _ = try? await redis.send(["INCR", "k"])
                        slowest = max(slowest, ContinuousClock.now - start)
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                    return slowest
                }
                try await Task.sleep(for: .milliseconds(200))
                server.kill()
                try await Task.sleep(for: .milliseconds(300))
                try await server.start()
                #expect(await load.value < .seconds(1))
                // Recovery without a new client: keep asking until the pool has reconnected.
                var recovered = false
                for _ in 0..<100 where !recovered {
                    recovered = (try? await redis.send(["PING"])) == .simpleString("PONG")
                    if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(recovered)
            }
        }
    }

    /// An outage is logged once as it begins and once as it ends (with how long it lasted),
    /// however many calls and connection attempts meet it.
    @Test func anOutageIsLoggedOnceAsItBeginsAndOnceAsItEnds() async throws {
        try await TestRedisServer.with { server in
            let logged = LoggedMessages()
            let logger = Logger(label: "test") { _ in logged.handler }
            try await TestEnvironment.withRedis(server.endpoint, configure: { $0.logger = logger }) {
                redis async throws in
                #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
                server.kill()
                for _ in 0..<10 {
                    await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await server.start()
                var recovered = false
                for _ in 0..<100 where !recovered {
                    recovered = (try? await redis.send(["PING"])) == .simpleString("PONG")
                    if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(recovered)
            }
            let messages = logged.messages.withLock { $0 }
            let began = messages.indices.filter { messages[$0].hasPrefix("redis unreachable ") }
            let ended = messages.indices.filter { messages[$0].hasPrefix("redis reachable again ") }
            #expect(began.count == 1)
            #expect(ended.count == 1)
            #expect(began.first ?? .max < ended.first ?? .min)
            let away = ended.first.flatMap { messages[$0].firstMatch(of: /away_ms=(\d+)/) }.flatMap { Int($0.1) }
            #expect(away ?? 0 >= 500)
        }
    }

    /// What the client logs while a call to `endpoint`, which refuses its connections, fails
    /// (within 2 s: never a hang).
    private func messagesLoggedWhileACallFailsFast(on endpoint: RedisEndpoint) async throws -> [String] {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        let failsFast: @Sendable (RedisClient) async throws -> Void = { redis in
            let start = ContinuousClock.now
            await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
            #expect(ContinuousClock.now - start < .seconds(2))
        }
        try await TestEnvironment.withRedis(endpoint, configure: { $0.logger = logger }, failsFast)
        return logged.messages.withLock { $0 }
    }

    /// Commands, a script and a sharded subscription, each through `endpoint`.
    private func commandsScriptsAndSubscriptionsWork(on endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let key = "in-\(endpoint.database)"
            #expect(try await redis.send(["SET", key, "v"]) == .simpleString("OK"))
            let script = RedisScript(name: "get", source: "return redis.call('GET', KEYS[1])")
            #expect(try await redis.run(script, keys: [key], arguments: []) == .bulkString("v"))
            let heard = AsyncStream<String>.makeStream()
            let subscribed = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A failed subscription ends the streams, so the waits below end.
                    defer {
                        subscribed.continuation.finish()
                        heard.continuation.finish()
                    }
                    try await redis.subscribe(
                        toShardChannels: ["news"],
                        onSubscribed: { subscribed.continuation.yield() },
                        onMessage: { _, message in heard.continuation.yield(message) }
                    )
                }
                defer { group.cancelAll() }
                var confirmed = false
                for await _ in subscribed.stream {
                    confirmed = true
                    break
                }
                #expect(confirmed)
                _ = try await redis.send(["SPUBLISH", "news", "hello"])
                var message: String?
                for await published in heard.stream {
                    message = published
                    break
                }
                #expect(message == "hello")
            }
        }
    }
}
