import CartDomain
import CartStore
import Database
import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Sharing
import Testing

@testable import HotCartAPI

/// Shared carts: a snapshot anyone with the id can read, revealing nothing of its owner, and
/// copied into another cart at today's prices with the merge caps.
@Suite struct ShareControllerTests {
    @Test func aShareShowsItsLinesAndNothingOfItsOwner() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "19.99")
            let owner = Browser(client)
            let userID = try await owner.signUp()
            try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            let cart = try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 3}"#)
            let before = Date()
            let created = try await owner.send(.post, "/cart/share")
            #expect(created.status == .created)
            let id = try #require(created.json["share_id"] as? String)
            // 16 random bytes in base64url.
            #expect(id.count == 22 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(created.json["url"] as? String == "/shared-carts/\(id)")
            let expires = ISO8601DateFormatter.withFractions.date(from: created.json["expires_at"] as? String ?? "")
            #expect(abs((expires?.timeIntervalSince(before) ?? 0) - 30 * 86_400) < 5)

            // Later changes to the cart do not change the share.
            try await owner.send(.delete, "/cart")
            let shown = try await Browser(client).send(.get, "/shared-carts/\(id)")
            #expect(shown.status == .ok)
            #expect(Set(shown.json.keys) == ["share_id", "items", "subtotal", "created_at", "expires_at"])
            #expect(shown.items.count == 2)
            #expect(
                shown.items.allSatisfy { Set($0.keys) == ["product_id", "product_name", "quantity", "unit_price"] }
            )
            #expect(cartQuantities(shown) == [a: 2, b: 3])
            #expect((shown.json["subtotal"] as? NSNumber)?.doubleValue == 63.97)
            let body = String(buffer: shown.body)
            for secret in [userID, cart.json["id"] as? String ?? "?", owner.cookie ?? "?", owner.token ?? "?"] {
                #expect(!body.contains(secret))
            }
        }
    }

    /// A share that PostgreSQL holds up past the request's deadline (another transaction
    /// holds the shares' table) is answered 503 and, when the table is let go, stores nothing;
    /// the retry shares once.
    @Test func aShareThatOutlivesItsDeadlineStoresNothing() async throws {
        try await withTestApp(
            settings: { $0.databaseTimeout = .milliseconds(500) },
            test: { client, services async throws in
                let product = try await insertProduct(services, price: "3.00")
                let owner = Browser(client)
                try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
                let (locked, lockHeld) = AsyncStream.makeStream(of: Void.self)
                let (release, releaseRequested) = AsyncStream.makeStream(of: Void.self)
                async let holder: Void = services.postgres.withTransaction(logger: Logger(label: "test")) {
                    connection in
                    try await connection.execute("LOCK TABLE cart_share IN SHARE MODE", logger: Logger(label: "test"))
                    lockHeld.yield()
                    for await _ in release { break }
                }
                for await _ in locked { break }
                let refused = try await owner.send(.post, "/cart/share")
                #expect(refused.status == .serviceUnavailable && refused.code == "CART_010")
                releaseRequested.yield()
                try await holder
                try await Task.sleep(for: .seconds(1))
                #expect(try await Self.sharedLines(of: product, services) == 0)
                #expect(try await owner.send(.post, "/cart/share").status == .created)
                #expect(try await Self.sharedLines(of: product, services) == 1)
            }
        )
    }

    /// How many lines of stored shares name `product`.
    static func sharedLines(of product: Int, _ services: HotCartServices) async throws -> Int {
        let rows = try await services.postgres.rows(
            "SELECT count(*)::int FROM cart_share_line WHERE product_id = \(product)",
            logger: Logger(label: "test")
        )
        return try rows.decode(Int.self).first ?? -1
    }

    @Test func aCopyListsItsLinesInTheSharesOrder() async throws {
        try await withTestApp { client, services async throws in
            var products: [Int] = []
            for _ in 0..<6 { products.append(try await insertProduct(services, price: "1.00")) }
            let owner = Browser(client)
            // Added out of product order, each at its own time.
            let added = [products[3], products[0], products[5], products[1], products[4], products[2]]
            for product in added {
                try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
                try await Task.sleep(for: .milliseconds(2))
            }
            let id = try await owner.shareCart()
            let shown = try await Browser(client).send(.get, "/shared-carts/\(id)")
            #expect(shown.items.compactMap { $0["product_id"] as? Int } == added)
            // The copied lines are made at one time; they still list as the share does.
            let copied = try await Browser(client).send(.post, "/shared-carts/\(id)/copy")
            #expect(copied.items.compactMap { $0["product_id"] as? Int } == added)
        }
    }

    /// A copy retried with its Idempotency-Key (a storefront's retry after a lost answer)
    /// adds nothing again; another key is another copy.
    @Test func aCopyRetriedWithItsIdempotencyKeyAddsOnce() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let id = try await shareOfACart(holding: 2, of: a, client: client)
            let shopper = Browser(client)
            let first = try await shopper.send(.post, "/shared-carts/\(id)/copy", headers: [.idempotencyKey: "copy-1"])
            let retried = try await shopper.send(
                .post,
                "/shared-carts/\(id)/copy",
                headers: [.idempotencyKey: "copy-1"]
            )
            #expect(first.status == .ok && retried.status == .ok)
            #expect(cartQuantities(first) == [a: 2])
            #expect(cartQuantities(retried) == [a: 2])
            #expect(retried.json["version"] as? Int == first.json["version"] as? Int)
            let another = try await shopper.send(
                .post,
                "/shared-carts/\(id)/copy",
                headers: [.idempotencyKey: "copy-2"]
            )
            #expect(cartQuantities(another) == [a: 4])
            let unkeyed = try await shopper.send(.post, "/shared-carts/\(id)/copy")
            #expect(cartQuantities(unkeyed) == [a: 6])
        }
    }

    /// An Idempotency-Key names one shopper's copy of one share: other shoppers sending the
    /// same key (storefronts that number their requests do) each get their own copy, and the
    /// same key on another share copies that one.
    @Test func anIdempotencyKeyNamesOneShoppersCopyOfOneShare() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "3.00")
            let owner = Browser(client)
            try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            let first = try await owner.shareCart()
            try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 1}"#)
            let second = try await owner.shareCart()
            // 65 new shoppers: two of them at least have their carts in one of the 64 shards.
            for _ in 0...CartKeys.shardCount {
                let copied = try await Browser(client).send(
                    .post,
                    "/shared-carts/\(first)/copy",
                    headers: [.idempotencyKey: "copy-1"]
                )
                #expect(copied.status == .ok)
                #expect(cartQuantities(copied) == [a: 2])
                #expect((copied.json["id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
            }
            let shopper = Browser(client)
            try await shopper.send(.post, "/shared-carts/\(first)/copy", headers: [.idempotencyKey: "copy-1"])
            let other = try await shopper.send(
                .post,
                "/shared-carts/\(second)/copy",
                headers: [.idempotencyKey: "copy-1"]
            )
            #expect(cartQuantities(other) == [a: 4, b: 1])
        }
    }

    /// A copy retried after its cart was checked out adds nothing to the shopper's next cart:
    /// the retry answers with that new, empty cart, as any cart request would.
    @Test func aCopyRetriedAfterCheckoutAnswersTheNewCartAndAddsNothing() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00", stock: 10)
            let id = try await shareOfACart(holding: 2, of: a, client: client)
            let shopper = Browser(client)
            let copied = try await shopper.send(.post, "/shared-carts/\(id)/copy", headers: [.idempotencyKey: "copy-1"])
            #expect(cartQuantities(copied) == [a: 2])
            #expect(try await shopper.send(.post, "/cart/checkout").status == .created)
            let retried = try await shopper.send(
                .post,
                "/shared-carts/\(id)/copy",
                headers: [.idempotencyKey: "copy-1"]
            )
            #expect(retried.status == .ok)
            #expect(retried.json["status"] as? String == "active")
            #expect(cartQuantities(retried) == [:])
            let newCartID = try #require(retried.json["id"] as? String)
            #expect(newCartID != copied.json["id"] as? String)
            let now = try await shopper.send(.get, "/cart")
            #expect(now.json["id"] as? String == newCartID)
            #expect(cartQuantities(now) == [:])
        }
    }

    @Test func aCopyTakesTodaysPricesTheCapsAndSkipsWhatCannotBeBought() async throws {
        let tenPerLine: (inout AppConfiguration) -> Void = { $0.cart.limits = CartLimits(maxQuantityPerItem: 10) }
        try await withTestApp(settings: tenPerLine) { client, services async throws in
            let kept = try await insertProduct(services, price: "2.00")
            let retired = try await insertProduct(services, price: "3.00")
            let scarce = try await insertProduct(services, price: "4.00", stock: 10)
            let repriced = try await insertProduct(services, price: "5.00")
            let sharer = Browser(client)
            for (product, quantity) in [(kept, 2), (retired, 1), (scarce, 5), (repriced, 1)] {
                try await sharer.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(product), "quantity": \#(quantity)}"#
                )
            }
            let id = try await sharer.shareCart()
            for statement in [
                "UPDATE product SET is_active = false WHERE id = \(retired)",
                "UPDATE product SET stock = 3 WHERE id = \(scarce)",
                "UPDATE product SET price = 6.00 WHERE id = \(repriced)",
            ] {
                for try await _ in try await services.postgres.query(PostgresQuery(unsafeSQL: statement)) {}
            }
            try await services.products.refresh()

            let copier = Browser(client)
            try await copier.send(.post, "/cart/items", json: #"{"product_id": \#(kept), "quantity": 9}"#)
            // Of the 3 left, the copier holds 2 already: the copy adds 1 of the 5 shared.
            try await copier.send(.post, "/cart/items", json: #"{"product_id": \#(scarce), "quantity": 2}"#)
            let copied = try await copier.send(.post, "/shared-carts/\(id)/copy")
            #expect(copied.status == .ok)
            #expect(cartQuantities(copied) == [kept: 10, scarce: 3, repriced: 1])
            let short = (copied.json["warnings"] as? [[String: Any]] ?? []).first {
                $0["code"] as? String == "INSUFFICIENT_STOCK"
            }
            #expect(short?["message"] as? String == "Product \(scarce): kept 1 of 5 units (the units in stock)")
            #expect(
                short?["item_id"] as? String == copied.items.first { $0["product_id"] as? Int == scarce }?["id"]
                    as? String
            )
            let prices = Dictionary(
                uniqueKeysWithValues: copied.items.compactMap { item -> (Int, Double)? in
                    guard let product = item["product_id"] as? Int else { return nil }
                    return (product, (item["unit_price"] as? NSNumber)?.doubleValue ?? 0)
                }
            )
            #expect(prices[repriced] == 6.00)
            let warnings = (copied.json["warnings"] as? [[String: Any]] ?? []).compactMap { warning -> String? in
                guard let code = warning["code"] as? String, let product = warning["product_id"] as? Int else {
                    return nil
                }
                return "\(code) \(product)"
            }
            #expect(
                Set(warnings) == [
                    "PRODUCT_UNAVAILABLE \(retired)", "INSUFFICIENT_STOCK \(scarce)", "QUANTITY_CAPPED \(kept)",
                ]
            )
        }
    }

    @Test func anUnknownOrExpiredShareIsNotFoundAndTheSweepDeletesExpiredOnes() async throws {
        try await withTestApp { client, services async throws in
            let shopper = Browser(client)
            for path in ["/shared-carts/no-such-share", "/shared-carts/%2E%2E"] {
                let missing = try await shopper.send(.get, path)
                #expect(missing.status == .notFound && missing.code == "CART_014")
            }
            #expect(try await shopper.send(.post, "/shared-carts/no-such-share/copy").code == "CART_014")
            var logger = Logger(label: "hotcart.test")
            logger.logLevel = .critical
            let repository = CartShareRepository(postgres: services.postgres, logger: logger)
            let cart = try await services.store.cart(
                of: CartSession(owner: .guest(sessionID: TestEnvironment.uniqueID()))
            )
            let expired = CartShare(of: cart, now: CartPricing.now() - 10_000, lifetimeMilliseconds: 5_000)
            try await repository.save(expired)
            #expect(try await shopper.send(.get, "/shared-carts/\(expired.id)").code == "CART_014")

            // The sweep deletes the expired share and its lines, and leaves a live one.
            let live = CartShare(of: cart, now: CartPricing.now(), lifetimeMilliseconds: 60_000)
            try await repository.save(live)
            while try await repository.deleteExpired(now: CartPricing.now(), batch: 50) > 0 {}
            let left = try await services.postgres.query(
                "SELECT id FROM cart_share WHERE id IN (\(expired.id), \(live.id))"
            )
            var ids: [String] = []
            for try await id in left.decode(String.self) { ids.append(id) }
            #expect(ids == [live.id])
            #expect(try await shopper.send(.get, "/shared-carts/\(live.id)").status == .ok)
        }
    }
}
