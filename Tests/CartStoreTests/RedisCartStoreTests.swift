import CartDomain
import CartStore
import HotCartTestSupport
import RedisClient
import Testing

/// Every test but the one needing a Redis of its own runs on the single Redis and on the cluster.
@Suite struct RedisCartStoreTests {
    let settings = CartSettings(
        limits: CartLimits(maxQuantityPerItem: 99, maxItems: 100),
        guestTTLMilliseconds: 7 * 86_400_000,
        mutationsPerMinute: 0
    )

    func product(_ id: Int, cents: Int64 = 1999, stock: Int? = nil) -> ProductSnapshot {
        ProductSnapshot(id: id, name: "Product \(id) | with a pipe", price: Cents(cents), stock: stock, isActive: true)
    }

    func guest() -> CartOwner { .guest(sessionID: TestEnvironment.uniqueID()) }

    /// Runs `change` for every one of `inputs` at once and counts the changes refused with
    /// `kind` (any other error fails the test).
    func refusals<Input: Sendable>(
        of kind: CartError.Kind,
        among inputs: some Sequence<Input>,
        _ change: @escaping @Sendable (Input) async throws -> Void
    ) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for input in inputs {
                group.addTask {
                    do {
                        try await change(input)
                        return 0
                    } catch let error as CartError where error.kind == kind {
                        return 1
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aNewCartIsEmptyAtVersionOneWithAGuestExpiry(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings, now: { 1_000_000 })
            let cart = try await store.cart(of: CartSession(owner: guest(), reference: "ref"))
            #expect(cart.items.isEmpty)
            #expect(cart.version == 1)
            #expect(cart.sessionReference == "ref")
            #expect(cart.expiresAt == Int64(1_000_000 + 7 * 86_400_000))
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func threeAtNineteenNinetyNineMakeFiftyNineNinetySeven(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let change = try await store.addItem(
                product(1),
                quantity: 3,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            #expect(change.createdLine)
            #expect(change.cart.subtotal == Cents(5997))
            #expect(change.cart.items.first?.productName == "Product 1 | with a pipe")
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aDuplicateAddGrowsTheLineAndKeepsItsPriceSnapshot(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let first = try await store.addItem(
                product(7, cents: 500),
                quantity: 2,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            let second = try await store.addItem(
                product(7, cents: 900),
                quantity: 3,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            #expect(!second.createdLine)
            #expect(second.cart.items.count == 1)
            #expect(second.cart.items[0].id == first.cart.items[0].id)
            #expect(second.cart.items[0].quantity == 5)
            #expect(second.cart.items[0].unitPrice == Cents(500))
            #expect(second.cart.version == first.cart.version + 1)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func oneHundredConcurrentAddsOfOneProductStopAtTheLineCap(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        do {
                            _ = try await store.addItem(
                                product(3),
                                quantity: 1,
                                session: CartSession(owner: owner),
                                ifMatch: nil
                            )
                            return "ok"
                        } catch let error as CartError {
                            return error.kind.rawValue
                        }
                    }
                }
                var outcomes: [String: Int] = [:]
                for try await outcome in group { outcomes[outcome, default: 0] += 1 }
                return outcomes
            }
            #expect(outcomes == ["ok": 99, "CART_001": 1])
            let cart = try await store.cart(of: CartSession(owner: owner))
            #expect(cart.items.map(\.quantity) == [99])
            #expect(cart.version == 99)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func concurrentAddsOfManyProductsNeverPassTheCartCap(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let refused = try await refusals(of: .cartLimitExceeded, among: 0..<150) { index in
                _ = try await store.addItem(
                    product(100 + index % 30),
                    quantity: 1,
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
            #expect(refused == 50)
            #expect(try await store.cart(of: CartSession(owner: owner)).totalQuantity == 100)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func stockLimitsTheLineInsideTheScript(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            _ = try await store.addItem(
                product(9, stock: 4),
                quantity: 3,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            await #expect(throws: CartError.outOfStock(9, available: 4)) {
                try await store.addItem(
                    product(9, stock: 4),
                    quantity: 2,
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aLineGrowsOnlyWithinItsProductsStockAndWhileOnSaleWhateverTheRoute(redis endpoint: RedisEndpoint) async throws
    {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let session = CartSession(owner: guest())
            _ = try await store.addItem(product(8), quantity: 1, session: session, ifMatch: nil)
            let cart = try await store.addItem(product(9, stock: 4), quantity: 2, session: session, ifMatch: nil).cart
            // Two lines made in one millisecond list in the order of their random bits: each is
            // found by the product its id names.
            let unlimited = try #require(cart.items.first { $0.productID == 8 }).id
            let scarce = try #require(cart.items.first { $0.productID == 9 }).id
            #expect(scarce.productID == 9 && unlimited.productID == 8)
            func quantities(_ cart: Cart) -> [Int: Int] {
                Dictionary(uniqueKeysWithValues: cart.items.map { ($0.productID, $0.quantity) })
            }
            let fourLeft = LineLimit(productID: 9, availability: .inStock(4))
            var short = CartError.outOfStock(9, available: 4)
            short.field = "quantity"
            await #expect(throws: short) {
                try await store.setQuantity(
                    itemID: scarce,
                    quantity: 5,
                    limit: fourLeft,
                    session: session,
                    ifMatch: nil
                )
            }
            await #expect(throws: short) {
                try await store.bulkUpdate(
                    [(unlimited, 3), (scarce, 5)],
                    limits: [LineLimit(productID: 8, availability: .unlimited), fourLeft],
                    session: session,
                    ifMatch: nil
                )
            }
            #expect(try await store.cart(of: session).version == cart.version)
            var grown = try await store.setQuantity(
                itemID: scarce,
                quantity: 4,
                limit: fourLeft,
                session: session,
                ifMatch: nil
            )
            #expect(quantities(grown) == [8: 1, 9: 4])

            // Off sale: the line may be lowered, never grown; a limit for another product is none.
            let offSale = LineLimit(productID: 9, availability: .offSale)
            var unavailable = CartError.productInactive(9)
            unavailable.field = "quantity"
            await #expect(throws: unavailable) {
                try await store.setQuantity(itemID: scarce, quantity: 5, limit: offSale, session: session, ifMatch: nil)
            }
            grown = try await store.setQuantity(
                itemID: scarce,
                quantity: 3,
                limit: offSale,
                session: session,
                ifMatch: nil
            )
            #expect(quantities(grown) == [8: 1, 9: 3])
            grown = try await store.setQuantity(
                itemID: unlimited,
                quantity: 50,
                limit: offSale,
                session: session,
                ifMatch: nil
            )
            #expect(quantities(grown) == [8: 50, 9: 3])

            // A saved line is outside the stock until it comes back into the cart.
            _ = try await store.saveForLater(itemID: scarce, session: session, ifMatch: nil)
            _ = try await store.setQuantity(
                itemID: scarce,
                quantity: 6,
                limit: fourLeft,
                session: session,
                ifMatch: nil
            )
            unavailable.field = "item_id"
            await #expect(throws: unavailable) {
                try await store.moveToCart(itemID: scarce, limit: offSale, session: session, ifMatch: nil)
            }
            short.field = "item_id"
            await #expect(throws: short) {
                try await store.moveToCart(itemID: scarce, limit: fourLeft, session: session, ifMatch: nil)
            }
            let back = try await store.moveToCart(
                itemID: scarce,
                limit: LineLimit(productID: 9, availability: .inStock(6)),
                session: session,
                ifMatch: nil
            )
            #expect(quantities(back) == [8: 50, 9: 6] && back.savedItems.isEmpty)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func fortyConcurrentSetsOfAScarceLineGiveTwentyChangesAndTwentyStockRefusals(
        redis endpoint: RedisEndpoint
    ) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let session = CartSession(owner: guest())
            let cart = try await store.addItem(product(9, stock: 20), quantity: 1, session: session, ifMatch: nil).cart
            let item = cart.items[0].id
            let limit = LineLimit(productID: 9, availability: .inStock(20))
            // A set to 1...20 is within the stock whatever the line holds; one to 21...40 grows a
            // line that never holds more than 20, so each is refused, whatever the order.
            let refused = try await refusals(of: .productUnavailable, among: 1...40) { quantity in
                _ = try await store.setQuantity(
                    itemID: item,
                    quantity: quantity,
                    limit: limit,
                    session: session,
                    ifMatch: nil
                )
            }
            #expect(refused == 20)
            let after = try await store.cart(of: session)
            #expect(after.version == cart.version + 20)
            #expect((1...20).contains(after.items[0].quantity))
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func setQuantityChangesTheLineAndZeroRemovesIt(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let item = try await store.addItem(
                product(1),
                quantity: 1,
                session: CartSession(owner: owner),
                ifMatch: nil
            ).cart.items[0]
            let changed = try await store.setQuantity(
                itemID: item.id,
                quantity: 42,
                limit: nil,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            #expect(changed.items.map(\.quantity) == [42])
            let removed = try await store.setQuantity(
                itemID: item.id,
                quantity: 0,
                limit: nil,
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            #expect(removed.items.isEmpty)
            await #expect(throws: CartError.itemNotFound) {
                try await store.setQuantity(
                    itemID: item.id,
                    quantity: 1,
                    limit: nil,
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func anotherOwnersItemIsNotFound(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let item = try await store.addItem(
                product(1),
                quantity: 1,
                session: CartSession(owner: guest()),
                ifMatch: nil
            ).cart.items[0]
            await #expect(throws: CartError.itemNotFound) {
                try await store.setQuantity(
                    itemID: item.id,
                    quantity: 2,
                    limit: nil,
                    session: CartSession(owner: guest()),
                    ifMatch: nil
                )
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func bulkIsAllOrNothing(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
            let cart = try await store.addItem(
                product(2),
                quantity: 1,
                session: CartSession(owner: owner),
                ifMatch: nil
            ).cart
            let (a, b) = (cart.items[0].id, cart.items[1].id)
            await #expect(throws: CartError.itemNotFound) {
                try await store.bulkUpdate(
                    [(a, 5), (try #require(CartItemID(uuid: TestEnvironment.uniqueID())), 1)],
                    limits: [],
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
            await #expect(throws: CartError.cartLimitExceeded(limit: 100)) {
                try await store.bulkUpdate(
                    [(a, 60), (b, 41)],
                    limits: [],
                    session: CartSession(owner: owner),
                    ifMatch: nil
                )
            }
            let unchanged = try await store.cart(of: CartSession(owner: owner))
            #expect(unchanged.items.map(\.quantity) == [1, 1])
            #expect(unchanged.version == cart.version)
            let applied = try await store.bulkUpdate(
                [(a, 60), (b, 0)],
                limits: [],
                session: CartSession(owner: owner),
                ifMatch: nil
            )
            #expect(applied.items.map(\.quantity) == [60])
            #expect(applied.version == cart.version + 1)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func ifMatchRefusesAStaleVersionAndChangesNothing(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = guest()
            let cart = try await store.addItem(
                product(1),
                quantity: 1,
                session: CartSession(owner: owner),
                ifMatch: nil
            ).cart
            // A stale version, one that merely starts or ends with the cart's digits, and none.
            for versions in [[cart.version - 1], [cart.version * 10 + cart.version, cart.version + 10], []] {
                await #expect(throws: CartError.versionConflict) {
                    try await store.clear(
                        session: CartSession(owner: owner),
                        ifMatch: CartVersionPrecondition(versions: versions)
                    )
                }
            }
            #expect(try await store.cart(of: CartSession(owner: owner)).version == cart.version)
            // One of several versions is enough.
            let cleared = try await store.clear(
                session: CartSession(owner: owner),
                ifMatch: CartVersionPrecondition(versions: [cart.version + 3, cart.version])
            )
            #expect(cleared.items.isEmpty)
            #expect(cleared.version == cart.version + 1)
        }
    }

    @Test func everyChangeAppendsOneWriteBehindRecordAndGuestCartsGetTheTTL() async throws {
        try await self.withStoreOnItsOwnRedis { _, redis, store in
            let owner = guest()
            let keys = CartKeys(owner: owner)
            _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
            _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
            _ = try? await store.addItem(product(1), quantity: 99, session: CartSession(owner: owner), ifMatch: nil)
            let versions = try await recordedVersions(of: keys.cart, stream: keys.writeBehindStream, redis: redis)
            #expect(versions == [1, 2])
            // The TTL and 1 % more.
            let ttl = try await redis.send(["PTTL", keys.cart]).int ?? 0
            #expect(ttl > 7 * 86_400_000 && ttl <= 7 * 86_400_000 * 101 / 100)
        }
    }

    /// An add sent to a frozen Redis times out (503); its command waits in Redis's socket and
    /// runs when Redis comes back, after the caller's deadline: it changes nothing, as the
    /// answer said, and a retry adds once.
    @Test func aChangeThatReachesRedisAfterItsCallerGaveUpChangesNothing() async throws {
        try await self.withStoreOnItsOwnRedis { server, redis, store in
            let owner = guest()
            let keys = CartKeys(owner: owner)
            let session = CartSession(owner: owner)
            let first = try await store.addItem(product(1), quantity: 1, session: session, ifMatch: nil)
            server.pause()
            try await Task.sleep(for: .milliseconds(100))  // let the stop take hold
            let start = ContinuousClock.now
            await #expect(throws: CartError.serviceUnavailable) {
                try await store.addItem(product(2), quantity: 1, session: session, ifMatch: nil)
            }
            #expect(ContinuousClock.now - start < .seconds(1))
            server.resume()
            // Redis reads the add and the closed connection's end together, and runs the add.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await redis.send(["HGET", keys.cart, "v"]).int == Int(first.cart.version))
            #expect(try await redis.send(["HEXISTS", keys.cart, "l:2"]).int == 0)
            let versions = try await recordedVersions(of: keys.cart, stream: keys.writeBehindStream, redis: redis)
            #expect(versions == [Int(first.cart.version)])
            let retried = try await store.addItem(product(2), quantity: 1, session: session, ifMatch: nil)
            #expect(retried.cart.items.map(\.productID).sorted() == [1, 2])
            #expect(retried.cart.version == first.cart.version + 1)
        }
    }

    /// Runs `body` with a store on a Redis of its own (`server`, to pause it): the flushers of
    /// other tests consume the shared Redis's streams.
    func withStoreOnItsOwnRedis(
        _ body: @Sendable (TestRedisServer, RedisClient, RedisCartStore) async throws -> Void
    ) async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                try await body(server, redis, RedisCartStore(redis: redis, settings: self.settings))
            }
        }
    }

    /// The versions of the write-behind records of `key`'s cart, oldest first (the stream is
    /// the shard's: other carts' records are left out).
    func recordedVersions(of key: String, stream: String, redis: RedisClient) async throws -> [Int] {
        let records = try await redis.send(["XRANGE", stream, "-", "+"]).array ?? []
        return records.compactMap { record -> Int? in
            guard let fields = record.array?.last?.array, fields.count == 4, fields[1].string == key else { return nil }
            return fields[3].int
        }
    }

    @Test func aReadRefreshesOnlyACartWithLessThanItsTTLLeftAndAGuestsRefreshReachesTheFlusher() async throws {
        try await self.withStoreOnItsOwnRedis { _, redis, store in
            let guestSession = CartSession(owner: guest())
            let userSession = CartSession(owner: .user(id: TestEnvironment.uniqueID()))
            for session in [guestSession, userSession] {
                let keys = CartKeys(owner: session.owner)
                let ttl = session.owner.userID == nil ? 7 * 86_400_000 : 30 * 86_400_000
                let added = try await store.addItem(product(3), quantity: 2, session: session, ifMatch: nil).cart
                // Reads of a cart with its TTL left write nothing.
                let lifetime = try #require(try await redis.send(["PEXPIRETIME", keys.cart]).int)
                for _ in 0..<3 { _ = try await store.cart(of: session) }
                #expect(try await redis.send(["PEXPIRETIME", keys.cart]).int == lifetime)
                #expect(
                    try await recordedVersions(of: keys.cart, stream: keys.writeBehindStream, redis: redis) == [1]
                )
                // As if 1 % of the TTL and a minute had passed: the next reads refresh it,
                // once however many come together.
                try await TestEnvironment.age(cart: keys.cart, leaving: Int64(ttl - 60_000), redis: redis)
                let reads = try await withThrowingTaskGroup(of: Cart.self) { group in
                    for _ in 0..<20 { group.addTask { try await store.cart(of: session) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for read in reads {
                    #expect(read.version == added.version && read.items.map(\.quantity) == [2])
                }
                let refreshed = try await redis.send(["PTTL", keys.cart]).int ?? 0
                #expect(refreshed > ttl && refreshed <= ttl * 101 / 100)
                // A guest's refresh is recorded once, at the same version, for PostgreSQL's
                // expires_at; a user cart's has no expiry there.
                let versions = try await recordedVersions(
                    of: keys.cart,
                    stream: keys.writeBehindStream,
                    redis: redis
                )
                #expect(versions == (session.owner.userID == nil ? [1, 1] : [1]))
            }
        }
    }

    @Test func aKnownGuestCartIsReadWithOneCommandAndACartWithoutItsExpiryNoteIsRefreshed() async throws {
        try await self.withStoreOnItsOwnRedis { _, redis, store in
            let session = CartSession(owner: guest())
            let key = CartKeys(owner: session.owner).cart
            _ = try await store.addItem(product(3), quantity: 2, session: session, ifMatch: nil)
            _ = try await redis.send(["CONFIG", "RESETSTAT"])
            for _ in 0..<10 { _ = try await store.cart(of: session) }
            let stats = try #require(try await redis.send(["INFO", "commandstats"]).string)
            let calls = stats.split(whereSeparator: \.isNewline).compactMap { line -> (String, Int)? in
                guard line.hasPrefix("cmdstat_"), let colon = line.firstIndex(of: ":"),
                    let count = line.split(separator: "=").dropFirst().first?.split(separator: ",").first
                else { return nil }
                return (String(line[line.index(line.startIndex, offsetBy: 8)..<colon]), Int(count) ?? 0)
            }
            // The test's own commands aside (CONFIG RESETSTAT shows as `config|resetstat`), and
            // the client's (`TIME`, read by a connection as it opens).
            let cartCommands = calls.filter {
                !$0.0.hasPrefix("config") && !["info", "ping", "time"].contains($0.0)
            }
            #expect(cartCommands.map(\.0) == ["hgetall"] && cartCommands.first?.1 == 10, "\(calls)")
            // A cart stored before carts noted their expiry (no field x) is refreshed once,
            // and read with one command after that.
            _ = try await redis.send(["HDEL", key, "x"])
            let read = try await store.cart(of: session)
            #expect(read.items.map(\.quantity) == [2])
            let keptUntil = try #require(try await redis.send(["HGET", key, "x"]).int)
            let dropped = try #require(try await redis.send(["PEXPIRETIME", key]).int)
            #expect(abs(keptUntil - dropped) < 1000)
        }
    }

    /// A durable store that holds one cart, whoever asks.
    struct OneDurableCart: DurableCartSource {
        let cart: Cart
        func activeCart(of session: CartSession, now: Int64) async throws -> Cart? { self.cart }
    }

    @Test func aCartBroughtBackFromTheDurableStoreIsRecordedOnce() async throws {
        try await TestRedisServer.with { server in
            try await TestEnvironment.withRedis(server.endpoint) { redis async throws in
                let session = CartSession(owner: guest(), reference: "ref")
                let keys = CartKeys(owner: session.owner)
                let persisted = try await RedisCartStore(redis: redis, settings: settings)
                    .addItem(product(3), quantity: 2, session: session, ifMatch: nil).cart
                // Redis loses the cart, after the flusher took its record.
                _ = try await redis.send(pipeline: [["DEL", keys.cart], ["DEL", keys.writeBehindStream]])
                let store = RedisCartStore(redis: redis, settings: settings, durable: OneDurableCart(cart: persisted))
                let restored = try await store.cart(of: session)
                #expect(restored.id == persisted.id && restored.items.map(\.quantity) == [2])
                // The restore starts its new lifetime with one record; the read after it adds none.
                let versions = try await recordedVersions(of: keys.cart, stream: keys.writeBehindStream, redis: redis)
                #expect(versions == [Int(persisted.version)])
            }
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aReadSlidesTheTTLAndChangesNothingElse(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let session = CartSession(owner: guest())
            let key = CartKeys(owner: session.owner).cart
            let added = try await store.addItem(product(7), quantity: 2, session: session, ifMatch: nil).cart
            try await TestEnvironment.age(cart: key, leaving: 5000, redis: redis)
            let read = try await store.cart(of: session)
            #expect(read.version == added.version)
            #expect(read.items.map(\.quantity) == [2])
            #expect(read.items.first?.productName == "Product 7 | with a pipe")
            let ttl = try await redis.send(["PTTL", key]).int ?? 0
            #expect(ttl > 7 * 86_400_000)
            // A known session whose cart is gone (expired) gets a new empty one.
            _ = try await redis.send(["DEL", key])
            let fresh = try await store.cart(of: session)
            #expect(fresh.items.isEmpty && fresh.version == 1 && fresh.id != added.id)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func userCartsReportNoExpiryAndLeaveRedisOnlyAfterTheIdlePeriod(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            let store = RedisCartStore(redis: redis, settings: settings)
            let owner = CartOwner.user(id: TestEnvironment.uniqueID())
            let cart = try await store.cart(of: CartSession(owner: owner))
            #expect(cart.expiresAt == nil)
            let ttl = try await redis.send(["PTTL", CartKeys(owner: owner).cart]).int ?? 0
            #expect(ttl > 30 * 86_400_000 && ttl <= 30 * 86_400_000 * 101 / 100)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func theRateLimitRefusesMutationsPastTheMinuteBudget(redis endpoint: RedisEndpoint) async throws {
        try await TestEnvironment.withRedis(endpoint) { redis async throws in
            var limited = settings
            limited.mutationsPerMinute = 3
            let store = RedisCartStore(redis: redis, settings: limited)
            let owner = guest()
            for _ in 0..<3 {
                _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
            }
            do {
                _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
                Issue.record("the fourth change should be refused")
            } catch let error as CartError {
                #expect(error.kind == .rateLimited)
                #expect((1...60).contains(error.retryAfterSeconds ?? 0))
            }
            #expect(try await store.cart(of: CartSession(owner: owner)).totalQuantity == 3)
            // The minute passes (its counter expires): the budget is whole again.
            _ = try await redis.send(["PEXPIRE", CartKeys(owner: owner).rateLimit, "1"])
            try await Task.sleep(for: .milliseconds(20))
            _ = try await store.addItem(product(1), quantity: 1, session: CartSession(owner: owner), ifMatch: nil)
            #expect(try await store.cart(of: CartSession(owner: owner)).totalQuantity == 4)
            // A user's budget is the user's, whatever the device.
            let user = CartOwner.user(id: TestEnvironment.uniqueID())
            for _ in 0..<3 {
                _ = try await store.addItem(product(2), quantity: 1, session: CartSession(owner: user), ifMatch: nil)
            }
            let refusal = await #expect(throws: CartError.self) {
                _ = try await store.addItem(product(2), quantity: 1, session: CartSession(owner: user), ifMatch: nil)
            }
            #expect(refusal?.kind == .rateLimited)
        }
    }
}
