import CartDomain
import CartStore
import HotCartTestSupport
import RedisClient
import Testing

@testable import WriteBehind

/// The write-behind status an API process reports on `/metrics`, read from a Redis of its own
/// (other tests' flushers drain the shared one).
@Suite struct WriteBehindStatusTests {
    @Test func backlogAndOldestAgeCountUnflushedChangesAndSweepsAddUp() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                let store = RedisCartStore(redis: redis, settings: CartSettings(mutationsPerMinute: 0))
                let product = ProductSnapshot(id: 1, name: "p", price: Cents(100), stock: nil, isActive: true)
                let empty = try await WriteBehindStatus.read(from: redis, now: 0)
                #expect(
                    empty
                        == WriteBehindStatus(
                            backlog: 0,
                            oldestPendingMilliseconds: 0,
                            expiredTotal: 0,
                            abandonedTotal: 0
                        )
                )
                let session = CartSession(owner: .guest(sessionID: TestEnvironment.uniqueID()))
                _ = try await store.addItem(product, quantity: 1, session: session, ifMatch: nil)
                _ = try await store.addItem(product, quantity: 1, session: session, ifMatch: nil)
                let second = try await redis.send(["TIME"]).array?.first?.int ?? 0
                let status = try await WriteBehindStatus.read(from: redis, now: Int64(second) * 1000 + 5000)
                #expect(status.backlog == 2)
                #expect(status.oldestPendingMilliseconds >= 4000 && status.oldestPendingMilliseconds <= 6000)
                try await WriteBehindStatus.add(.init(expired: 3, abandoned: 1, ran: true), to: redis)
                try await WriteBehindStatus.add(.init(expired: 2, abandoned: 0, ran: true), to: redis)
                let totals = try await WriteBehindStatus.read(from: redis, now: 0)
                #expect(totals.expiredTotal == 5 && totals.abandonedTotal == 1)
                #expect(totals.prometheusText.contains("\nhotcart_carts_expired_total 5\n"))
                #expect(totals.prometheusText.contains("\nhotcart_flush_backlog 2\n"))
            }
        }
    }
}
