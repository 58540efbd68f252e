import Foundation
import HotCartTestSupport
import Hummingbird
import Logging
import Prometheus
import Testing

@testable import HotCartAPI

/// `GET /openapi.json` stays true to the router: every route is documented, and every
/// documented operation is a route.
@Suite struct OpenAPIDocumentTests {
    /// `METHOD /path` with path parameters as `{name}` and no trailing slash.
    static func normalized(_ method: String, _ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return
            "\(method.uppercased()) \(path.replacingOccurrences(of: #":([A-Za-z_]+)"#, with: "{$1}", options: .regularExpression))"
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() async throws {
        let configuration = AppConfiguration(
            redis: TestEnvironment.redis,
            database: TestEnvironment.database,
            secretKey: "test-secret"
        )
        let logger = Logger(label: "hotcart.test")
        let services = await HotCartServices(
            configuration: configuration,
            metrics: PrometheusCollectorRegistry(),
            logger: logger
        )
        let router = buildRouter(configuration: configuration, services: services, logger: logger)
        let routes = Set(router.routes.map { Self.normalized($0.method.rawValue, $0.path.description) })

        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OperationsController.openAPIDocument)) as? [String: Any]
        )
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert(Self.normalized(method, path))
            }
        }
        #expect(
            routes.subtracting(documented).isEmpty,
            "undocumented routes: \(routes.subtracting(documented).sorted())"
        )
        #expect(
            documented.subtracting(routes).isEmpty,
            "documented but not routed: \(documented.subtracting(routes).sorted())"
        )
        #expect(routes.count >= 25)
        for (path, operations) in paths {
            for (method, operation) in operations {
                guard let operation = operation as? [String: Any], operation["requestBody"] != nil else { continue }
                let responses = operation["responses"] as? [String: Any]
                #expect(responses?["413"] != nil, "\(method.uppercased()) \(path) takes a body but lists no 413")
            }
        }
    }

    /// The document's schemas, by name.
    static func schemas() throws -> [String: [String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(OperationsController.openAPIDocument))
        let components = (document as? [String: Any])?["components"] as? [String: Any]
        return try #require(components?["schemas"] as? [String: [String: Any]])
    }

    /// Real answers hold exactly the fields their schemas list, the required ones among them: a
    /// document that drifted from the code (one schema's name given to another shape) fails here,
    /// whether or not a fuzzer happens to reach the answer with data in it.
    @Test func answersHoldTheFieldsTheirSchemasList() async throws {
        try await withTestApp { client, services async throws in
            let schemas = try Self.schemas()
            let admin = try await signedInSuperuser(client, services)
            let product = try await insertProduct(services, price: "4.50", stock: 5)
            let shopper = Browser(client)
            try await shopper.send(.post, "/cart/items", json: #"{"product_id": \#(product), "quantity": 2}"#)
            let share = try await shopper.shareCart()
            let code = "DOC-\(TestEnvironment.uniqueID().prefix(8))".uppercased()
            let promo = try await admin.send(.post, "/promo-codes/", json: #"{"code": "\#(code)", "percent_off": 5}"#)
            let cart = try await shopper.send(.get, "/cart")
            let checkout = try await shopper.send(.post, "/cart/checkout")
            let events = try await admin.send(.get, "/admin/events?status=pending&limit=1000").jsonArray
            let answers: [(schema: String, answer: [String: Any]?)] = [
                ("CartResponse", cart.json),
                ("CartItem", cart.items.first),
                ("CartSummary", try await shopper.send(.get, "/cart/summary").json),
                ("Product", try await shopper.send(.get, "/products/\(product)").json),
                ("SharedCart", try await shopper.send(.get, "/shared-carts/\(share)").json),
                ("Checkout", checkout.json),
                ("CartEvent", events.first { $0["cart_id"] as? String == cart.json["id"] as? String }),
                ("PromoCode", promo.json),
                ("CurrencyRate", try await shopper.send(.get, "/currencies/").jsonArray.first),
                ("Analytics", try await admin.send(.get, "/admin/analytics").json),
                ("User", try await admin.send(.get, "/users/me").json),
                ("Error", try await shopper.send(.get, "/products/0").json),
            ]
            for (name, answer) in answers {
                let answer = try #require(answer, "no answer for \(name)")
                let schema = try #require(schemas[name], "no schema \(name)")
                let listed = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
                let required = Set(schema["required"] as? [String] ?? [])
                #expect(
                    Set(answer.keys) == listed,
                    "\(name): answered \(answer.keys.sorted()), listed \(listed.sorted())"
                )
                #expect(required.isSubset(of: answer.keys), "\(name): required \(required.sorted())")
            }
        }
    }
}
