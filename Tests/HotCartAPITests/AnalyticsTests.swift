import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@testable import HotCartAPI

/// `GET /admin/analytics`: the figures of a window are what happened in it.
@Suite(.serialized) struct AnalyticsTests {
    func number(_ object: [String: Any], _ key: String) -> Double? {
        (object[key] as? NSNumber)?.doubleValue
    }

    @Test func theFiguresAreWhatHappenedInTheWindow() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let formatter = ISO8601DateFormatter.withFractions
            let from = formatter.string(from: Date().addingTimeInterval(-1))
            let a = try await insertProduct(services, price: "2.00")
            let b = try await insertProduct(services, price: "5.00")

            // A completed checkout (3 × a) and one still reserved (2 × b).
            let buyer = Browser(client)
            try await buyer.send(.post, "/cart/items", json: #"{"product_id": \#(a), "quantity": 3}"#)
            let bought = try #require(try await buyer.send(.post, "/cart/checkout").json["checkout_id"] as? String)
            #expect(try await buyer.send(.post, "/checkouts/\(bought)/complete").status == .ok)
            let holder = Browser(client)
            try await holder.send(.post, "/cart/items", json: #"{"product_id": \#(b), "quantity": 2}"#)
            #expect(try await holder.send(.post, "/cart/checkout").status == .created)
            // A cart in PostgreSQL with one of each, a line put in a cart two days ago, an
            // archived line of this window, and two carts that ended without buying.
            let open = UUID().uuidString.lowercased()
            let older = UUID().uuidString.lowercased()
            for statement in [
                "INSERT INTO cart (id, session_id, status, version) VALUES ('\(open)', 'ref', 'active', 1)",
                """
                INSERT INTO cart_item (id, cart_id, product_id, quantity, unit_price)
                VALUES ('\(UUID().uuidString)', '\(open)', \(a), 1, 2.00), ('\(UUID().uuidString)', '\(open)', \(b), 1, 5.00)
                """,
                "INSERT INTO cart (id, session_id, status, version) VALUES ('\(older)', 'ref', 'active', 1)",
                """
                INSERT INTO cart_item (id, cart_id, product_id, quantity, unit_price, created_at)
                VALUES ('\(UUID().uuidString)', '\(older)', \(a), 5, 2.00, now() - interval '2 days')
                """,
                """
                INSERT INTO cart_item_archive (id, cart_id, product_id, quantity, unit_price)
                VALUES ('\(UUID().uuidString)', '\(UUID().uuidString)', \(b), 2, 5.00)
                """,
                """
                INSERT INTO cart_event (id, type, cart_id, items, subtotal) VALUES
                ('\(UUID().uuidString)', 'cart.abandoned', '\(UUID().uuidString)', '[]', 4.00),
                ('\(UUID().uuidString)', 'cart.expired', '\(UUID().uuidString)', '[]', 0)
                """,
            ] {
                for try await _ in try await services.postgres.query(PostgresQuery(unsafeSQL: statement)) {}
            }
            let to = formatter.string(from: Date().addingTimeInterval(5))

            let report = try await admin.send(.get, "/admin/analytics?from=\(from)&to=\(to)")
            #expect(report.status == .ok)
            let figures = report.json
            #expect(figures["carts_created"] as? Int == 4)
            #expect(figures["carts_converted"] as? Int == 2)
            #expect(figures["carts_abandoned"] as? Int == 1)
            #expect(figures["carts_expired"] as? Int == 1)
            #expect(self.number(figures, "conversion_rate") == 0.5)
            // Carts that ended: 6.00 and 10.00 converted, 4.00 abandoned, 0 expired.
            #expect(self.number(figures, "average_cart_value") == 5.00)
            #expect(self.number(figures, "average_order_value") == 6.00)
            let top = figures["top_products"] as? [[String: Any]] ?? []
            #expect(top.map { $0["product_id"] as? Int } == [a, b])
            #expect(top.map { $0["units_sold"] as? Int } == [3, 0])
            // Units on the lines put in carts in the window, archived ones included.
            #expect(top.map { $0["units_added"] as? Int } == [1, 3])

            #expect(try await admin.send(.get, "/admin/analytics?from=yesterday").code == "CART_005")
            #expect(try await admin.send(.get, "/admin/analytics?from=\(to)&to=\(from)").code == "CART_005")
            #expect(try await buyer.send(.get, "/admin/analytics").status == .unauthorized)
        }
    }

    static func analyticsOff(_ configuration: inout AppConfiguration) {
        configuration.enableCartAnalytics = false
    }

    @Test func analyticsCanBeTurnedOff() async throws {
        try await withTestApp(settings: Self.analyticsOff) { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            #expect(try await admin.send(.get, "/admin/analytics").status == .notFound)
        }
    }
}
