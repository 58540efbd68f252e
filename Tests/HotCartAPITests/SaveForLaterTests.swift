import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

@testable import HotCartAPI

/// `POST /cart/save-for-later` and `POST /cart/saved/{item_id}/move-to-cart`.
@Suite struct SaveForLaterTests {
    func products(_ list: Any?) -> [Int: Int] {
        var quantities: [Int: Int] = [:]
        for item in list as? [[String: Any]] ?? [] {
            if let product = item["product_id"] as? Int { quantities[product] = item["quantity"] as? Int }
        }
        return quantities
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func aLineMovesOutOfTheCartAndBack(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let a = try await insertProduct(services, price: "2.50")
            let b = try await insertProduct(services, price: "1.00")
            let browser = Browser(client)
            let added = try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            let itemID = try #require(added.items.first?["id"] as? String)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 1}"#)

            let saved = try await browser.send(.post, "/cart/save-for-later", json: #"{"item_id": "\#(itemID)"}"#)
            #expect(saved.status == .ok)
            #expect(products(saved.json["items"]) == [b: 1])
            #expect(products(saved.json["saved_items"]) == [a: 2])
            #expect(saved.json["total_items"] as? Int == 1)
            #expect(saved.json["subtotal"] as? Double == 1.0)
            // A saved line is still the shopper's: its quantity can change, and it survives a clear.
            let resized = try await browser.send(.put, "/cart/items/\(itemID)", json: #"{"quantity": 5}"#)
            #expect(products(resized.json["saved_items"]) == [a: 5])
            #expect(resized.json["total_items"] as? Int == 1)
            let cleared = try await browser.send(.delete, "/cart")
            #expect(products(cleared.json["items"]).isEmpty)
            #expect(products(cleared.json["saved_items"]) == [a: 5])

            let moved = try await browser.send(.post, "/cart/saved/\(itemID)/move-to-cart")
            #expect(moved.status == .ok)
            #expect(products(moved.json["items"]) == [a: 5])
            #expect(products(moved.json["saved_items"]).isEmpty)
            #expect(moved.items.first?["id"] as? String == itemID)
            #expect(moved.json["subtotal"] as? Double == 12.5)

            // Adding a product that is saved brings its saved line back with the new units.
            try await browser.send(.post, "/cart/save-for-later", json: #"{"item_id": "\#(itemID)"}"#)
            let readded = try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 1}"#)
            #expect(products(readded.json["items"]) == [a: 6])
            #expect(products(readded.json["saved_items"]).isEmpty)

            let unknown = try await browser.send(.post, "/cart/saved/\(UUID().uuidString)/move-to-cart")
            #expect(unknown.status == .notFound)
            #expect(unknown.code == "CART_003")
            let malformed = try await browser.send(.post, "/cart/save-for-later", json: #"{"item_id": "nope"}"#)
            #expect(malformed.code == "CART_003")
            let missing = try await browser.send(.post, "/cart/save-for-later", json: "{}")
            #expect(missing.code == "CART_005")
        }
    }

    @Test func movingBackRespectsTheCartCap() async throws {
        let small: (inout AppConfiguration) -> Void = { $0.cart.limits = .init(maxQuantityPerItem: 99, maxItems: 5) }
        try await withTestApp(settings: small) { client, services async throws in
            let a = try await insertProduct(services, price: "1.00")
            let b = try await insertProduct(services, price: "1.00")
            let browser = Browser(client)
            let added = try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 3}"#)
            let itemID = try #require(added.items.first?["id"] as? String)
            try await browser.send(.post, "/cart/save-for-later", json: #"{"item_id": "\#(itemID)"}"#)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 4}"#)
            let refused = try await browser.send(.post, "/cart/saved/\(itemID)/move-to-cart")
            #expect(refused.status == .conflict)
            #expect(refused.code == "CART_004")
            let cart = try await browser.send(.get, "/cart")
            #expect(products(cart.json["items"]) == [b: 4])
            #expect(products(cart.json["saved_items"]) == [a: 3])
        }
    }
}
