import CartDomain
import CartStore
import HTTPTypes
import HotCartAPI
import HotCartTestSupport
import RedisClient
import Synchronization
import Testing

/// Carts keep working while the cluster changes under them: slots move to other masters, a
/// replica takes over from its master.
@Suite(.serialized) struct ClusterChangeTests {
    /// Set once the change is over: the shoppers stop.
    final class Finish: Sendable {
        let done = Atomic(false)
    }

    /// What one shopper saw: units added per product, every status it got, its cart at the end.
    struct Visit: Sendable {
        var added: [Int: Int] = [:]
        var statuses: [HTTPResponse.Status] = []
        var cart: [Int: Int] = [:]
    }

    @Test func movingEveryCartSlotUnderLoadFailsNoRequestAndLosesNoUpdate() async throws {
        try await self.shop { cluster in
            // Every shard's slot, each to the next master: every cart and write-behind stream moves.
            var keysMoved = 0
            for shard in 0..<CartKeys.shardCount {
                let slot = HashSlot.of(CartKeys.writeBehindStream(shard: shard))
                let owner = try await cluster.owner(of: slot)
                keysMoved += try await cluster.move(slot: slot, to: cluster.master(after: owner), batch: 50)
            }
            #expect(keysMoved >= 24)
        }
    }

    @Test func aFailoverUnderLoadFailsNoRequestAndLosesNoUpdate() async throws {
        try await self.shop { cluster in
            let replica = try #require(cluster.replicas.first, "scripts/test starts one replica")
            let master = try #require(cluster.masters.first { $0.id == replica.masterID })
            try await cluster.failover(to: replica, from: master)
            // The old master is the replica now (the next run fails over the other way: the
            // masters refuse to vote twice for the same slots within twice the node timeout).
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Runs 24 shoppers on the cluster, each adding one unit at a time (at least 20 adds, and on
    /// until `change` is over), then checks that every request succeeded and every cart holds
    /// exactly the units its shopper added.
    func shop(during change: @escaping @Sendable (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.connect()
        defer { cluster.close() }
        // No cap on the cart's units; lines stay within the per-line cap PostgreSQL keeps too,
        // spread over 40 products.
        let unlimited: (inout AppConfiguration) -> Void = { configuration in
            configuration.cart.limits = CartLimits(maxQuantityPerItem: 99, maxItems: 100_000)
        }
        try await withTestApp(redis: TestEnvironment.cluster, settings: unlimited) { client, services async throws in
            var catalog: [Int] = []
            for index in 0..<40 { catalog.append(try await insertProduct(services, price: "\(index + 1).00")) }
            let products = catalog
            let finish = Finish()
            let shoppers = (0..<24).map { _ in Browser(client) }
            async let visits = withThrowingTaskGroup(of: Visit.self) { group in
                for (index, shopper) in shoppers.enumerated() {
                    group.addTask {
                        var visit = Visit()
                        var step = index
                        while step - index < 20 || !finish.done.load(ordering: .acquiring) {
                            let product = products[step % products.count]
                            let response = try await shopper.send(
                                .post,
                                "/cart/items",
                                json: #"{"product_id": \#(product), "quantity": 1}"#
                            )
                            visit.statuses.append(response.status)
                            if response.status == .ok || response.status == .created {
                                visit.added[product, default: 0] += 1
                            }
                            step += 1
                        }
                        for item in try await shopper.send(.get, "/cart").items {
                            if let product = item["product_id"] as? Int, let quantity = item["quantity"] as? Int {
                                visit.cart[product] = quantity
                            }
                        }
                        return visit
                    }
                }
                return try await group.reduce(into: [Visit]()) { $0.append($1) }
            }
            do {
                defer { finish.done.store(true, ordering: .releasing) }
                try await Task.sleep(for: .milliseconds(100))
                try await change(cluster)
            }
            let seen = try await visits
            let statuses = seen.flatMap(\.statuses)
            #expect(statuses.count >= shoppers.count * 20)
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .created }, "\(Set(statuses.map(\.code)))")
            for visit in seen {
                #expect(visit.cart == visit.added)
            }
        }
    }
}
