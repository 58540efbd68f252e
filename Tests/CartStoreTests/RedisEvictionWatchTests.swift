import CartStore
import HotCartTestSupport
import Logging
import RedisClient
import Testing

/// Whether Redis may evict HotCart's keys, as the watch finds and says it.
@Suite struct RedisEvictionWatchTests {
    private let logger = Logger(label: "test")

    /// Only a `maxmemory` with a policy other than `noeviction` lets Redis evict.
    @Test func onlyAMemoryLimitWithAnEvictingPolicyIsFound() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis in
                let watch = RedisEvictionWatch(redis: redis, logger: self.logger)
                #expect(try await watch.check() == .safe)
                _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
                #expect(try await watch.check() == .safe)  // no maxmemory: nothing is evicted
                _ = try await redis.send(["CONFIG", "SET", "maxmemory", "1gb"])
                #expect(try await watch.check() == .mayEvict(policies: ["allkeys-lru"]))
                _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"])
                #expect(try await watch.check() == .mayEvict(policies: ["volatile-ttl"]))
                _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
                #expect(try await watch.check() == .safe)
            }
        }
    }

    /// A Redis user that may not run `CONFIG` gets an unknown finding, not an error.
    @Test func aRedisThatRefusesConfigIsUnknown() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { admin in
                _ = try await admin.send(["ACL", "SETUSER", "shopper", "on", ">secret", "~*", "&*", "+@all", "-config"])
            }
            let shopper = try #require(RedisEndpoint(url: "redis://shopper:secret@127.0.0.1:\(server.port)/0"))
            try await TestEnvironment.withRedis(shopper) { redis in
                let finding = try await RedisEvictionWatch(redis: redis, logger: self.logger).check()
                guard case .unknown(let refusal) = finding else {
                    Issue.record("found \(finding)")
                    return
                }
                #expect(refusal.hasPrefix("NOPERM"))
            }
        }
    }

    /// Every master of a cluster is asked: one master that may evict is found, whichever node
    /// the client was given.
    @Test func everyMasterOfAClusterIsAsked() async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        let seed = try #require(cluster.masters.first { $0.endpoint.port == TestEnvironment.cluster.port })
        let other = cluster.master(after: seed)
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis in
            try await Self.waitUntil { redis.isCluster }
            let watch = RedisEvictionWatch(redis: redis, logger: self.logger)
            #expect(try await watch.check() == .safe)
            // Far more memory than the tests use: the policy is set, nothing is ever evicted.
            _ = try await cluster.send(["CONFIG", "SET", "maxmemory", "20gb"], to: other)
            _ = try await cluster.send(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"], to: other)
            let found: RedisEvictionWatch.Finding
            do {
                found = try await watch.check()
            } catch {
                found = .unknown("\(error)")
            }
            _ = try await cluster.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"], to: other)
            _ = try await cluster.send(["CONFIG", "SET", "maxmemory", "0"], to: other)
            #expect(found == .mayEvict(policies: ["volatile-lru"]))
        }
    }

    /// Running, the watch says eviction once when it becomes possible (however many checks
    /// find it), and once when it no longer is.
    @Test func theWatchSaysEachChangeOnce() async throws {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        @Sendable func said(_ prefix: String) -> Int { logged.messages.withLock { $0.count { $0.hasPrefix(prefix) } } }
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis in
                let watch = RedisEvictionWatch(redis: redis, interval: .milliseconds(50), logger: logger)
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { await watch.run() }
                    _ = try await redis.send(["CONFIG", "SET", "maxmemory", "1gb"])
                    _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"])
                    try await Self.waitUntil { said("redis may evict keys") == 1 }
                    try await Task.sleep(for: .milliseconds(300))  // six more checks
                    #expect(said("redis may evict keys") == 1)
                    #expect(logged.messages.withLock { $0.contains { $0.contains("maxmemory-policy=allkeys-lfu") } })
                    _ = try await redis.send(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
                    try await Self.waitUntil { said("redis no longer evicts keys") == 1 }
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(said("redis no longer evicts keys") == 1)
                    #expect(said("redis may evict keys") == 1)
                    group.cancelAll()
                }
            }
        }
    }

    /// Waits up to 3 s for `condition`, failing the test if it never holds.
    private static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<60 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the condition never held")
    }
}
