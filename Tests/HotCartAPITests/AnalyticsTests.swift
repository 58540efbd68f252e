import Database
import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import CartEvents
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
            let ancient = try await admin.send(.get, "/admin/analytics?from=0051-07-17T06:24:38.7Z")
            #expect(ancient.status == .ok)
            #expect(ancient.json["from"] as? String == "0051-07-17T06:24:38.700Z")
            #expect(try await admin.send(.get, "/admin/analytics?from=\(to)&to=\(from)").code == "CART_005")
            #expect(try await buyer.send(.get, "/admin/analytics").status == .unauthorized)
        }
    }

    @Test func aWindowSplitsIntoItsSettledWholeDaysAndTheRest() {
        let day = WindowParts.day
        let d = 20_000 * day  // 2024-10-04, 00:00 UTC
        // Whole days that ended before yesterday began are settled; the part days around them,
        // yesterday and today are not.
        let long = WindowParts(from: d - day / 2, to: d + 5 * day, now: d + 4 * day + 1)
        #expect((long.settledFrom, long.settledTo) == (d, d + 3 * day))
        #expect(long.settledDays == [20_000, 20_001, 20_002])
        let atMidnight = WindowParts(from: d, to: d + 2 * day, now: d + 30 * day)
        #expect(atMidnight.settledDays == [20_000, 20_001])
        // Days more than a year back are read from the rows, however far back the window goes.
        let centuries = WindowParts(from: -60_000_000_000_000, to: d + day / 2, now: d + day / 2)
        #expect((centuries.settledFrom, centuries.settledTo) == (d - 367 * day, d - day))
        #expect(centuries.settledDays.count == 366)
        // No settled whole day: the whole window is read from the rows.
        for (from, to, now) in [(d, d + 2 * day, d + 2 * day - 1), (d + 1, d + 2 * day - 1, d + 9 * day)] {
            let parts = WindowParts(from: from, to: to, now: now)
            #expect((parts.settledFrom, parts.settledTo) == (to, to))
            #expect(parts.settledDays.isEmpty)
        }
        #expect(WindowParts.startOfDay(-1) == -day)
        #expect(WindowParts.startOfDay(d + day - 1) == d)
    }

    @Test func aSettledDayIsWorkedOutOnceAndReadBackWithTheRowsAroundIt() async throws {
        try await withTestApp { client, services async throws in
            let admin = try await signedInSuperuser(client, services)
            let a = try await insertProduct(services, price: "5.00")
            let b = try await insertProduct(services, price: "1.00")
            // Four days of the last year (`at(hours)`: hours after the second began), cleared of
            // what an earlier run left on them.
            let today = Int64(Date().timeIntervalSince1970) / 86_400
            let first = Date(timeIntervalSince1970: Double((today - Int64.random(in: 100...360)) * 86_400))
            func at(_ hours: Double) -> String {
                ISO8601DateFormatter().string(from: first.addingTimeInterval(hours * 3600))
            }
            let logger = Logger(label: "hotcart.test")
            func run(_ statement: String) async throws {
                try await services.postgres.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            let (start, stop) = ("'\(at(-24))'", "'\(at(72))'")
            try await run("DELETE FROM analytics_day WHERE day >= \(start)::date AND day < \(stop)::date")
            for (table, column) in [
                ("cart", "created_at"), ("cart_archive", "created_at"), ("cart_item_archive", "created_at"),
                ("cart_event", "occurred_at"), ("checkout", "updated_at"),
            ] {
                try await run("DELETE FROM \(table) WHERE \(column) >= \(start) AND \(column) < \(stop)")
            }
            func cart(at hours: Double, holding product: Int? = nil, units: Int = 1) async throws -> UUID {
                let id = UUID()
                try await run(
                    "INSERT INTO cart (id, session_id, status, version, created_at) VALUES ('\(id)', 'ref', 'active', 1, '\(at(hours))')"
                )
                if let product {
                    try await run(
                        """
                        INSERT INTO cart_item (id, cart_id, product_id, quantity, unit_price, created_at)
                        VALUES ('\(UUID())', '\(id)', \(product), \(units), 1.00, '\(at(hours))')
                        """
                    )
                }
                return id
            }
            // The first day: a cart with 2 of a, bought (an order of 10.00), and a cart archived
            // with 4 of b; the second: a cart with 1 of b and an abandoned cart of 3.00. The day
            // before: a cart at 18:00 and one at 06:00.
            let bought = try await cart(at: 10, holding: a, units: 2)
            let checkout = UUID()
            try await run(
                """
                INSERT INTO cart_archive (id, session_id, status, version, created_at, updated_at)
                VALUES ('\(UUID())', 'ref', 'expired', 1, '\(at(23))', '\(at(23))')
                """
            )
            try await run(
                """
                INSERT INTO cart_item_archive (id, cart_id, product_id, quantity, unit_price, created_at)
                VALUES ('\(UUID())', '\(UUID())', \(b), 4, 1.00, '\(at(23))')
                """
            )
            try await run(
                """
                INSERT INTO checkout (id, cart_id, owner_key, status, subtotal, discount, total, currency,
                                      reserved_until, created_at, updated_at)
                VALUES ('\(checkout)', '\(bought)', 'g:test', 'completed', 10.00, 0, 10.00, 'USD',
                        '\(at(12))', '\(at(11))', '\(at(12))')
                """
            )
            try await run(
                """
                INSERT INTO checkout_line (checkout_id, item_id, product_id, product_name, quantity, unit_price,
                                           created_at, updated_at)
                VALUES ('\(checkout)', '\(UUID())', \(a), 'a', 2, 5.00, '\(at(10))', '\(at(10))')
                """
            )
            try await run(
                """
                INSERT INTO cart_event (id, type, cart_id, items, subtotal, occurred_at) VALUES
                ('\(UUID())', 'cart.converted', '\(bought)', '[]', 10.00, '\(at(12))'),
                ('\(UUID())', 'cart.abandoned', '\(UUID())', '[]', 3.00, '\(at(25))')
                """
            )
            _ = try await cart(at: 29, holding: b)
            _ = try await cart(at: -6)
            _ = try await cart(at: -18)
            func figures(from: Double, to: Double) async throws -> [String: Any] {
                let window = "from=\(at(from))&to=\(at(to))"
                let report = try await admin.send(.get, "/admin/analytics?\(window)")
                #expect(report.status == .ok, "\(window)")
                return report.json
            }

            // The second day first, then four days around it (three of them not kept yet, on
            // either side of it), then the first two days, all from their kept figures.
            let second = try await figures(from: 24, to: 48)
            #expect(second["carts_created"] as? Int == 1)
            #expect((second["top_products"] as? [[String: Any]])?.map { $0["units_added"] as? Int } == [1])
            #expect(try await figures(from: -24, to: 72)["carts_created"] as? Int == 5)
            let keptDays = "SELECT count(*)::int FROM analytics_day WHERE day >= \(start)::date AND day < \(stop)::date"
            let kept = try await services.postgres.rows(PostgresQuery(unsafeSQL: keptDays), logger: logger)
            #expect(try kept.decode(Int.self) == [4])
            let days = try await figures(from: 0, to: 48)
            #expect(days["carts_created"] as? Int == 3)
            #expect(days["carts_converted"] as? Int == 1)
            #expect(days["carts_abandoned"] as? Int == 1)
            #expect(self.number(days, "average_cart_value") == 6.50)
            #expect(self.number(days, "average_order_value") == 10.00)
            let top = days["top_products"] as? [[String: Any]] ?? []
            #expect(top.map { $0["product_id"] as? Int } == [a, b])
            #expect(top.map { $0["units_added"] as? Int } == [2, 5])
            #expect(top.map { $0["units_sold"] as? Int } == [2, 0])

            // From noon the day before: its last 12 hours come from the rows, the two days from
            // their kept figures.
            #expect(try await figures(from: -12, to: 48)["carts_created"] as? Int == 4)
            // A row that reaches a settled day later changes its kept figures no more; a part of a
            // day is read from the rows and sees it.
            _ = try await cart(at: 15)
            #expect(try await figures(from: 0, to: 48)["carts_created"] as? Int == 3)
            #expect(try await figures(from: 12, to: 18)["carts_created"] as? Int == 1)
        }
    }

    @Test func theKeeperKeepsEverySettledDayOfItsHorizonOnce() async throws {
        try await withTestApp { _, services async throws in
            let logger = Logger(label: "hotcart.test")
            let day = Int64.random(in: 11_000...18_000) * WindowParts.day
            func date(_ instant: Int64) -> String {
                ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(instant) / 1000))
            }
            func run(_ statement: String) async throws -> [Int] {
                try await services.postgres.rows(PostgresQuery(unsafeSQL: statement), logger: logger).decode(Int.self)
            }
            let (start, stop) = ("'\(date(day - 2 * WindowParts.day))'", "'\(date(day + 3 * WindowParts.day))'")
            _ = try await run("DELETE FROM analytics_day WHERE day >= \(start)::date AND day < \(stop)::date")
            _ = try await run("DELETE FROM cart WHERE created_at >= \(start) AND created_at < \(stop)")
            _ = try await run(
                """
                INSERT INTO cart (id, session_id, status, version, created_at)
                VALUES ('\(UUID())', 'ref', 'active', 1, '\(date(day + 3_600_000))')
                """
            )
            let analytics = CartAnalytics(postgres: services.postgres, logger: logger)
            // An hour into the day after next, the day after is yesterday: the three days before
            // it are kept (the day's one cart and two days without), each once.
            let now = day + 2 * WindowParts.day + 3_600_000
            try await analytics.keepSettledDays(back: 3, now: now)
            try await analytics.keepSettledDays(back: 3, now: now)
            let kept = try await run(
                "SELECT carts_created FROM analytics_day WHERE day >= \(start)::date AND day < \(stop)::date ORDER BY day"
            )
            #expect(kept == [0, 0, 1])
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
