import CartDomain
import CartStore
import Database
import Foundation
import HotCartTestSupport
import Logging
import PostgresNIO
import RedisClient
import Testing

@testable import WriteBehind

/// The flusher against the real test Redis and PostgreSQL. Other tests append to the same
/// streams, so each test checks only its own carts, and waits until PostgreSQL has them.
@Suite(.serialized) struct CartFlusherTests {
    let settings = CartSettings(mutationsPerMinute: 0)
    let logger = Logger(label: "test")

    func product(_ id: Int, cents: Int64) -> ProductSnapshot {
        ProductSnapshot(id: id, name: "Demo \(id)", price: Cents(cents), stock: nil, isActive: true)
    }

    /// Runs `body` with Redis, PostgreSQL and `flushers` flushers running. The flushers stop
    /// before the PostgreSQL clients do, as a service group would stop them.
    func withFlushers(
        _ flushers: Int,
        claimAfterMilliseconds: Int = 30_000,
        flusherDatabase: PostgresClient.Configuration? = nil,
        redis endpoint: RedisEndpoint = TestEnvironment.redis,
        _ body: @Sendable (RedisCartStore, RedisClient, DatabasePool) async throws -> Void
    ) async throws {
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: self.logger)
        let flusherPostgres = flusherDatabase.map { DatabasePool(configuration: $0, logger: self.logger) }
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            try await withThrowingTaskGroup(of: Void.self) { clients in
                clients.addTask { await postgres.run() }
                if let flusherPostgres { clients.addTask { await flusherPostgres.run() } }
                defer { clients.cancelAll() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<flushers {
                        var configuration = FlusherConfiguration(
                            consumerName: "test-\(TestEnvironment.uniqueID())-\(index)"
                        )
                        configuration.intervalMilliseconds = 20
                        configuration.claimAfterMilliseconds = claimAfterMilliseconds
                        let flusher = CartFlusher(
                            configuration: configuration,
                            redis: redis,
                            postgres: flusherPostgres ?? postgres,
                            settings: settings,
                            logger: logger
                        )
                        group.addTask { try await flusher.run() }
                    }
                    defer { group.cancelAll() }
                    let durable = PostgresCartSource(postgres: postgres, logger: logger)
                    try await body(RedisCartStore(redis: redis, settings: settings, durable: durable), redis, postgres)
                }
            }
        }
    }

    /// A new account's id (lower-case, as tokens carry it).
    func insertUser(in postgres: DatabasePool) async throws -> String {
        let id = UUID().uuidString.lowercased()
        for try await _ in try await postgres.query(
            """
            INSERT INTO "user" (id, email, hashed_password)
            VALUES (\(id)::uuid, \("flush-\(id)@example.com"), 'x')
            """
        ) {}
        return id
    }

    /// The cart as PostgreSQL has it: version and lines (id, product, quantity, cents).
    func stored(_ cartID: String, in postgres: DatabasePool) async throws -> (Int64, [String])? {
        var version: Int64?
        for try await value in try await postgres.query("SELECT version FROM cart WHERE id = \(cartID)::uuid").decode(
            Int64.self
        ) {
            version = value
        }
        guard let version else { return nil }
        var lines: [String] = []
        let rows = try await postgres.query(
            "SELECT id::text, product_id, quantity, (unit_price * 100)::bigint FROM cart_item WHERE cart_id = \(cartID)::uuid ORDER BY id"
        )
        for try await (id, product, quantity, cents) in rows.decode((String, Int, Int, Int64).self) {
            lines.append("\(id) \(product)x\(quantity)@\(cents)")
        }
        return (version, lines)
    }

    func expected(_ cart: Cart) -> (Int64, [String]) {
        (
            cart.version,
            (cart.items + cart.savedItems).sorted { $0.id < $1.id }.map {
                "\($0.id) \($0.productID)x\($0.quantity)@\($0.unitPrice.value)"
            }
        )
    }

    /// Waits (up to 15 s) until PostgreSQL holds exactly what Redis holds for these carts.
    func expectPostgresMatchesRedis(_ owners: [CartOwner], store: RedisCartStore, postgres: DatabasePool) async throws {
        var mismatches: [String] = []
        for _ in 0..<150 {
            mismatches = []
            for owner in owners {
                let cart = try #require(try await store.snapshots(ofCartKeys: [CartKeys(owner: owner).cart]).first)
                let row = try await self.stored(cart.id, in: postgres)
                if row?.0 != self.expected(cart).0 || row?.1 != self.expected(cart).1 {
                    mismatches.append("\(cart.id): redis v\(cart.version), postgres \(String(describing: row?.0))")
                }
            }
            if mismatches.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("PostgreSQL does not match Redis: \(mismatches.prefix(5))")
    }

    /// Adds one unit of product 1 to each owner's cart.
    func addOne(to owners: [CartOwner], store: RedisCartStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for owner in owners {
                group.addTask {
                    _ = try await store.addItem(
                        product(1, cents: 599),
                        quantity: 1,
                        session: CartSession(owner: owner),
                        ifMatch: nil
                    )
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func theFlusherCarriesOnByItselfAfterRedisRestartsEmpty() async throws {
        try await TestRedisServer.with { server in
            try await withFlushers(1, redis: server.endpoint) { store, redis, postgres in
                let before = (0..<10).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
                try await addOne(to: before, store: store)
                try await expectPostgresMatchesRedis(before, store: store, postgres: postgres)
                // Redis restarts with nothing: no streams, no consumer group, no carts.
                server.kill()
                try await server.start()
                var answered = false
                for _ in 0..<50 where !answered {
                    answered = (try? await redis.send(["PING"])) != nil
                    if !answered { try await Task.sleep(for: .milliseconds(100)) }
                }
                let after = (0..<10).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
                try await addOne(to: after, store: store)
                try await expectPostgresMatchesRedis(after, store: store, postgres: postgres)
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func afterABurstOfChangesPostgresHoldsExactlyWhatRedisHolds(redis endpoint: RedisEndpoint) async throws {
        try await withFlushers(1, redis: endpoint) { store, _, postgres in
            let owners = (0..<40).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, owner) in owners.enumerated() {
                    group.addTask {
                        let first = try await store.addItem(
                            product(1, cents: 599),
                            quantity: 3,
                            session: CartSession(owner: owner),
                            ifMatch: nil
                        )
                        _ = try await store.addItem(
                            product(2, cents: 1999),
                            quantity: 2,
                            session: CartSession(owner: owner),
                            ifMatch: nil
                        )
                        _ = try await store.addItem(
                            product(3, cents: 4249),
                            quantity: 1,
                            session: CartSession(owner: owner),
                            ifMatch: nil
                        )
                        let itemID = first.cart.items[0].id
                        switch index % 4 {
                        case 0:
                            _ = try await store.setQuantity(
                                itemID: itemID,
                                quantity: 7,
                                limit: nil,
                                session: CartSession(owner: owner),
                                ifMatch: nil
                            )
                        case 1:
                            _ = try await store.setQuantity(
                                itemID: itemID,
                                quantity: 0,
                                limit: nil,
                                session: CartSession(owner: owner),
                                ifMatch: nil
                            )
                        case 2: _ = try await store.clear(session: CartSession(owner: owner), ifMatch: nil)
                        default: break
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await expectPostgresMatchesRedis(owners, store: store, postgres: postgres)
        }
    }

    @Test func aChangeRewritesOnlyTheLineItChanged() async throws {
        try await withFlushers(1) { store, _, postgres in
            let owner = CartOwner.guest(sessionID: TestEnvironment.uniqueID())
            let session = CartSession(owner: owner)
            var cart = try await store.addItem(product(1, cents: 599), quantity: 1, session: session, ifMatch: nil).cart
            for id in 2...3 {
                cart = try await store.addItem(product(id, cents: 1999), quantity: 1, session: session, ifMatch: nil)
                    .cart
            }
            try await expectPostgresMatchesRedis([owner], store: store, postgres: postgres)
            let before = try await self.rowVersions(cart.id, in: postgres)
            #expect(before.count == 3)
            let changed = try #require(cart.items.first { $0.productID == 2 })
            _ = try await store.setQuantity(itemID: changed.id, quantity: 5, limit: nil, session: session, ifMatch: nil)
            try await expectPostgresMatchesRedis([owner], store: store, postgres: postgres)
            let after = try await self.rowVersions(cart.id, in: postgres)
            // xmin is the transaction that wrote a row and xmax one that locked it: only product
            // 2's line was written again, and the other two were not even locked.
            #expect(after[1] == before[1])
            #expect(after[3] == before[3])
            #expect(after[2] != before[2])
        }
    }

    @Test func aUserCartIsStoredWithItsUserAndACartOfAnUnknownUserWithNone() async throws {
        try await withFlushers(1) { store, _, postgres in
            let known = try await self.insertUser(in: postgres)
            let unknown = UUID().uuidString.lowercased()
            let owners = [CartOwner.user(id: known), CartOwner.user(id: unknown)]
            try await addOne(to: owners, store: store)
            try await expectPostgresMatchesRedis(owners, store: store, postgres: postgres)
            var stored: [String?] = []
            for owner in owners {
                let cart = try #require(try await store.snapshots(ofCartKeys: [CartKeys(owner: owner).cart]).first)
                for try await userID in try await postgres.query(
                    "SELECT user_id::text FROM cart WHERE id = \(cart.id)::uuid"
                ).decode(String?.self) {
                    stored.append(userID)
                }
            }
            #expect(stored == [known, nil])
        }
    }

    /// Product id → `xmin/xmax` of the cart's line rows in PostgreSQL: the transaction that
    /// wrote the row and the last one that updated or locked it.
    func rowVersions(_ cartID: String, in postgres: DatabasePool) async throws -> [Int: String] {
        var versions: [Int: String] = [:]
        let rows = try await postgres.query(
            "SELECT product_id, xmin::text || '/' || xmax::text FROM cart_item WHERE cart_id = \(cartID)::uuid"
        )
        for try await (product, version) in rows.decode((Int, String).self) { versions[product] = version }
        return versions
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func twoFlushersTogetherReachTheSameFinalState(redis endpoint: RedisEndpoint) async throws {
        try await withFlushers(2, redis: endpoint) { store, _, postgres in
            let owners = (0..<10).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for owner in owners {
                    for step in 0..<20 {
                        group.addTask {
                            _ = try await store.addItem(
                                product(1 + step % 5, cents: 100),
                                quantity: 1,
                                session: CartSession(owner: owner),
                                ifMatch: nil
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await expectPostgresMatchesRedis(owners, store: store, postgres: postgres)
            for owner in owners {
                let cart = try #require(try await store.snapshots(ofCartKeys: [CartKeys(owner: owner).cart]).first)
                #expect(cart.totalQuantity == 20)
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func recordsTakenByACrashedFlusherAreClaimedAndWritten(redis endpoint: RedisEndpoint) async throws {
        let owner = CartOwner.guest(sessionID: TestEnvironment.uniqueID())
        let cartKey = CartKeys(owner: owner).cart
        // No live flusher: a consumer takes the record and dies before acknowledging it.
        try await withFlushers(0, redis: endpoint) { store, redis, _ in
            _ = try await store.addItem(
                product(4, cents: 250),
                quantity: 2,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            let crashed = WriteBehindQueue(redis: redis, consumer: "crashed-\(TestEnvironment.uniqueID())")
            try await crashed.ensureGroups()
            var taken: [WriteBehindRecord] = []
            for _ in 0..<50 where !taken.contains(where: { $0.cartKey == cartKey }) {
                taken += try await crashed.readNew(count: 1000)
            }
            #expect(taken.contains { $0.cartKey == cartKey })
        }
        // A live flusher claims the records once they have been idle long enough.
        try await withFlushers(1, claimAfterMilliseconds: 200, redis: endpoint) { store, _, postgres in
            try await expectPostgresMatchesRedis([owner], store: store, postgres: postgres)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aSnapshotPostgresRejectsIsSkippedAndTheRestOfTheBatchIsWritten(redis endpoint: RedisEndpoint) async throws {
        try await withFlushers(1, redis: endpoint) { store, redis, postgres in
            // A cart whose id PostgreSQL refuses (not a UUID), queued beside a good one.
            let bad = CartKeys(owner: .guest(sessionID: TestEnvironment.uniqueID()))
            _ = try await redis.send([
                "HSET", bad.cart, "id", "not-a-uuid", "st", "active", "v", "1", "q", "0", "c", "1", "u", "1",
            ])
            _ = try await redis.send(["XADD", bad.writeBehindStream, "*", "cart", bad.cart, "v", "1"])
            let good = CartOwner.guest(sessionID: TestEnvironment.uniqueID())
            _ = try await store.addItem(
                product(5, cents: 100),
                quantity: 1,
                session: CartSession(owner: good),
                ifMatch: nil
            )
            try await expectPostgresMatchesRedis([good], store: store, postgres: postgres)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aCartDeletedFromRedisComesBackFromPostgresWithTheSameItems(redis endpoint: RedisEndpoint) async throws {
        try await withFlushers(1, redis: endpoint) { store, redis, postgres in
            let session = CartSession(
                owner: .guest(sessionID: TestEnvironment.uniqueID()),
                reference: TestEnvironment.uniqueID()
            )
            _ = try await store.addItem(product(1, cents: 599), quantity: 2, session: session, ifMatch: nil)
            _ = try await store.addItem(product(2, cents: 1999), quantity: 3, session: session, ifMatch: nil)
            let saved = try await store.addItem(product(3, cents: 4249), quantity: 4, session: session, ifMatch: nil)
            _ = try await store.saveForLater(
                itemID: try #require(saved.cart.items.first { $0.productID == 3 }?.id),
                session: session,
                ifMatch: nil
            )
            let code = PromoCode(code: "Flush-\(TestEnvironment.uniqueID().prefix(8))", reduction: .percent(10))
            let before = try await store.applyPromoCode(code, session: session, ifMatch: nil)
            #expect(before.promoCode == code.code)
            try await expectPostgresMatchesRedis([session.owner], store: store, postgres: postgres)
            var savedRows = 0
            for try await (quantity, isSaved) in try await postgres.query(
                "SELECT quantity, saved FROM cart_item WHERE cart_id = \(before.id)::uuid AND product_id = 3"
            ).decode((Int, Bool).self) {
                #expect(quantity == 4 && isSaved)
                savedRows += 1
            }
            #expect(savedRows == 1)
            _ = try await redis.send(["DEL", CartKeys(owner: session.owner).cart])
            let after = try await store.cart(of: session)
            #expect(after.id == before.id)
            #expect(after.version == before.version)
            #expect(after.promoCode == code.code)
            #expect(after.items.map(\.id) == before.items.map(\.id))
            #expect(after.items.sorted { $0.productID < $1.productID }.map(\.quantity) == [2, 3])
            #expect(after.subtotal == Cents(2 * 599 + 3 * 1999))
            // Names come back from the catalog (PostgreSQL keeps the product id, not the name).
            #expect(
                after.savedItems.map { "\($0.id) \($0.quantity)@\($0.unitPrice)" }
                    == before.savedItems.map {
                        "\($0.id) \($0.quantity)@\($0.unitPrice)"
                    }
            )
        }
    }

    @Test func concurrentFirstRequestsAfterEvictionMakeOneCartAndLoseNoWrite() async throws {
        try await withFlushers(1) { store, redis, postgres in
            let session = CartSession(
                owner: .guest(sessionID: TestEnvironment.uniqueID()),
                reference: TestEnvironment.uniqueID()
            )
            let before = try await store.addItem(product(3, cents: 100), quantity: 10, session: session, ifMatch: nil)
                .cart
            try await expectPostgresMatchesRedis([session.owner], store: store, postgres: postgres)
            _ = try await redis.send(["DEL", CartKeys(owner: session.owner).cart])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await store.addItem(product(3, cents: 100), quantity: 1, session: session, ifMatch: nil)
                    }
                }
                try await group.waitForAll()
            }
            let after = try await store.cart(of: session)
            #expect(after.id == before.id)
            #expect(after.items.map(\.quantity) == [30])
            #expect(after.version == before.version + 20)
        }
    }

    /// The cart's `expires_at` in PostgreSQL, in milliseconds since 1970.
    func storedExpiry(_ cartID: String, in postgres: DatabasePool) async throws -> Int64? {
        var expiry: Int64?
        for try await value in try await postgres.query(
            "SELECT (extract(epoch FROM expires_at) * 1000)::bigint FROM cart WHERE id = \(cartID)::uuid"
        ).decode(Int64?.self) {
            expiry = value
        }
        return expiry
    }

    /// Waits (up to 15 s) until PostgreSQL's `expires_at` of the cart is `expected`.
    func expectStoredExpiry(_ cartID: String, is expected: Int64, in postgres: DatabasePool) async throws {
        var stored: Int64?
        for _ in 0..<150 {
            stored = try await self.storedExpiry(cartID, in: postgres)
            if stored == expected { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("expires_at is \(String(describing: stored)), not \(expected)")
    }

    @Test func aGuestCartThatIsOnlyReadKeepsItsPostgresExpiryInStepWithRedis() async throws {
        try await withFlushers(1) { store, redis, postgres in
            let session = CartSession(
                owner: .guest(sessionID: TestEnvironment.uniqueID()),
                reference: TestEnvironment.uniqueID()
            )
            let key = CartKeys(owner: session.owner).cart
            let added = try await store.addItem(product(1, cents: 599), quantity: 2, session: session, ifMatch: nil)
                .cart
            // PostgreSQL's expiry is when Redis drops the cart, to the millisecond.
            let first = try #require(try await redis.send(["PEXPIRETIME", key]).int)
            try await expectStoredExpiry(added.id, is: Int64(first), in: postgres)
            // Days later (the TTL runs short), the shopper only looks at the cart: Redis keeps
            // it longer, and so must PostgreSQL, or the expiry sweep would end a cart in use.
            try await TestEnvironment.age(cart: key, leaving: settings.guestTTLMilliseconds / 2, redis: redis)
            let read = try await store.cart(of: session)
            let refreshed = try #require(try await redis.send(["PEXPIRETIME", key]).int)
            #expect(refreshed > first)
            try await expectStoredExpiry(added.id, is: Int64(refreshed), in: postgres)
            #expect(try await self.stored(added.id, in: postgres)?.0 == read.version)
            #expect(read.version == added.version)
            // A cart brought back from PostgreSQL (Redis lost it) starts a new lifetime there too.
            _ = try await redis.send(["DEL", key])
            let restored = try await store.cart(of: session)
            #expect(restored.id == added.id && restored.items.map(\.quantity) == [2])
            let restoredExpiry = try #require(try await redis.send(["PEXPIRETIME", key]).int)
            #expect(restoredExpiry > refreshed)
            try await expectStoredExpiry(added.id, is: Int64(restoredExpiry), in: postgres)
        }
    }

    @Test func anExpiredGuestCartIsNotBroughtBackAndTheSessionGetsANewEmptyCart() async throws {
        try await withFlushers(1) { store, redis, postgres in
            let session = CartSession(
                owner: .guest(sessionID: TestEnvironment.uniqueID()),
                reference: TestEnvironment.uniqueID()
            )
            let before = try await store.addItem(product(1, cents: 599), quantity: 1, session: session, ifMatch: nil)
                .cart
            try await expectPostgresMatchesRedis([session.owner], store: store, postgres: postgres)
            for try await _ in try await postgres.query(
                "UPDATE cart SET expires_at = now() - interval '1 minute' WHERE id = \(before.id)::uuid"
            ) {}
            _ = try await redis.send(["DEL", CartKeys(owner: session.owner).cart])
            let after = try await store.cart(of: session)
            #expect(after.id != before.id)
            #expect(after.items.isEmpty)
        }
    }

    /// A user cart idle past `CART_USER_IDLE_DAYS` (30) leaves Redis; the sweep has marked it
    /// `abandoned` (after 14 days) by then, and its owner still finds it on coming back.
    @Test func anAbandonedUserCartComesBackToItsOwnerAndIsActiveAgainAfterAChange() async throws {
        try await withFlushers(1) { store, redis, postgres in
            let user = try await self.insertUser(in: postgres)
            let session = CartSession(owner: .user(id: user), reference: nil)
            let before = try await store.addItem(product(1, cents: 599), quantity: 3, session: session, ifMatch: nil)
                .cart
            try await expectPostgresMatchesRedis([session.owner], store: store, postgres: postgres)
            for try await _ in try await postgres.query(
                "UPDATE cart SET status = 'abandoned' WHERE id = \(before.id)::uuid"
            ) {}
            _ = try await redis.send(["DEL", CartKeys(owner: session.owner).cart])
            let back = try await store.cart(of: session)
            #expect(back.id == before.id && back.status == .active && back.version == before.version)
            #expect(back.items.map(\.quantity) == [3])
            let changed = try await store.addItem(product(2, cents: 100), quantity: 1, session: session, ifMatch: nil)
                .cart
            #expect(changed.id == before.id)
            try await expectPostgresMatchesRedis([session.owner], store: store, postgres: postgres)
            var status: String?
            for try await value in try await postgres.query("SELECT status FROM cart WHERE id = \(before.id)::uuid")
                .decode(String.self)
            {
                status = value
            }
            #expect(status == "active")
        }
    }

    @Test func aMissingCartWhilePostgresIsDownIs503ButANewSessionStillWorks() async throws {
        try await TestEnvironment.withRedis { redis async throws in
            let unreachable = PostgresClient.Configuration(
                host: "127.0.0.1",
                port: 1,
                username: "hotcart",
                password: nil,
                database: "hotcart_test",
                tls: .disable
            )
            let postgres = DatabasePool(configuration: unreachable, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group async throws in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                let store = RedisCartStore(
                    redis: redis,
                    settings: settings,
                    durable: PostgresCartSource(postgres: postgres, timeout: .milliseconds(500), logger: logger)
                )
                let known = CartSession(owner: .guest(sessionID: TestEnvironment.uniqueID()), reference: "r")
                await #expect(throws: CartError.serviceUnavailable) { try await store.cart(of: known) }
                let fresh = CartSession(
                    owner: .guest(sessionID: TestEnvironment.uniqueID()),
                    reference: "r",
                    isNew: true
                )
                #expect(try await store.cart(of: fresh).items.isEmpty)
            }
        }
    }

    @Test func whilePostgresIsDownWritesSucceedAndTheFlusherCatchesUpWhenItReturns() async throws {
        let (proxy, throughProxy) = try await TestEnvironment.databaseProxy()
        try await withFlushers(1, flusherDatabase: throughProxy) { store, _, postgres in
            let owners = (0..<10).map { _ in CartOwner.guest(sessionID: TestEnvironment.uniqueID()) }
            for owner in owners {
                _ = try await store.addItem(
                    product(1, cents: 599),
                    quantity: 1,
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
            try await expectPostgresMatchesRedis(owners, store: store, postgres: postgres)
            proxy.cut()
            // PostgreSQL is unreachable for the flusher: cart writes still succeed in Redis.
            for owner in owners {
                _ = try await store.addItem(
                    product(2, cents: 1999),
                    quantity: 2,
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
            try await Task.sleep(for: .seconds(2))
            for owner in owners {
                let row = try await stored(
                    try #require(try await store.snapshots(ofCartKeys: [CartKeys(owner: owner).cart]).first).id,
                    in: postgres
                )
                #expect(row?.1.count == 1)
            }
            proxy.restore()
            try await expectPostgresMatchesRedis(owners, store: store, postgres: postgres)
        }
        try await proxy.stop()
    }
}
