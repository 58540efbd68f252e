import HotCartTestSupport
import RedisClient
import Synchronization
import Testing

/// `RedisClient.subscribe(toShardChannels:)` against a real Redis and the real cluster.
@Suite struct RedisShardSubscriptionTests {
    /// What a subscription has seen so far.
    final class Received: Sendable {
        let subscribedNodes = Atomic(0)
        let messages = Mutex<[String: String]>([:])

        func waitUntil(_ condition: (Received) -> Bool, within timeout: Duration = .seconds(3)) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition(self) { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return condition(self)
        }
    }

    /// Subscribes in a child task until `body` returns; `body` gets what arrives and the
    /// subscription's task (whose value is how the subscription ended). A client that has just
    /// started may not have its slot map yet (it would subscribe at the seed, which refuses
    /// other slots' channels: the caller's retry handles that); a command on each channel's
    /// name teaches it first.
    static func subscribing<Result: Sendable>(
        _ redis: RedisClient,
        to channels: [String],
        _ body: (Received, Task<(any Error)?, Never>) async throws -> Result
    ) async throws -> Result {
        for channel in channels { _ = try await redis.send(["EXISTS", channel]) }
        let received = Received()
        let subscription = Task { () -> (any Error)? in
            do {
                try await redis.subscribe(
                    toShardChannels: channels,
                    onSubscribed: { received.subscribedNodes.add(1, ordering: .relaxed) },
                    onMessage: { channel, message in received.messages.withLock { $0[channel] = message } }
                )
                return nil
            } catch {
                return error
            }
        }
        defer { subscription.cancel() }
        return try await body(received, subscription)
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func everyMessagePublishedOnTheChannelsArrivesFromEveryNode(endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let id = TestEnvironment.uniqueID()
            let channels = (0..<32).map { "subscription-test:{\(id)-\($0)}" }
            let nodes: Int
            if endpoint == TestEnvironment.cluster {
                let cluster = try await TestCluster.connect()
                defer { cluster.close() }
                var owners: Set<String> = []
                for channel in channels { owners.insert(try await cluster.owner(of: HashSlot.of(channel)).id) }
                nodes = owners.count
                #expect(nodes > 1, "the channels should spread over several masters")
            } else {
                nodes = 1
            }
            try await Self.subscribing(redis, to: channels) { received, _ async throws in
                #expect(try await received.waitUntil { $0.subscribedNodes.load(ordering: .relaxed) == nodes })
                for (index, channel) in channels.enumerated() {
                    #expect(try await redis.send(["SPUBLISH", channel, "message \(index)"]).int == 1)
                }
                #expect(try await received.waitUntil { $0.messages.withLock { $0.count } == channels.count })
                let expected = Dictionary(uniqueKeysWithValues: channels.enumerated().map { ($1, "message \($0)") })
                #expect(received.messages.withLock { $0 } == expected)
            }
        }
    }

    @Test func aSubscriptionEndsWhenRedisGoesAndWorksAgainOnceItIsBack() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                let channel = "subscription-test:{\(TestEnvironment.uniqueID())}"
                try await Self.subscribing(redis, to: [channel]) { received, subscription async throws in
                    #expect(try await received.waitUntil { $0.subscribedNodes.load(ordering: .relaxed) == 1 })
                    server.kill()
                    // The subscription ends (the caller subscribes again); it never hangs.
                    let ended = try await withDeadline(.seconds(5)) { await subscription.value }
                    #expect(ended is RedisError)
                }
                try await server.start()
                try await Self.subscribing(redis, to: [channel]) { received, _ async throws in
                    #expect(
                        try await received.waitUntil(
                            { $0.subscribedNodes.load(ordering: .relaxed) == 1 },
                            within: .seconds(5)
                        )
                    )
                    _ = try await redis.send(["SPUBLISH", channel, "back"])
                    #expect(try await received.waitUntil { $0.messages.withLock { $0[channel] } == "back" })
                }
            }
        }
    }

    @Test func aSubscriptionEndsWhenItsChannelsSlotMovesAndTheNextOneFollowsIt() async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        try await TestEnvironment.withRedis(TestEnvironment.cluster) { redis async throws in
            let channel = "subscription-test:{\(TestEnvironment.uniqueID())}"
            let slot = HashSlot.of(channel)
            let target = cluster.master(after: try await cluster.owner(of: slot))
            try await Self.subscribing(redis, to: [channel]) { received, subscription async throws in
                #expect(try await received.waitUntil { $0.subscribedNodes.load(ordering: .relaxed) == 1 })
                try await cluster.move(slot: slot, to: target)
                // The old owner unsubscribes the channel: the subscription ends.
                let ended = try await withDeadline(.seconds(5)) { await subscription.value }
                #expect(ended is RedisError)
            }
            // Subscribing again reaches the new owner (after the client learns the move).
            var delivered = false
            for _ in 0..<10 where !delivered {
                try await Self.subscribing(redis, to: [channel]) { received, _ async throws in
                    guard try await received.waitUntil({ $0.subscribedNodes.load(ordering: .relaxed) == 1 }) else {
                        return
                    }
                    _ = try await redis.send(["SPUBLISH", channel, "moved"])
                    delivered = try await received.waitUntil { $0.messages.withLock { $0[channel] } == "moved" }
                }
            }
            #expect(delivered)
            #expect(try await cluster.owner(of: slot).id == target.id)
        }
    }
}
