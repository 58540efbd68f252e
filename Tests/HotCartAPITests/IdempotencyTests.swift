import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

@testable import HotCartAPI

/// `Idempotency-Key` on cart mutations: a retry gets the first answer and changes nothing.
@Suite struct IdempotencyTests {
    @Test(arguments: TestEnvironment.redisDeployments)
    func aRetriedAddAnswersAsTheFirstAndAddsOnce(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let product = try await insertProduct(services, price: "3.00")
            let browser = Browser(client)
            let body = #"{"product_id": \#(product), "quantity": 1}"#
            let first = try await browser.send(.post, "/cart/items", json: body, headers: [.idempotencyKey: "add-1"])
            // A retry comes later: times written on answering would differ.
            try await Task.sleep(for: .milliseconds(5))
            let retry = try await browser.send(.post, "/cart/items", json: body, headers: [.idempotencyKey: "add-1"])
            #expect(first.status == .created)
            #expect(retry.status == .created)
            #expect(retry.json["version"] as? Int == first.json["version"] as? Int)
            // The first answer again, to the byte: its times and expiry included.
            #expect(String(buffer: retry.body) == String(buffer: first.body))
            #expect(retry.items.first?["quantity"] as? Int == 1)
            let another = try await browser.send(.post, "/cart/items", json: body, headers: [.idempotencyKey: "add-2"])
            #expect(another.status == .ok)
            #expect(another.items.first?["quantity"] as? Int == 2)
            // The same key on another route is another request.
            let itemID = try #require(another.items.first?["id"] as? String)
            let set = try await browser.send(
                .put,
                "/cart/items/\(itemID)",
                json: #"{"quantity": 5}"#,
                headers: [.idempotencyKey: "add-1"]
            )
            #expect(set.items.first?["quantity"] as? Int == 5)
            let bad = try await browser.send(
                .post,
                "/cart/items",
                json: body,
                headers: [.idempotencyKey: String(repeating: "k", count: 300)]
            )
            #expect(bad.status == .badRequest)
            #expect(bad.code == "CART_005")
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func concurrentDuplicatesChangeTheCartOnce(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let product = try await insertProduct(services, price: "3.00")
            let browser = Browser(client)
            try await browser.send(.get, "/cart")
            let cookie = try #require(browser.cookie)
            let headers: HTTPFields = [
                .cookie: cookie, .contentType: "application/json", .idempotencyKey: "double-click",
            ]
            let versions = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/cart/items",
                            method: .post,
                            headers: headers,
                            body: ByteBuffer(string: #"{"product_id": \#(product), "quantity": 2}"#)
                        )
                        return response.json["version"] as? Int
                    }
                }
                return try await group.reduce(into: Set<Int?>()) { $0.insert($1) }
            }
            #expect(versions.count == 1, "every duplicate got the first answer")
            #expect(try await browser.send(.get, "/cart").items.first?["quantity"] as? Int == 2)
        }
    }
}
