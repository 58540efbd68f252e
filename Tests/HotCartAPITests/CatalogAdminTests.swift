import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HotCartAPI

/// The superuser catalog routes, and what carts see of their changes.
@Suite struct CatalogAdminTests {
    @Test func onlySuperusersWriteTheCatalog() async throws {
        try await withTestApp { client, services async throws in
            let name = "Admin product \(TestEnvironment.uniqueID())"
            let body = #"{"name": "\#(name)", "price": 19.99, "stock": 5}"#
            let anonymous = Browser(client)
            let refused = try await anonymous.send(.post, "/products/", json: body)
            #expect(refused.status == .unauthorized)
            #expect(refused.code == "CART_006")
            let shopper = Browser(client)
            try await shopper.signUp()
            let forbidden = try await shopper.send(.post, "/products/", json: body)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.code == "CART_011")
            #expect(try await shopper.send(.delete, "/products/1").status == .forbidden)

            let admin = try await signedInSuperuser(client, services)
            let created = try await admin.send(.post, "/products/", json: body)
            #expect(created.status == .created)
            #expect(created.json["price"] as? Double == 19.99)
            #expect(created.json["stock"] as? Int == 5)
            #expect(created.json["is_active"] as? Bool == true)
            let duplicate = try await admin.send(.post, "/products/", json: body)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["field"] as? String == "name")
            for bad in [
                #"{"name": "x \#(name)", "price": 1.234}"#, #"{"name": "x \#(name)", "price": -1}"#,
                #"{"name": "x \#(name)", "price": 1, "stock": -2}"#, #"{"name": "", "price": 1}"#,
                #"{"name": "x \#(name)"}"#,
            ] {
                let response = try await admin.send(.post, "/products/", json: bad)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.code == "CART_005", "\(bad)")
            }
            let productID = try #require(created.json["id"] as? Int)
            let patched = try await admin.send(.patch, "/products/\(productID)", json: #"{"stock": null}"#)
            #expect(patched.json["stock"] is NSNull)
            #expect(patched.json["price"] as? Double == 19.99)
            let replaced = try await admin.send(
                .put,
                "/products/\(productID)",
                json: #"{"name": "\#(name)", "price": 5}"#
            )
            #expect(replaced.json["price"] as? Double == 5)
            #expect(try await admin.send(.patch, "/products/999999999", json: "{}").status == .notFound)
        }
    }

    @Test func cartsSeeAdminChangesWithinOneSecond() async throws {
        try await withTestApp { client, services async throws in
            let productID = try await insertProduct(services, price: "10.00")
            let admin = try await signedInSuperuser(client, services)
            let shopper = Browser(client)

            /// Adds one unit within a second of `change`, until `accepted` says the cart saw it.
            func seenWithinOneSecond(_ accepted: (TestResponse) -> Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(1)
                while ContinuousClock.now < deadline {
                    let response = try await shopper.send(
                        .post,
                        "/cart/items",
                        json: #"{"product_id": \#(productID), "quantity": 1}"#
                    )
                    try await shopper.send(.delete, "/cart")
                    if accepted(response) { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }

            #expect(try await admin.send(.patch, "/products/\(productID)", json: #"{"price": 12.5}"#).status == .ok)
            #expect(try await seenWithinOneSecond { String(buffer: $0.body).contains(#""unit_price":12.5"#) })
            #expect(
                try await admin.send(.patch, "/products/\(productID)", json: #"{"is_active": false}"#).status == .ok
            )
            #expect(try await seenWithinOneSecond { $0.status == .conflict && $0.code == "CART_009" })
            #expect(
                try await admin.send(.patch, "/products/\(productID)", json: #"{"is_active": true, "stock": 0}"#).status
                    == .ok
            )
            #expect(try await seenWithinOneSecond { $0.status == .conflict && $0.code == "CART_009" })
            #expect(try await admin.send(.delete, "/products/\(productID)").status == .noContent)
            #expect(try await client.execute(uri: "/products/\(productID)", method: .get).status == .notFound)
            #expect(try await seenWithinOneSecond { $0.status == .notFound && $0.code == "CART_002" })
            #expect(try await admin.send(.delete, "/products/\(productID)").status == .notFound)
        }
    }

    /// The process that wrote the catalog does not wait for its cache's next reload: a product
    /// made, repriced, sold out or deleted is what the very next add sees.
    @Test func thisProcessesCartsSeeAnAdminChangeAtOnce() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let shopper = Browser(client)
            let made = try await admin.send(
                .post,
                "/products/",
                json: #"{"name": "At once \#(UUID().uuidString)", "price": 10.00, "stock": 5}"#
            )
            #expect(made.status == .created)
            let productID = try #require(made.json["id"] as? Int)
            func add() async throws -> TestResponse {
                try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(productID), "quantity": 1}"#)
            }

            let first = try await add()
            #expect(first.status == .created)
            #expect(first.items.first?["unit_price"] as? Double == 10)
            try await shopper.send(.delete, "/cart")
            #expect(try await admin.send(.patch, "/products/\(productID)", json: #"{"price": 12.5}"#).status == .ok)
            #expect(try await add().items.first?["unit_price"] as? Double == 12.5)
            try await shopper.send(.delete, "/cart")
            #expect(try await admin.send(.patch, "/products/\(productID)", json: #"{"stock": 0}"#).status == .ok)
            #expect(try await add().code == "CART_009")
            #expect(try await admin.send(.delete, "/products/\(productID)").status == .noContent)
            #expect(try await add().code == "CART_002")
        }
    }
}
