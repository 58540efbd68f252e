import HotCartTestSupport
import Testing

@testable import RedisClient

/// The client against the local 3-master Redis Cluster that scripts/test starts.
@Suite(.serialized) struct RedisClusterTests {
    @Test func oneSeedNodeReachesKeysOnEveryMaster() async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            let prefix = TestEnvironment.uniqueID()
            let keys = (0..<300).map { "\(prefix):\($0)" }
            for (index, key) in keys.enumerated() {
                #expect(try await redis.send(["SET", key, String(index), "EX", "60"]) == .simpleString("OK"))
            }
            #expect(redis.isCluster)
            for (index, key) in keys.enumerated() {
                #expect(try await redis.send(["GET", key]) == .bulkString(String(index)))
            }
            // Each key is held by the master that serves its slot, and every master holds some.
            var owners = Set<String>()
            for key in keys {
                let owner = try await cluster.owner(of: HashSlot.of(key))
                #expect(try await cluster.send(["EXISTS", key], to: owner).int == 1)
                owners.insert(owner.id)
            }
            #expect(owners.count == cluster.masters.count)
        }
    }

    @Test func aPipelineOverEveryMasterAnswersInOrder() async throws {
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            let prefix = TestEnvironment.uniqueID()
            let keys = (0..<200).map { "\(prefix):\($0)" }
            let writes = keys.enumerated().map { index, key in ["INCRBY", key, String(index)] }
            #expect(try await redis.send(pipeline: writes) == keys.indices.map { .integer(Int64($0)) })
            let mixed = keys.flatMap { [["GET", $0], ["PING"], ["DEL", $0]] }
            let replies = try await redis.send(pipeline: mixed)
            for (index, _) in keys.enumerated() {
                #expect(replies[3 * index] == .bulkString(String(index)))
                #expect(replies[3 * index + 1] == .simpleString("PONG"))
                #expect(replies[3 * index + 2] == .integer(1))
            }
        }
    }

    @Test func scriptsAreLoadedAgainOnEachMasterThatLostThem() async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        let script = RedisScript(name: "echo", source: "return redis.call('INCR', KEYS[1]) .. ARGV[1]")
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            for master in cluster.masters { _ = try await cluster.send(["SCRIPT", "FLUSH"], to: master) }
            let prefix = TestEnvironment.uniqueID()
            for index in 0..<60 {
                let key = "\(prefix):\(index)"
                #expect(try await redis.run(script, keys: [key], arguments: ["!"]) == .bulkString("1!"))
                _ = try await redis.send(["DEL", key])
            }
            for master in cluster.masters {
                #expect(try await cluster.send(["SCRIPT", "EXISTS", script.sha1], to: master) == .array([.integer(1)]))
            }
        }
    }

    @Test func askDuringAMigrationAndMovedAfterItReachTheKeys() async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            let tag = "{\(TestEnvironment.uniqueID())}"
            let slot = HashSlot.of(tag)
            let keys = (0..<40).map { "\(tag):\($0)" }
            for (index, key) in keys.enumerated() { _ = try await redis.send(["SET", key, String(index)]) }
            // This test's keys a node holds in the slot (other tests may leave keys in it too).
            func ours(on node: TestCluster.Node) async throws -> [String] {
                let held = try await cluster.send(["CLUSTER", "GETKEYSINSLOT", String(slot), "10000"], to: node)
                return (held.array ?? []).compactMap(\.string).filter { $0.hasPrefix(tag) }
            }
            let source = try await cluster.owner(of: slot)
            let target = cluster.master(after: source)

            try await cluster.startMoving(slot: slot, from: source, to: target)
            #expect(try await cluster.migrateKeys(slot: slot, from: source, to: target, count: 20) == 20)
            // Half the keys are on each side: the moved ones are reached with ASK.
            for (index, key) in keys.enumerated() {
                #expect(try await redis.send(["GET", key]) == .bulkString(String(index)))
            }
            // A new key of a migrating slot is made on the target.
            _ = try await redis.send(["SET", "\(tag):new", "n"])
            #expect(try await ours(on: target).contains("\(tag):new"))
            #expect(try await ours(on: source).count + ours(on: target).count == 41)
            // A command on several keys, some of them moved, waits out TRYAGAIN until the end.
            let left = try await cluster.send(["CLUSTER", "GETKEYSINSLOT", String(slot), "40"], to: source)
            let staying = try #require(left.array?.compactMap(\.string).first { $0.hasPrefix(tag) })
            let moved = try #require(keys.first { !(left.array ?? []).contains(.bulkString($0)) })
            async let both = redis.send(["MGET", staying, moved])
            try await Task.sleep(for: .milliseconds(20))
            while try await cluster.migrateKeys(slot: slot, from: source, to: target, count: 20) > 0 {}
            try await cluster.finishMoving(slot: slot, to: target)
            let values = [staying, moved].map { key in RedisValue.bulkString(String(keys.firstIndex(of: key) ?? -1)) }
            #expect(try await both == .array(values))

            // The slot has moved for good: the old owner answers MOVED and the client learns.
            for (index, key) in keys.enumerated() {
                #expect(try await redis.send(["GET", key]) == .bulkString(String(index)))
            }
            #expect(try await ours(on: target).count == 41)
            _ = try await redis.send(["DEL"] + keys + ["\(tag):new"])
        }
    }

    @Test func aSingleRedisStaysASingleNodeClient() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            _ = try await redis.send(["SET", "\(TestEnvironment.uniqueID())", "1", "EX", "5"])
            // The client asked the node for its slots at start; a plain Redis refused.
            try await Task.sleep(for: .milliseconds(200))
            #expect(!redis.isCluster)
        }
    }

    @Test func aSeedThatIsDownIsPassedOver() async throws {
        let configuration = RedisClient.Configuration(seeds: [
            RedisEndpoint(host: "127.0.0.1", port: 1), TestEnvironment.cluster,
        ])
        let redis = RedisClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            let key = TestEnvironment.uniqueID()
            var reply: RedisValue?
            for _ in 0..<30 where reply == nil {
                reply = try? await redis.send(["SET", key, "v", "EX", "10"])
                if reply == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(reply == .simpleString("OK"))
            #expect(try await redis.send(["GET", key]) == .bulkString("v"))
        }
    }
}
