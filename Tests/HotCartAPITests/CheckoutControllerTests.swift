import CartDomain
import CartStore
import Checkout
import Database
import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import HotCartAPI

/// Checkout handoff: reservations that never oversell and never over-discount, and complete,
/// cancel and expiry that give back exactly what was taken.
@Suite struct CheckoutControllerTests {
    func money(_ response: TestResponse, _ key: String) -> Double? {
        (response.json[key] as? NSNumber)?.doubleValue
    }

    func uses(_ services: HotCartServices, _ code: String) async throws -> Int {
        for try await uses in try await services.postgres.query("SELECT uses FROM promo_code WHERE code = \(code)")
            .decode(Int.self)
        {
            return uses
        }
        return -1
    }

    /// A code for one test, made through the superuser API.
    func code(_ client: any TestClientProtocol, _ services: HotCartServices, _ body: String) async throws -> String {
        let admin = try await signedInSuperuser(client, services)
        let code = "CO-\(TestEnvironment.uniqueID().prefix(8))".uppercased()
        let created = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(code)", \#(body)}"#)
        #expect(created.status == .created)
        return code
    }

    @Test func aCheckoutReservesStockAtExactMoneyAndTheNextRequestGetsANewCart() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "19.99", stock: 10)
            let code = try await self.code(client, services, #""percent_off": 15"#)
            let shopper = Browser(client)
            let added = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 3}"#
            )
            try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
            let before = Date()
            let checkout = try await shopper.send(.post, "/cart/checkout")
            #expect(checkout.status == .created)
            #expect(checkout.json["status"] as? String == "reserved")
            #expect(checkout.json["cart_id"] as? String == added.json["id"] as? String)
            #expect(cartQuantities(checkout) == [product: 3])
            #expect(self.money(checkout, "subtotal") == 59.97)
            #expect(self.money(checkout, "discount") == 9.00)
            #expect(self.money(checkout, "total") == 50.97)
            #expect(checkout.json["promo_code"] as? String == code)
            #expect(checkout.json["currency"] as? String == "USD")
            let until = ISO8601DateFormatter.withFractions.date(from: checkout.json["reserved_until"] as? String ?? "")
            #expect(abs((until?.timeIntervalSince(before) ?? 0) - 15 * 60) < 5)
            #expect(try await productStock(services, product) == 7)
            #expect(try await self.uses(services, code) == 1)

            // The cart was converted: the next cart request starts a new, empty one.
            let next = try await shopper.send(.get, "/cart")
            #expect(next.json["id"] as? String != added.json["id"] as? String)
            #expect(next.items.isEmpty)
            // A line of the converted cart is no line of the new one.
            let oldItem = try #require(added.items.first?["id"] as? String)
            let gone = try await shopper.send(.put, "/cart/items/\(oldItem)", json: #"{"quantity": 1}"#)
            #expect(gone.status == .notFound && gone.code == "CART_003")
            let id = try #require(checkout.json["checkout_id"] as? String)
            let shown = try await shopper.send(.get, "/checkouts/\(id)")
            #expect(shown.status == .ok && self.money(shown, "total") == 50.97)
            // Another client's checkout id is not found.
            let stranger = try await Browser(client).send(.get, "/checkouts/\(id)")
            #expect(stranger.status == .notFound && stranger.code == "CART_014")
            #expect(try await Browser(client).send(.post, "/checkouts/\(id)/cancel").code == "CART_014")
            #expect(try await productStock(services, product) == 7)
            // The conversion's event is in the outbox, with the lines at their checkout prices.
            let admin = try await signedInSuperuser(client, services)
            let events = try await admin.send(.get, "/admin/events?status=pending&limit=1000").jsonArray
            let converted = try #require(events.first { $0["cart_id"] as? String == added.json["id"] as? String })
            #expect(converted["type"] as? String == "cart.converted")
            #expect((converted["subtotal"] as? NSNumber)?.doubleValue == 59.97)
            let lines = converted["items"] as? [[String: Any]] ?? []
            #expect(lines.count == 1 && lines.first?["quantity"] as? Int == 3)
            #expect(try await shopper.send(.get, "/admin/events").status == .unauthorized)
            for limit in ["0", "1001", "ten"] {
                let refused = try await admin.send(.get, "/admin/events?limit=\(limit)")
                #expect(refused.status == .badRequest && refused.code == "CART_005")
                #expect(refused.json["field"] as? String == "limit")
            }
        }
    }

    /// A checkout that PostgreSQL holds up past the request's deadline (another transaction
    /// holds its product's row) is answered 503; when the row is let go, the checkout left
    /// behind runs on and commits nothing: no stock taken, no checkout, the cart still the
    /// shopper's, and a retry checks it out once.
    @Test func aCheckoutThatOutlivesItsDeadlineTakesNothing() async throws {
        try await withTestApp(
            settings: { $0.databaseTimeout = .milliseconds(500) },
            test: { client, services async throws in
                let product = try await insertProduct(services, price: "5.00", stock: 10)
                let shopper = Browser(client)
                let added = try await shopper.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(product), "quantity": 2}"#
                )
                let cartID = try #require(added.json["id"] as? String)
                let (locked, lockHeld) = AsyncStream.makeStream(of: Void.self)
                let (release, releaseRequested) = AsyncStream.makeStream(of: Void.self)
                async let holder: Void = services.postgres.withTransaction(logger: Logger(label: "test")) {
                    connection in
                    let lock: PostgresQuery = "SELECT id FROM product WHERE id = \(product) FOR UPDATE"
                    _ = try await connection.query(lock, logger: Logger(label: "test"))
                    lockHeld.yield()
                    for await _ in release { break }
                }
                for await _ in locked { break }
                let start = ContinuousClock.now
                let refused = try await shopper.send(.post, "/cart/checkout")
                #expect(refused.status == .serviceUnavailable && refused.code == "CART_010")
                #expect(ContinuousClock.now - start < .seconds(2))
                releaseRequested.yield()
                try await holder
                try await Task.sleep(for: .seconds(1))
                #expect(try await productStock(services, product) == 10)
                let checkouts = try await services.postgres.rows(
                    "SELECT count(*)::int FROM checkout WHERE cart_id = \(cartID)::uuid",
                    logger: Logger(label: "test")
                )
                #expect(try checkouts.decode(Int.self).first == 0)
                let cart = try await shopper.send(.get, "/cart")
                #expect(cart.json["id"] as? String == cartID)
                #expect(cart.json["status"] as? String == "active")
                #expect(cartQuantities(cart) == [product: 2])
                let retried = try await shopper.send(.post, "/cart/checkout")
                #expect(retried.status == .created)
                #expect(try await productStock(services, product) == 8)
            }
        )
    }

    /// Stock a checkout takes (or a cancel gives back) is what the very next add sees, as
    /// `GET /products/` does, not what the product cache read before it.
    @Test func theNextAddSeesTheStockACheckoutTookAndACancelGaveBack() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "5.00", stock: 2)
            let buyer = Browser(client)
            try await buyer.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 2}"#)
            let checkout = try await buyer.send(.post, "/cart/checkout")
            #expect(checkout.status == .created)
            let id = try #require(checkout.json["checkout_id"] as? String)

            let late = Browser(client)
            let soldOut = try await late.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 1}"#
            )
            #expect(soldOut.status == .conflict && soldOut.code == "CART_009")
            #expect(try await buyer.send(.post, "/checkouts/\(id)/cancel").status == .ok)
            let back = try await late.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            #expect(back.status == .created)
        }
    }

    @Test func completeAndCancelAreIdempotentAndExclusive() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "4.00", stock: 10)
            let code = try await self.code(client, services, #""amount_off": 1, "max_uses": 5"#)
            let shopper = Browser(client)
            try await shopper.signUp()

            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 2}"#)
            let first = try #require(try await shopper.send(.post, "/cart/checkout").json["checkout_id"] as? String)
            for _ in 0..<2 {
                let completed = try await shopper.send(.post, "/checkouts/\(first)/complete")
                #expect(completed.status == .ok && completed.json["status"] as? String == "completed")
            }
            let late = try await shopper.send(.post, "/checkouts/\(first)/cancel")
            #expect(late.status == .conflict && late.code == "CART_013")
            #expect(try await productStock(services, product) == 8)

            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 3}"#)
            try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
            let second = try #require(try await shopper.send(.post, "/cart/checkout").json["checkout_id"] as? String)
            #expect(try await productStock(services, product) == 5)
            #expect(try await self.uses(services, code) == 1)
            // Meanwhile the shopper starts a new cart with one unit.
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            for _ in 0..<2 {
                let cancelled = try await shopper.send(.post, "/checkouts/\(second)/cancel")
                #expect(cancelled.status == .ok && cancelled.json["status"] as? String == "cancelled")
            }
            // Exactly what it took comes back, once: 3 units of stock, the use, the lines.
            #expect(try await productStock(services, product) == 8)
            #expect(try await self.uses(services, code) == 0)
            #expect(cartQuantities(try await shopper.send(.get, "/cart")) == [product: 4])
            let refused = try await shopper.send(.post, "/checkouts/\(second)/complete")
            #expect(refused.status == .conflict && refused.code == "CART_013")
        }
    }

    @Test func aCartThatCannotBeBoughtAsItIsReservesNothing() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "10.00", stock: 5)
            let empty = try await Browser(client).send(.post, "/cart/checkout")
            #expect(empty.status == .conflict && empty.code == "CART_013")
            let emptyErrors = (empty.json["validation"] as? [String: Any])?["errors"] as? [[String: Any]]
            #expect(emptyErrors?.first?["code"] as? String == "CART_EMPTY")

            let shopper = Browser(client)
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 2}"#)
            for try await _ in try await services.postgres.query(
                "UPDATE product SET price = 12.00 WHERE id = \(product)"
            ) {}
            let repriced = try await shopper.send(.post, "/cart/checkout")
            #expect(repriced.status == .conflict && repriced.code == "CART_013")
            let validation = try #require(repriced.json["validation"] as? [String: Any])
            #expect((validation["warnings"] as? [[String: Any]])?.first?["code"] as? String == "PRICE_CHANGED")
            #expect((validation["updated_items"] as? [[String: Any]])?.count == 1)
            #expect(try await productStock(services, product) == 5)

            // At the new price, but short of stock: CART_009 naming the product, nothing taken.
            try await services.products.refresh()
            _ = try await shopper.send(.post, "/cart/validate?apply=true")
            for try await _ in try await services.postgres.query("UPDATE product SET stock = 1 WHERE id = \(product)") {
            }
            let short = try await shopper.send(.post, "/cart/checkout")
            #expect(short.status == .conflict && short.code == "CART_009")
            #expect((short.json["message"] as? String)?.contains("\(product)") == true)
            #expect(short.json["field"] as? String == "product_id:\(product)")
            #expect(try await productStock(services, product) == 1)
            #expect(cartQuantities(try await shopper.send(.get, "/cart")) == [product: 2])
        }
    }

    /// A checkout retried with its Idempotency-Key (a storefront's retry after a lost answer),
    /// from several tabs at once or later, gets the first checkout back and reserves nothing
    /// again; another key is another checkout, and a key is its owner's alone.
    @Test func aCheckoutRetriedWithItsIdempotencyKeyReservesOnce() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "4.00", stock: 10)
            let owner = Browser(client)
            _ = try await owner.signUp()
            try await owner.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 3}"#)
            let tabs = (0..<6).map { _ in
                let tab = Browser(client)
                tab.token = owner.token
                return tab
            }
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for tab in tabs {
                    group.addTask { try await tab.send(.post, "/cart/checkout", headers: [.idempotencyKey: "pay-1"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.map(\.status) == Array(repeating: .created, count: tabs.count))
            let ids = Set(answers.compactMap { $0.json["checkout_id"] as? String })
            let id = try #require(ids.first)
            #expect(ids.count == 1)
            #expect(try await productStock(services, product) == 7)

            let retried = try await owner.send(.post, "/cart/checkout", headers: [.idempotencyKey: "pay-1"])
            #expect(retried.status == .created && retried.json["checkout_id"] as? String == id)
            #expect(cartQuantities(retried) == [product: 3])
            // After a cancel, a retry shows the checkout as it is now.
            #expect(try await owner.send(.post, "/checkouts/\(id)/cancel").status == .ok)
            let afterCancel = try await owner.send(.post, "/cart/checkout", headers: [.idempotencyKey: "pay-1"])
            #expect(afterCancel.json["checkout_id"] as? String == id)
            #expect(afterCancel.json["status"] as? String == "cancelled")
            #expect(try await productStock(services, product) == 10)

            // Another key checks out the lines the cancel gave back.
            let second = try await owner.send(.post, "/cart/checkout", headers: [.idempotencyKey: "pay-2"])
            #expect(second.status == .created && second.json["checkout_id"] as? String != id)
            #expect(try await productStock(services, product) == 7)
            // Another shopper's request with the same key is their own.
            let stranger = Browser(client)
            try await stranger.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            let theirs = try await stranger.send(.post, "/cart/checkout", headers: [.idempotencyKey: "pay-1"])
            #expect(theirs.status == .created && theirs.json["checkout_id"] as? String != id)
            #expect(try await productStock(services, product) == 6)
        }
    }

    @Test func concurrentCheckoutsForTheLastUnitsReserveExactlyThoseUnits() async throws {
        try await withTestApp { client, services async throws in
            let units = 5
            let product = try await insertProduct(services, price: "3.00", stock: units)
            let shoppers = (0..<20).map { _ in Browser(client) }
            for shopper in shoppers {
                let added = try await shopper.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(product), "quantity": 1}"#
                )
                #expect(added.status == .created)
            }
            let answers = try await withThrowingTaskGroup(of: (Int, TestResponse).self) { group in
                for (index, shopper) in shoppers.enumerated() {
                    group.addTask { (index, try await shopper.send(.post, "/cart/checkout")) }
                }
                return try await group.reduce(into: [Int: TestResponse]()) { $0[$1.0] = $1.1 }
            }.sorted { $0.key < $1.key }.map(\.value)
            let reserved = answers.filter { $0.status == .created }
            #expect(reserved.count == units)
            #expect(answers.filter { $0.code == "CART_009" }.count == shoppers.count - units)
            #expect(try await productStock(services, product) == 0)
            // Cancelling one gives its unit back; the stock never went below zero.
            let id = try #require(reserved.first?.json["checkout_id"] as? String)
            let owner = try #require(
                zip(shoppers, answers).first { $0.1.json["checkout_id"] as? String == id }?.0
            )
            #expect(try await owner.send(.post, "/checkouts/\(id)/cancel").status == .ok)
            #expect(try await productStock(services, product) == 1)
        }
    }

    @Test func checkoutsAndCancelsRacingOverOneProductKeepTheStockExact() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "1.00", stock: 10)
            let shoppers = (0..<30).map { _ in Browser(client) }
            for shopper in shoppers {
                try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            }
            // Every shopper checks out; every other one that got units cancels at once, which
            // frees them for the shoppers still trying.
            let held = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, shopper) in shoppers.enumerated() {
                    group.addTask {
                        let checkout = try await shopper.send(.post, "/cart/checkout")
                        guard checkout.status == .created, let id = checkout.json["checkout_id"] as? String else {
                            #expect(checkout.code == "CART_009")
                            return 0
                        }
                        guard index.isMultiple(of: 2) else { return 1 }
                        #expect(try await shopper.send(.post, "/checkouts/\(id)/cancel").status == .ok)
                        return 0
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(held <= 10)
            #expect(try await productStock(services, product) == 10 - held)
        }
    }

    @Test func ofManyCartsHoldingACodeWithOneUseLeftExactlyOneGetsIt() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "10.00", stock: 100)
            let code = try await self.code(client, services, #""percent_off": 50, "max_uses": 1"#)
            let shoppers = (0..<10).map { _ in Browser(client) }
            for shopper in shoppers {
                try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 2}"#)
                #expect(try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#).status == .ok)
            }
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for shopper in shoppers { group.addTask { try await shopper.send(.post, "/cart/checkout") } }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            let winners = answers.filter { $0.status == .created }
            #expect(winners.count == 1)
            #expect(winners.first.map { self.money($0, "total") } == 10.00)
            #expect(
                answers.filter { $0.status == .badRequest && $0.code == "CART_012" }.count == shoppers.count - 1,
                "\(answers.map { "\($0.status.code) \($0.code ?? "") \($0.json["message"] ?? "")" })"
            )
            // The refused checkouts reserved nothing.
            #expect(try await productStock(services, product) == 98)
            #expect(try await self.uses(services, code) == 1)
        }
    }

    /// The use a checkout takes (or a cancel gives back) is what the next cart applying the
    /// code sees at once, not the uses the code cache read before it.
    @Test func theNextCartToApplyACodeSeesTheUseACheckoutTookAndACancelGaveBack() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "10.00", stock: 100)
            let code = try await self.code(client, services, #""amount_off": 1, "max_uses": 1"#)
            let buyer = Browser(client)
            try await buyer.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            try await buyer.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
            let checkout = try await buyer.send(.post, "/cart/checkout")
            #expect(checkout.status == .created)
            let id = try #require(checkout.json["checkout_id"] as? String)

            let late = Browser(client)
            try await late.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            let usedUp = try await late.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
            #expect(usedUp.status == .badRequest && usedUp.code == "CART_012")
            #expect(try await buyer.send(.post, "/checkouts/\(id)/cancel").status == .ok)
            #expect(try await late.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#).status == .ok)
            let restored = try await buyer.send(.get, "/cart")
            #expect(cartQuantities(restored) == [product: 1])
            #expect(restored.json["promo_code"] as? String == code, "the cancel puts the code back on the cart")
        }
    }

    @Test func aReservationLeftPastItsTimeIsReleasedAndItsLinesReturn() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "2.50", stock: 9)
            let code = try await self.code(client, services, #""amount_off": 1, "max_uses": 3"#)
            var logger = Logger(label: "hotcart.test")
            logger.logLevel = .critical
            let briefly = CheckoutService(
                postgres: services.postgres,
                store: services.store,
                reservation: .milliseconds(200),
                currency: "USD",
                logger: logger
            )
            let session = CartSession(owner: .user(id: UUID().uuidString.lowercased()))
            let snapshot = try #require(services.products.product(id: product))
            _ = try await services.store.addItem(snapshot, quantity: 4, session: session, ifMatch: nil)
            let promo = try #require(services.promotions.code(code))
            _ = try await services.store.applyPromoCode(promo, session: session, ifMatch: nil)
            let checkout = try await briefly.checkout(session: session)
            #expect(checkout.total == Cents(900))
            #expect(try await productStock(services, product) == 5)
            #expect(try await self.uses(services, code) == 1)

            try await Task.sleep(for: .milliseconds(300))
            // Completing it now is too late: it expires instead.
            await #expect(throws: CartError.self) { try await briefly.complete(checkout.id, session: session) }
            #expect(try await briefly.checkout(checkout.id, session: session).status == .expired)
            #expect(try await productStock(services, product) == 9)
            #expect(try await self.uses(services, code) == 0)
            let returned = try await services.store.cart(of: session)
            #expect(returned.items.map(\.quantity) == [4])
            #expect(returned.promoCode == code, "the code comes back with the lines")

            // The sweep expires what nobody touched.
            _ = try await services.store.addItem(snapshot, quantity: 1, session: session, ifMatch: nil)
            let second = try await briefly.checkout(session: session)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await briefly.expireOverdue() >= 1)
            #expect(try await briefly.checkout(second.id, session: session).status == .expired)
            #expect(try await productStock(services, product) == 9)
            #expect(try await services.store.cart(of: session).items.map(\.quantity) == [5])
        }
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-25T15:20:01.123Z`, as the API writes times.
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
