import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HotCartAPI

/// Promotion codes: the superuser API, `POST|DELETE /cart/promo`, and the promotion fields of
/// every CartResponse.
@Suite struct PromoCodeControllerTests {
    /// A fresh code name for one test (codes are global).
    func uniqueCode(_ prefix: String = "SAVE") -> String {
        "\(prefix)-\(TestEnvironment.uniqueID().prefix(8))".uppercased()
    }

    func money(_ response: TestResponse, _ key: String) -> Double? {
        (response.json[key] as? NSNumber)?.doubleValue
    }

    @Test func superusersManageCodesWhateverTheirCase() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let code = self.uniqueCode()
            let created = try await admin.send(
                .post,
                "/promo-codes/",
                json: #"{"code": "\#(code)", "percent_off": 15, "min_subtotal": 10, "max_uses": 5}"#
            )
            #expect(created.status == .created)
            #expect(created.json["code"] as? String == code)
            #expect(created.json["percent_off"] as? Int == 15)
            #expect(created.json["amount_off"] is NSNull)
            #expect(self.money(created, "min_subtotal") == 10)
            #expect(created.json["max_uses"] as? Int == 5)
            #expect(created.json["uses"] as? Int == 0)
            #expect(created.json["is_active"] as? Bool == true)
            #expect(created.json["expires_at"] is NSNull)

            let duplicate = try await admin.send(
                .post,
                "/promo-codes/",
                json: #"{"code": "\#(code.lowercased())", "amount_off": 5}"#
            )
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["field"] as? String == "code")

            let shown = try await admin.send(.get, "/promo-codes/\(code.lowercased())")
            #expect(shown.status == .ok && shown.json["code"] as? String == code)
            let patched = try await admin.send(
                .patch,
                "/promo-codes/\(code)",
                json:
                    #"{"amount_off": 5.50, "starts_at": "1500-03-01T00:30:00+01:00", "expires_at": "2099-01-01T00:00:00Z"}"#
            )
            #expect(patched.status == .ok)
            // Times read in the Gregorian calendar, before 1582 too, and shown in UTC.
            #expect(patched.json["starts_at"] as? String == "1500-02-28T23:30:00.000Z")
            #expect(patched.json["percent_off"] is NSNull)
            #expect(self.money(patched, "amount_off") == 5.5)
            #expect(patched.json["expires_at"] as? String == "2099-01-01T00:00:00.000Z")
            let listed = try await admin.send(.get, "/promo-codes/")
            #expect(listed.jsonArray.contains { $0["code"] as? String == code })

            let shopper = Browser(client)
            try await shopper.signUp()
            #expect(try await shopper.send(.get, "/promo-codes/").code == "CART_011")
            #expect(try await Browser(client).send(.get, "/promo-codes/").status == .unauthorized)

            #expect(try await admin.send(.delete, "/promo-codes/\(code)").status == .noContent)
            let gone = try await admin.send(.get, "/promo-codes/\(code)")
            #expect(gone.status == .notFound && gone.code == "CART_014")
        }
    }

    @Test(arguments: [
        (#"{"code": "A", "percent_off": 10, "amount_off": 1}"#, "percent_off"),
        (#"{"code": "A"}"#, "percent_off"),
        (#"{"code": "A", "percent_off": 0}"#, "percent_off"),
        (#"{"code": "A", "percent_off": 101}"#, "percent_off"),
        (#"{"code": "A", "amount_off": 0}"#, "amount_off"),
        (#"{"code": "A", "amount_off": 1.005}"#, "amount_off"),
        (#"{"code": "no spaces", "percent_off": 10}"#, "code"),
        (#"{"percent_off": 10}"#, "code"),
        (#"{"code": "A", "percent_off": 10, "max_uses": 0}"#, "max_uses"),
        (#"{"code": "A", "percent_off": 10, "min_subtotal": -1}"#, "min_subtotal"),
        (#"{"code": "A", "percent_off": 10, "starts_at": "tomorrow"}"#, "starts_at"),
        (
            #"{"code": "A", "percent_off": 10, "starts_at": "2030-01-02T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"}"#,
            "expires_at"
        ),
    ])
    func aBadCodeBodyNamesItsField(body: String, field: String) async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let response = try await admin.send(.post, "/promo-codes/", json: body)
            #expect(response.status == .badRequest)
            #expect(response.code == "CART_005")
            #expect(response.json["field"] as? String == field)
        }
    }

    @Test func fifteenPercentOffThreeAtNineteenNinetyNineIsNineOff() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let code = self.uniqueCode()
            _ = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(code)", "percent_off": 15}"#)
            let product = try await insertProduct(services, price: "19.99")
            let shopper = Browser(client)
            let empty = try await shopper.send(.get, "/cart")
            #expect(empty.json["promo_code"] is NSNull)
            #expect(self.money(empty, "discount") == 0 && self.money(empty, "total") == 0)
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 3}"#)
            let applied = try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code.lowercased())"}"#)
            #expect(applied.status == .ok)
            #expect(applied.json["promo_code"] as? String == code)
            #expect(self.money(applied, "subtotal") == 59.97)
            #expect(self.money(applied, "discount") == 9.00)
            #expect(self.money(applied, "total") == 50.97)
            let read = try await shopper.send(.get, "/cart")
            #expect(self.money(read, "discount") == 9.00 && self.money(read, "total") == 50.97)
            // Every change recomputes it: 4 × 19.99 = 79.96, 15 % = 11.994 → 11.99.
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            let grown = try await shopper.send(.get, "/cart")
            #expect(self.money(grown, "discount") == 11.99 && self.money(grown, "total") == 67.97)
            let removed = try await shopper.send(.delete, "/cart/promo")
            #expect(removed.status == .ok)
            #expect(removed.json["promo_code"] is NSNull)
            #expect(self.money(removed, "discount") == 0 && self.money(removed, "total") == 79.96)
        }
    }

    @Test func everyRefusalIsCART012NamingItsReason() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let product = try await insertProduct(services, price: "10.00")
            let shopper = Browser(client)
            let before = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 2}"#
            )
            let codes = (0..<5).map { _ in self.uniqueCode("X") }
            let bodies = [
                #""is_active": false"#, #""starts_at": "2099-01-01T00:00:00Z""#,
                #""expires_at": "2020-01-01T00:00:00Z""#, #""max_uses": 1"#, #""min_subtotal": 50"#,
            ]
            for (code, extra) in zip(codes, bodies) {
                let created = try await admin.send(
                    .post,
                    "/promo-codes/",
                    json: #"{"code": "\#(code)", "percent_off": 10, \#(extra)}"#
                )
                #expect(created.status == .created)
            }
            // Uses are taken by checkouts; here the one use is taken directly.
            for try await _ in try await services.postgres.query(
                "UPDATE promo_code SET uses = 1 WHERE code = \(codes[3])"
            ) {}
            try await services.promotions.refresh()
            let expected = ["is not active", "is not valid yet", "has expired", "has no uses left", "at least 50.00"]
            var messages: [String] = []
            for (code, reason) in zip(codes, expected) {
                let refused = try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
                #expect(refused.status == .badRequest)
                #expect(refused.code == "CART_012")
                #expect(refused.json["error"] as? String == "PROMO_INVALID")
                #expect(refused.json["field"] as? String == "code")
                let message = refused.json["message"] as? String ?? ""
                #expect(message.contains(reason), "\(message)")
                messages.append(message)
            }
            let unknown = try await shopper.send(.post, "/cart/promo", json: #"{"code": "NO-SUCH-CODE"}"#)
            #expect(unknown.code == "CART_012")
            #expect((unknown.json["message"] as? String)?.contains("does not exist") == true)
            #expect(Set(messages).count == expected.count)
            // A refused code changed nothing.
            let cart = try await shopper.send(.get, "/cart")
            #expect(cart.json["promo_code"] is NSNull)
            #expect(cart.json["version"] as? Int == before.json["version"] as? Int)
        }
    }

    @Test func aCartBelowTheMinimumKeepsItsCodeWithNoDiscountAndAWarning() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let code = self.uniqueCode()
            _ = try await admin.send(
                .post,
                "/promo-codes/",
                json: #"{"code": "\#(code)", "amount_off": 10, "min_subtotal": 50}"#
            )
            let product = try await insertProduct(services, price: "19.99")
            let shopper = Browser(client)
            let added = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 3}"#
            )
            try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
            let itemID = try #require(added.items.first?["id"] as? String)
            let fallen = try await shopper.send(.put, "/cart/items/\(itemID)", json: #"{"quantity": 2}"#)
            #expect(fallen.json["promo_code"] as? String == code)
            #expect(self.money(fallen, "discount") == 0 && self.money(fallen, "total") == 39.98)
            let warnings = fallen.json["warnings"] as? [[String: Any]] ?? []
            #expect(warnings.contains { $0["code"] as? String == "PROMO_NOT_APPLIED" })
            // Back over the minimum, the discount is back (an amount off, capped at the subtotal).
            let back = try await shopper.send(.put, "/cart/items/\(itemID)", json: #"{"quantity": 3}"#)
            #expect(self.money(back, "discount") == 10 && self.money(back, "total") == 49.97)
            #expect((back.json["warnings"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aSecondCodeReplacesTheFirstAndAChangedCodeReachesTheCart() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let first = self.uniqueCode("A")
            let second = self.uniqueCode("B")
            _ = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(first)", "percent_off": 10}"#)
            _ = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(second)", "amount_off": 3}"#)
            let product = try await insertProduct(services, price: "20.00")
            let shopper = Browser(client)
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(first)"}"#)
            let replaced = try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(second)"}"#)
            #expect(replaced.json["promo_code"] as? String == second)
            #expect(self.money(replaced, "discount") == 3)
            _ = try await admin.send(.patch, "/promo-codes/\(second)", json: #"{"amount_off": 4}"#)
            #expect(self.money(try await shopper.send(.get, "/cart"), "discount") == 4)
            // A deleted code stays on the cart, with no discount and a warning.
            _ = try await admin.send(.delete, "/promo-codes/\(second)")
            let orphaned = try await shopper.send(.get, "/cart")
            #expect(orphaned.json["promo_code"] as? String == second)
            #expect(self.money(orphaned, "discount") == 0)
            #expect((orphaned.json["warnings"] as? [[String: Any]])?.first?["code"] as? String == "PROMO_NOT_APPLIED")
        }
    }
}
