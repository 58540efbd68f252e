import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

@testable import HotCartAPI

/// Merging a guest cart into the user's cart at login and through `POST /cart/merge`, on the
/// single Redis and on the cluster (where the two carts are mostly on different masters).
@Suite struct MergeTests {
    @Test(arguments: TestEnvironment.redisDeployments)
    func loginMergesTheGuestCartAndTheOldCookieReachesNothing(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "3.00")
            let email = uniqueEmail()
            let device = Browser(client)
            try await device.register(email)
            try await device.logIn(email)
            try await device.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 3}"#)

            let guest = Browser(client)
            let c = try await insertProduct(services, price: "7.00")
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 1}"#)
            let later = try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(c), "quantity": 4}"#)
            let laterID = try #require(later.items.first { $0["product_id"] as? Int == c }?["id"] as? String)
            let guestCart = try await guest.send(.post, "/cart/save-for-later", json: #"{"item_id": "\#(laterID)"}"#)
            let oldCookie = try #require(guest.cookie)
            let login = try await guest.logIn(email)
            #expect(login.status == .ok)
            #expect(guest.cookie != oldCookie, "the session id is rotated")

            let userCart = try await guest.send(.get, "/cart")
            #expect(cartQuantities(userCart) == [a: 5, b: 1])
            let saved = (userCart.json["saved_items"] as? [[String: Any]] ?? []).map {
                "\($0["product_id"] ?? "") x\($0["quantity"] ?? "")"
            }
            #expect(saved == ["\(c) x4"], "a line the guest saved for later stays saved")
            #expect(userCart.json["subtotal"] as? Double == 13.0)

            let old = Browser(client)
            old.cookie = oldCookie
            let afterwards = try await old.send(.get, "/cart")
            #expect(afterwards.status == .ok)
            #expect(afterwards.items.isEmpty)
            #expect(afterwards.json["id"] as? String != guestCart.json["id"] as? String)
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func concurrentAndRetriedMergesNeverDoubleCount(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "3.00")
            let device = Browser(client)
            try await device.signUp()
            try await device.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 3}"#)
            let token = try #require(device.token)

            let guest = Browser(client)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 1}"#)
            let guestCookie = try #require(guest.cookie)
            let headers: HTTPFields = [.cookie: guestCookie, .authorization: "Bearer \(token)"]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await client.execute(uri: "/cart/merge", method: .post, headers: headers).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            #expect(cartQuantities(try await device.send(.get, "/cart")) == [a: 5, b: 1])
            // A retry long after: nothing left to merge, nothing counted again.
            let retry = try await client.execute(uri: "/cart/merge", method: .post, headers: headers)
            #expect(cartQuantities(retry) == [a: 5, b: 1])
        }
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func mergedQuantitiesAreCappedWithWarnings(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let a = try await insertProduct(services, price: "1.00")
            let user = Browser(client)
            try await user.signUp()
            try await user.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 98}"#)

            let guest = Browser(client)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 5}"#)
            guest.token = user.token
            let merged = try await guest.send(.post, "/cart/merge")
            #expect(merged.status == .ok)
            #expect(cartQuantities(merged) == [a: 99])
            let warnings = merged.json["warnings"] as? [[String: Any]] ?? []
            #expect(warnings.count == 1)
            #expect(warnings.first?["code"] as? String == "QUANTITY_CAPPED")
            #expect(warnings.first?["product_id"] as? Int == a)
            #expect(warnings.first?["item_id"] as? String == merged.items.first?["id"] as? String)
        }
    }

    /// The guest's code goes on a user cart that has none; a user cart's own code stays, and the
    /// answer says the guest's was not applied.
    @Test func theGuestsPromotionCodeGoesOnAUserCartWithoutOne() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let (guestCode, userCode) = (
                "MG\(Int.random(in: 100_000...999_999))", "MU\(Int.random(in: 100_000...999_999))"
            )
            for code in [guestCode, userCode] {
                let made = try await admin.send(
                    .post,
                    "/promo-codes/",
                    json: #"{"code": "\#(code)", "percent_off": 10}"#
                )
                #expect(made.status == .created)
            }
            let a = try await insertProduct(services, price: "10.00")
            let user = Browser(client)
            try await user.signUp()

            let guest = Browser(client)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            #expect(try await guest.send(.post, "/cart/promo", json: #"{"code": "\#(guestCode)"}"#).status == .ok)
            guest.token = user.token
            let taken = try await guest.send(.post, "/cart/merge")
            #expect(taken.json["promo_code"] as? String == guestCode)
            #expect(taken.json["discount"] as? Double == 2.0)
            #expect((taken.json["warnings"] as? [Any])?.isEmpty == true)
            #expect(try await user.send(.get, "/cart").json["promo_code"] as? String == guestCode)

            #expect(try await user.send(.post, "/cart/promo", json: #"{"code": "\#(userCode)"}"#).status == .ok)
            let second = Browser(client)
            try await second.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 1}"#)
            #expect(try await second.send(.post, "/cart/promo", json: #"{"code": "\#(guestCode)"}"#).status == .ok)
            second.token = user.token
            let kept = try await second.send(.post, "/cart/merge")
            #expect(cartQuantities(kept) == [a: 3])
            #expect(kept.json["promo_code"] as? String == userCode)
            let warnings = kept.json["warnings"] as? [[String: Any]] ?? []
            #expect(warnings.map { $0["code"] as? String } == ["PROMO_CODE_NOT_MERGED"])
            #expect((warnings.first?["message"] as? String ?? "").contains(guestCode))
        }
    }

    @Test func mergeNeedsATokenAndCanBeTurnedOff() async throws {
        let mergeOff: (inout AppConfiguration) -> Void = { $0.enableCartMerge = false }
        try await withTestApp(settings: mergeOff) { client, services async throws in
            let a = try await insertProduct(services, price: "1.00")
            let guest = Browser(client)
            #expect(try await guest.send(.post, "/cart/merge").status == .unauthorized)
            try await guest.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 2}"#)
            try await guest.signUp()
            #expect(try await guest.send(.get, "/cart").items.isEmpty, "login does not merge when turned off")
            #expect(try await guest.send(.post, "/cart/merge").status == .notFound)
            guest.token = nil
            #expect(cartQuantities(try await guest.send(.get, "/cart")) == [a: 2], "the guest cart is untouched")
        }
    }
}
