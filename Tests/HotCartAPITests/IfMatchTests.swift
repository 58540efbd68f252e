import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

@testable import HotCartAPI

/// `If-Match` as optimistic concurrency: of many changes made against one version exactly one
/// goes ahead; and on the changes that are more than one script (a checkout, a merge and a
/// shared cart's copy) a stale version changes nothing (412 CART_008). The cart's own changes
/// are also in `CartControllerTests` and `RedisCartStoreTests`.
@Suite struct IfMatchTests {
    func version(_ response: TestResponse) -> Int {
        response.json["version"] as? Int ?? -1
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func ofManyChangesAgainstOneVersionExactlyOneGoesAhead(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let product = try await insertProduct(services, price: "1.00")
            let shopper = Browser(client)
            let shown = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 1}"#
            )
            let itemID = try #require(shown.items.first?["id"] as? String)
            let headers: HTTPFields = [
                .cookie: try #require(shopper.cookie),
                .contentType: "application/json",
                .ifMatch: "\"\(version(shown))\"",
            ]
            // 50 tabs each set their own quantity against the version they all showed.
            let answers = try await withThrowingTaskGroup(of: (Int, TestResponse).self) { group in
                for quantity in 2...51 {
                    group.addTask {
                        let answer = try await client.execute(
                            uri: "/cart/items/\(itemID)",
                            method: .put,
                            headers: headers,
                            body: ByteBuffer(string: #"{"quantity": \#(quantity)}"#)
                        )
                        return (quantity, answer)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = answers.filter { $0.1.status == .ok }
            #expect(winners.count == 1)
            #expect(answers.filter { $0.1.status == .preconditionFailed && $0.1.code == "CART_008" }.count == 49)
            let cart = try await shopper.send(.get, "/cart")
            #expect(version(cart) == version(shown) + 1)
            #expect(cartQuantities(cart) == [product: try #require(winners.first?.0)])
        }
    }

    @Test func aCheckoutAtAStaleVersionReservesNothing() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "4.00", stock: 5)
            let shopper = Browser(client)
            let shown = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 2}"#
            )
            // Another tab adds a unit after the page showed the cart.
            let changed = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 1}"#
            )
            let stale = try await shopper.send(.post, "/cart/checkout", headers: [.ifMatch: "\"\(version(shown))\""])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.code == "CART_008")
            #expect(try await productStock(services, product) == 5)
            let cart = try await shopper.send(.get, "/cart")
            #expect(cart.json["status"] as? String == "active")
            #expect(version(cart) == version(changed))

            let headers: HTTPFields = [.ifMatch: "\"\(version(changed))\"", .idempotencyKey: "checkout-1"]
            let checkout = try await shopper.send(.post, "/cart/checkout", headers: headers)
            #expect(checkout.status == .created)
            #expect(cartQuantities(checkout) == [product: 3])
            #expect(try await productStock(services, product) == 2)
            // Retried with its key, it answers the checkout it made, though the cart moved on.
            let retried = try await shopper.send(.post, "/cart/checkout", headers: headers)
            #expect(retried.json["checkout_id"] as? String == checkout.json["checkout_id"] as? String)
            #expect(try await productStock(services, product) == 2)
        }
    }

    @Test func aMergeAtAStaleVersionOfTheUserCartMergesNothingUntilRetried() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "3.00")
            let user = Browser(client)
            try await user.signUp()
            let shown = try await user.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 1}"#)
            let changed = try await user.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 1}"#)
            let guest = Browser(client)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 2}"#)
            let token = try #require(user.token)
            let guestCookie = try #require(guest.cookie)

            let stale = try await client.execute(
                uri: "/cart/merge",
                method: .post,
                headers: [.cookie: guestCookie, .authorization: "Bearer \(token)", .ifMatch: "\"\(version(shown))\""]
            )
            #expect(stale.status == .preconditionFailed)
            #expect(stale.code == "CART_008")
            #expect(stale.headers[.setCookie] == nil, "the guest session is not rotated")
            let userCart = try await user.send(.get, "/cart")
            #expect(cartQuantities(userCart) == [a: 2])
            #expect(version(userCart) == version(changed))
            #expect(cartQuantities(try await guest.send(.get, "/cart")) == [b: 2])

            let merged = try await client.execute(
                uri: "/cart/merge",
                method: .post,
                headers: [.cookie: guestCookie, .authorization: "Bearer \(token)", .ifMatch: "\"\(version(changed))\""]
            )
            #expect(merged.status == .ok)
            #expect(cartQuantities(merged) == [a: 2, b: 2])
        }
    }

    @Test func aCopyIntoACartAtAStaleVersionAddsNothing() async throws {
        try await withTestApp { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let id = try await shareOfACart(holding: 2, of: a, client: client)
            let shopper = Browser(client)
            let shown = try await shopper.send(.get, "/cart")
            let changed = try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 1}"#)
            let stale = try await shopper.send(
                .post,
                "/shared-carts/\(id)/copy",
                headers: [.ifMatch: "\"\(version(shown))\""]
            )
            #expect(stale.status == .preconditionFailed)
            #expect(stale.code == "CART_008")
            #expect(cartQuantities(try await shopper.send(.get, "/cart")) == [a: 1])
            let copied = try await shopper.send(
                .post,
                "/shared-carts/\(id)/copy",
                headers: [.ifMatch: "\"\(version(changed))\""]
            )
            #expect(copied.status == .ok)
            #expect(cartQuantities(copied) == [a: 3])
        }
    }
}
