import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HotCartAPI

/// Display currencies: rates set by superusers, `?currency=` on the cart routes, amounts
/// rounded half-up to each currency's minor units, and lines that add up to the subtotal shown.
@Suite(.serialized) struct CurrencyControllerTests {
    static let offeredInOrder = ["USD", "EUR", "JPY", "KWD", "GBP", "SEK"]

    static func offered(_ configuration: inout AppConfiguration) {
        // SEK is offered but never given a rate.
        configuration.displayCurrencies = Self.offeredInOrder
    }

    func money(_ object: [String: Any], _ key: String) -> Decimal? {
        (object[key] as? NSNumber).map { Decimal(string: $0.stringValue) } ?? nil
    }

    /// Rates for JPY (151.5) and KWD (0.30715), and a shopper's cart of 3 × 19.99 USD (a
    /// product with 10 in stock) holding a new 15 % code.
    func threeAtNineteenNinetyNineWithACode(
        _ client: any TestClientProtocol,
        _ services: HotCartServices
    ) async throws -> (admin: Browser, shopper: Browser, product: Int, code: String) {
        let admin = try await signedInSuperuser(client, services)
        _ = try await admin.send(.put, "/currencies/JPY", json: #"{"rate": 151.5}"#)
        _ = try await admin.send(.put, "/currencies/KWD", json: #"{"rate": 0.30715}"#)
        let code = "FX-\(TestEnvironment.uniqueID().prefix(8))".uppercased()
        _ = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(code)", "percent_off": 15}"#)
        let product = try await insertProduct(services, price: "19.99", stock: 10)
        let shopper = Browser(client)
        try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 3}"#)
        try await shopper.send(.post, "/cart/promo", json: #"{"code": "\#(code)"}"#)
        return (admin, shopper, product, code)
    }

    @Test func superusersSetRatesAndEveryoneListsThem() async throws {
        try await withTestApp(settings: Self.offered) { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let set = try await admin.send(.put, "/currencies/eur", json: #"{"rate": 0.92}"#)
            #expect(set.status == .ok)
            #expect(set.json["code"] as? String == "EUR")
            #expect(self.money(set.json, "rate") == Decimal(string: "0.92"))
            #expect(set.json["minor_units"] as? Int == 2)
            // A rate with more digits than a Double holds is stored exactly or refused, never a crash.
            let long = try await admin.send(.put, "/currencies/GBP", json: #"{"rate": 999999.9999999999}"#)
            #expect(long.status == .ok || long.status == .badRequest)
            let gbp = try await admin.send(.put, "/currencies/GBP", json: #"{"rate": 0.79}"#)
            #expect(self.money(gbp.json, "rate") == Decimal(string: "0.79"))
            for (body, field) in [
                (#"{"rate": 0}"#, "rate"), (#"{"rate": -1}"#, "rate"), (#"{"rate": 0.00000000001}"#, "rate"),
                (#"{"rate": 1000000.5}"#, "rate"),
            ] {
                let refused = try await admin.send(.put, "/currencies/EUR", json: body)
                #expect(refused.status == .badRequest && refused.json["field"] as? String == field)
            }
            #expect(try await admin.send(.put, "/currencies/USD", json: #"{"rate": 2}"#).status == .conflict)
            #expect(try await admin.send(.put, "/currencies/EURO", json: #"{"rate": 2}"#).status == .badRequest)
            let shopper = Browser(client)
            try await shopper.signUp()
            #expect(try await shopper.send(.put, "/currencies/EUR", json: #"{"rate": 1}"#).code == "CART_011")

            let listed = try await Browser(client).send(.get, "/currencies/")
            let rates = Dictionary(
                uniqueKeysWithValues: listed.jsonArray.compactMap { entry -> (String, [String: Any])? in
                    (entry["code"] as? String).map { ($0, entry) }
                }
            )
            // The offered ones first, in their order; any other with a rate after them, not offered.
            #expect(Array(listed.jsonArray.prefix(6)).compactMap { $0["code"] as? String } == Self.offeredInOrder)
            #expect(rates.allSatisfy { ($0.value["offered"] as? Bool) == Self.offeredInOrder.contains($0.key) })
            #expect(rates["SEK"]?["rate"] is NSNull)
            #expect(self.money(rates["USD"] ?? [:], "rate") == 1)
            #expect(self.money(rates["EUR"] ?? [:], "rate") == Decimal(string: "0.92"))
            #expect(rates["JPY"]?["minor_units"] as? Int == 0)
            #expect(rates["KWD"]?["minor_units"] as? Int == 3)
            // The served OpenAPI document offers exactly these for `?currency=`.
            let document = try await client.execute(uri: "/openapi.json", method: .get).json
            let components = document["components"] as? [String: Any]
            let currency = (components?["parameters"] as? [String: Any])?["Currency"] as? [String: Any]
            #expect(
                (currency?["schema"] as? [String: Any])?["enum"] as? [String] == [
                    "USD", "EUR", "JPY", "KWD", "GBP", "SEK",
                ]
            )
        }
    }

    @Test func yenAndDinarsAreRoundedToTheirMinorUnitsAndAddUp() async throws {
        try await withTestApp(settings: Self.offered) { client, services async throws in
            let (admin, shopper, _, code) = try await self.threeAtNineteenNinetyNineWithACode(client, services)

            // 19.99 USD × 151.5 = 3028.485 → 3028 yen a unit, 9084 for three; 9.00 off → 1363.5 → 1364.
            let yen = try await shopper.send(.get, "/cart?currency=JPY")
            #expect(yen.status == .ok)
            #expect(yen.json["currency"] as? String == "JPY")
            let yenLine = try #require(yen.items.first)
            #expect(self.money(yenLine, "unit_price") == 3028)
            #expect(self.money(yenLine, "total_price") == 9084)
            #expect(self.money(yen.json, "subtotal") == 9084)
            #expect(self.money(yen.json, "discount") == 1364)
            #expect(self.money(yen.json, "total") == 7720)
            #expect(self.money(yen.json["summary"] as? [String: Any] ?? [:], "subtotal") == 9084)

            // 19.99 × 0.30715 = 6.1399285 → 6.140 dinars a unit; 9.00 × 0.30715 = 2.76435 → 2.764.
            let dinars = try await shopper.send(.get, "/cart?currency=kwd")
            let dinarLine = try #require(dinars.items.first)
            #expect(self.money(dinarLine, "unit_price") == Decimal(string: "6.14"))
            #expect(self.money(dinarLine, "total_price") == Decimal(string: "18.42"))
            #expect(self.money(dinars.json, "subtotal") == Decimal(string: "18.42"))
            #expect(self.money(dinars.json, "discount") == Decimal(string: "2.764"))
            #expect(self.money(dinars.json, "total") == Decimal(string: "15.656"))
            let summary = try await shopper.send(.get, "/cart/summary?currency=KWD")
            #expect(summary.json["currency"] as? String == "KWD")
            #expect(self.money(summary.json, "subtotal") == Decimal(string: "18.42"))

            // The base currency, asked for or not, is the cart as stored.
            let dollars = try await shopper.send(.get, "/cart?currency=USD")
            #expect(self.money(dollars.json, "total") == Decimal(string: "50.97"))

            // A new rate or new terms change the answer but not the cart's version: its ETag
            // gets the answer again, not a 304 that would keep the old amounts.
            let etag = try #require(yen.headers[.eTag])
            _ = try await admin.send(.put, "/currencies/JPY", json: #"{"rate": 150}"#)
            let newRate = try await shopper.send(.get, "/cart?currency=JPY", headers: [.ifNoneMatch: etag])
            #expect(newRate.status == .ok)
            #expect(self.money(newRate.json, "subtotal") == 8997)
            _ = try await admin.send(.patch, "/promo-codes/\(code)", json: #"{"percent_off": 20}"#)
            let newTerms = try await shopper.send(.get, "/cart", headers: [.ifNoneMatch: etag])
            #expect(newTerms.status == .ok)
            #expect(newTerms.headers[.eTag] == etag)
            #expect(self.money(newTerms.json, "discount") == Decimal(string: "11.99"))
        }
    }

    /// A checkout is kept in the base currency and shown in the one asked for, adding up as a
    /// cart does; so is a validation's repriced line.
    @Test func checkoutsAndValidationsAreShownInTheCurrencyAskedFor() async throws {
        try await withTestApp(settings: Self.offered) { client, services async throws in
            let (_, shopper, product, _) = try await self.threeAtNineteenNinetyNineWithACode(client, services)

            // The price moves to 20.99: 3179.985 → 3180 yen, "changed from 3028 to 3180".
            for try await _ in try await services.postgres.query(
                "UPDATE product SET price = 20.99 WHERE id = \(product)"
            ) {}
            try await services.products.refresh()
            let checked = try await shopper.send(.post, "/cart/validate?currency=JPY")
            let repriced = (checked.json["updated_items"] as? [[String: Any]] ?? []).first ?? [:]
            #expect(self.money(repriced, "unit_price") == 3180 && self.money(repriced, "total_price") == 9540)
            let warning = (checked.json["warnings"] as? [[String: Any]] ?? []).first?["message"] as? String ?? ""
            #expect(warning.hasSuffix("changed from 3028 to 3180"), "\(warning)")
            for try await _ in try await services.postgres.query(
                "UPDATE product SET price = 19.99 WHERE id = \(product)"
            ) {}
            try await services.products.refresh()

            #expect(try await shopper.send(.post, "/cart/checkout?currency=XYZ").code == "CART_005")
            #expect(try await productStock(services, product) == 10, "a refused currency reserves nothing")
            let yen = try await shopper.send(.post, "/cart/checkout?currency=jpy")
            #expect(yen.status == .created)
            #expect(yen.json["currency"] as? String == "JPY")
            #expect(self.money(yen.items.first ?? [:], "unit_price") == 3028)
            #expect(self.money(yen.json, "subtotal") == 9084)
            #expect(self.money(yen.json, "discount") == 1364)
            #expect(self.money(yen.json, "total") == 7720)
            let id = try #require(yen.json["checkout_id"] as? String)
            let dollars = try await shopper.send(.get, "/checkouts/\(id)")
            #expect(dollars.json["currency"] as? String == "USD")
            #expect(self.money(dollars.json, "total") == Decimal(string: "50.97"))
            let dinars = try await shopper.send(.post, "/checkouts/\(id)/cancel?currency=KWD")
            #expect(dinars.json["status"] as? String == "cancelled" && dinars.json["currency"] as? String == "KWD")
            #expect(self.money(dinars.json, "subtotal") == Decimal(string: "18.42"))
            #expect(self.money(dinars.json, "total") == Decimal(string: "15.656"))
        }
    }

    /// A product and a shared cart are shown in the currency asked for, as a cart's lines are:
    /// the same unit prices, and a shared cart's subtotal the sum of its lines shown; without the
    /// parameter they are in the base currency, and a currency not offered is refused.
    @Test func theCatalogAndSharedCartsAreShownInTheCurrencyAskedFor() async throws {
        try await withTestApp(settings: Self.offered) { client, services async throws in
            let (_, shopper, product, _) = try await self.threeAtNineteenNinetyNineWithACode(client, services)
            let other = try await insertProduct(services, price: "0.05")
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(other), "quantity": 3}"#)

            // 19.99 × 151.5 = 3028.485 → 3028 yen; 0.05 × 151.5 = 7.575 → 8 yen.
            let yen = try await shopper.send(.get, "/products/\(product)?currency=JPY")
            #expect(yen.status == .ok)
            #expect(self.money(yen.json, "price") == 3028)
            let page = try await shopper.send(.get, "/products/?limit=2&currency=jpy").jsonArray
            #expect(page.count == 2)
            for listed in page {
                let id = try #require(listed["id"] as? Int)
                let alone = try await shopper.send(.get, "/products/\(id)?currency=JPY")
                let base = try await shopper.send(.get, "/products/\(id)")
                #expect(self.money(listed, "price") == self.money(alone.json, "price"))
                #expect(self.money(listed, "price") != self.money(base.json, "price"))
            }
            #expect(self.money(try await shopper.send(.get, "/products/\(other)?currency=JPY").json, "price") == 8)
            // 0.05 × 0.30715 = 0.0153575 → 0.015 dinars.
            let dinars = try await shopper.send(.get, "/products/\(other)?currency=KWD")
            #expect(self.money(dinars.json, "price") == Decimal(string: "0.015"))
            let dollars = try await shopper.send(.get, "/products/\(product)")
            #expect(self.money(dollars.json, "price") == Decimal(string: "19.99"))

            let share = try await shopper.shareCart()
            let sharedInYen = try await Browser(client).send(.get, "/shared-carts/\(share)?currency=JPY")
            #expect(sharedInYen.status == .ok)
            let units = (sharedInYen.json["items"] as? [[String: Any]] ?? []).map { self.money($0, "unit_price") }
            #expect(units.sorted { ($0 ?? 0) < ($1 ?? 0) } == [8, 3028])
            #expect(self.money(sharedInYen.json, "subtotal") == 9108)  // 3 × 3028 + 3 × 8
            let sharedInDinars = try await Browser(client).send(.get, "/shared-carts/\(share)?currency=KWD")
            // 3 × 6.140 + 3 × 0.015.
            #expect(self.money(sharedInDinars.json, "subtotal") == Decimal(string: "18.465"))
            let shared = try await Browser(client).send(.get, "/shared-carts/\(share)")
            #expect(self.money(shared.json, "subtotal") == Decimal(string: "60.12"))

            for path in ["/products/\(product)?currency=XYZ", "/shared-carts/\(share)?currency=SEK"] {
                let refused = try await Browser(client).send(.get, path)
                #expect(refused.status == .badRequest && refused.code == "CART_005", "\(path)")
                #expect(refused.json["field"] as? String == "currency", "\(path)")
            }
        }
    }

    @Test func aCurrencyNotOfferedOrWithoutARateIsRefusedAndChangesNothing() async throws {
        try await withTestApp(settings: Self.offered) { client, services async throws in
            let product = try await insertProduct(services, price: "1.00")
            let shopper = Browser(client)
            let first = try await shopper.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 1}"#
            )
            // A rate set for a currency CART_CURRENCIES does not name is listed, not offered.
            let admin = try await signedInSuperuser(client, services)
            #expect(try await admin.send(.put, "/currencies/CHF", json: #"{"rate": 0.88}"#).status == .ok)
            let chf = try await Browser(client).send(.get, "/currencies/").jsonArray.first {
                $0["code"] as? String == "CHF"
            }
            #expect(chf?["offered"] as? Bool == false)
            #expect(self.money(chf ?? [:], "rate") == Decimal(string: "0.88"))
            for query in ["currency=XYZ", "currency=CHF", "currency=", "currency=SEK"] {
                let refused = try await shopper.send(
                    .post,
                    "/cart/items?\(query)",
                    json: #"{"product_id": \#(product), "quantity": 1}"#
                )
                #expect(refused.status == .badRequest && refused.code == "CART_005")
                #expect(refused.json["field"] as? String == "currency")
            }
            let cart = try await shopper.send(.get, "/cart")
            #expect(cart.json["version"] as? Int == first.json["version"] as? Int)
            #expect(cart.items.first?["quantity"] as? Int == 1)
        }
    }
}
