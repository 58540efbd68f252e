import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

@testable import HotCartAPI

/// `POST /cart/validate`: the cart against the catalog as it is now.
@Suite struct ValidateTests {
    func sql(_ services: HotCartServices, _ query: String) async throws {
        for try await _ in try await services.postgres.query(.init(unsafeSQL: query)) {}
    }

    @Test(arguments: TestEnvironment.redisDeployments)
    func errorsWarningsAndApplyingNewPrices(redis endpoint: RedisEndpoint) async throws {
        try await withTestApp(redis: endpoint) { client, services async throws in
            let repriced = try await insertProduct(services, price: "10.00")
            let scarce = try await insertProduct(services, price: "1.00", stock: 5)
            let retired = try await insertProduct(services, price: "1.00")
            let deleted = try await insertProduct(services, price: "1.00")
            let steady = try await insertProduct(services, price: "2.00")
            let browser = Browser(client)
            for (product, quantity) in [(repriced, 1), (scarce, 2), (retired, 1), (deleted, 1), (steady, 1)] {
                try await browser.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(product), "quantity": \#(quantity)}"#
                )
            }
            let clean = try await browser.send(.post, "/cart/validate")
            #expect(clean.json["is_valid"] as? Bool == true)
            #expect((clean.json["errors"] as? [Any])?.isEmpty == true)

            try await sql(services, "UPDATE product SET price = 12.50 WHERE id = \(repriced)")
            try await sql(services, "UPDATE product SET stock = 1 WHERE id = \(scarce)")
            try await sql(services, "UPDATE product SET is_active = FALSE WHERE id = \(retired)")
            try await sql(services, "UPDATE product SET deleted_at = now() WHERE id = \(deleted)")
            try await services.products.refresh()

            let checked = try await browser.send(.post, "/cart/validate")
            #expect(checked.status == .ok)
            #expect(checked.json["is_valid"] as? Bool == false)
            let errors = checked.json["errors"] as? [[String: Any]] ?? []
            #expect(
                Set(errors.compactMap { "\($0["code"] ?? "") \($0["product_id"] ?? "")" }) == [
                    "INSUFFICIENT_STOCK \(scarce)", "PRODUCT_UNAVAILABLE \(retired)", "PRODUCT_NOT_FOUND \(deleted)",
                ]
            )
            let warnings = checked.json["warnings"] as? [[String: Any]] ?? []
            #expect(warnings.map { $0["code"] as? String } == ["PRICE_CHANGED"])
            #expect(warnings.first?["product_id"] as? Int == repriced)
            let updated = checked.json["updated_items"] as? [[String: Any]] ?? []
            #expect(updated.count == 1)
            #expect(updated.first?["unit_price"] as? Double == 12.5)
            let unchanged = try await browser.send(.get, "/cart")
            #expect(unchanged.items.first { $0["product_id"] as? Int == repriced }?["unit_price"] as? Double == 10)

            let applied = try await browser.send(.post, "/cart/validate?apply=true")
            #expect((applied.json["updated_items"] as? [Any])?.count == 1)
            let cart = try await browser.send(.get, "/cart")
            #expect(cart.items.first { $0["product_id"] as? Int == repriced }?["unit_price"] as? Double == 12.5)
            #expect(cart.json["version"] as? Int == (unchanged.json["version"] as? Int ?? 0) + 1)
            let again = try await browser.send(.post, "/cart/validate")
            #expect((again.json["warnings"] as? [Any])?.isEmpty == true)
            #expect(try await browser.send(.post, "/cart/validate?apply=maybe").code == "CART_005")
        }
    }

    @Test func validateSeesAnAdminPriceChangeWithinOneSecond() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "4.00")
            let admin = try await signedInSuperuser(client, services)
            let shopper = Browser(client)
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 1}"#)
            #expect(try await admin.send(.patch, "/products/\(product)", json: #"{"price": 4.25}"#).status == .ok)
            let deadline = ContinuousClock.now + .seconds(1)
            var seen = false
            while !seen && ContinuousClock.now < deadline {
                let warnings = try await shopper.send(.post, "/cart/validate").json["warnings"] as? [[String: Any]]
                seen = warnings?.first?["code"] as? String == "PRICE_CHANGED"
                if !seen { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen)
        }
    }

    @Test func validationCanBeTurnedOff() async throws {
        let off: (inout AppConfiguration) -> Void = { $0.enableCartValidation = false }
        try await withTestApp(settings: off) { client, _ async throws in
            #expect(try await Browser(client).send(.post, "/cart/validate").status == .notFound)
        }
    }
}
