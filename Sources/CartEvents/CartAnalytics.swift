import Database
import Foundation
import Logging
import PostgresNIO

/// The cart figures of a time window, from PostgreSQL: carts created, how carts ended (the
/// outbox events: converted, abandoned, expired), what they were worth, what orders paid, and
/// the products most added and sold.
///
/// A window is read in two parts. The whole UTC days in it that ended before yesterday began
/// (settled: their rows have arrived) come from `analytics_day` and `analytics_day_product`, one
/// row per day and per product of a day, worked out from the rows once: by the flusher's
/// ``AnalyticsDayKeeper`` or by the first report that covers the day, whichever comes first. The
/// rest (the window's first and last part days, yesterday and today) is read from the rows
/// themselves. So a report reads at most about three days of rows whatever its length. A settled
/// day's figures are those of when they were worked out: a line removed from its cart afterwards
/// still counts as added that day.
public struct CartAnalytics: Sendable {
    /// The figures of one window. Money in cents.
    public struct Report: Sendable, Hashable {
        public var cartsCreated: Int
        public var cartsConverted: Int
        public var cartsAbandoned: Int
        public var cartsExpired: Int
        /// Mean subtotal of the carts that ended in the window (converted, abandoned, expired).
        public var averageCartValueCents: Int64
        /// Mean total of the checkouts completed in the window.
        public var averageOrderValueCents: Int64
        public var topProducts: [ProductFigures]

        /// Converted carts per created cart, 0 when none was created.
        public var conversionRate: Double {
            self.cartsCreated == 0 ? 0 : Double(self.cartsConverted) / Double(self.cartsCreated)
        }
    }

    /// One product's units on the lines put in carts in the window (a line's time is when its
    /// product first went into its cart; saved-for-later lines left out), and in the checkouts
    /// completed in it.
    public struct ProductFigures: Sendable, Hashable {
        public var productID: Int
        public var productName: String
        public var unitsAdded: Int
        public var unitsSold: Int
    }

    private let postgres: DatabasePool
    private let logger: Logger

    public init(postgres: DatabasePool, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The figures of `[from, to)`, milliseconds since 1970; at most `limit` top products.
    public func report(from: Int64, to: Int64, limit: Int = 10) async throws -> Report {
        let parts = WindowParts(from: from, to: to, now: Int64(Date().timeIntervalSince1970 * 1000))
        try await self.settle(parts.settledDays)
        let rows = try await self.postgres.rows(
            """
            WITH \(unescaped: Self.sourceRows(bounds: parts.bounds, within: WindowParts.unsettled)), days AS (
                SELECT * FROM analytics_day WHERE \(unescaped: parts.settled("day"))
            )
            SELECT
              ((SELECT count(*) FROM made) + (SELECT COALESCE(sum(carts_created), 0) FROM days))::bigint,
              ((SELECT count(*) FROM ended WHERE type = 'cart.converted')
                + (SELECT COALESCE(sum(carts_converted), 0) FROM days))::bigint,
              ((SELECT count(*) FROM ended WHERE type = 'cart.abandoned')
                + (SELECT COALESCE(sum(carts_abandoned), 0) FROM days))::bigint,
              ((SELECT count(*) FROM ended WHERE type = 'cart.expired')
                + (SELECT COALESCE(sum(carts_expired), 0) FROM days))::bigint,
              ((SELECT COALESCE(sum(subtotal) * 100, 0) FROM ended)
                + (SELECT COALESCE(sum(ended_subtotal_cents), 0) FROM days))::bigint,
              ((SELECT count(*) FROM orders) + (SELECT COALESCE(sum(orders_completed), 0) FROM days))::bigint,
              ((SELECT COALESCE(sum(total) * 100, 0) FROM orders)
                + (SELECT COALESCE(sum(order_total_cents), 0) FROM days))::bigint
            """,
            logger: self.logger
        )
        var report = Report(
            cartsCreated: 0,
            cartsConverted: 0,
            cartsAbandoned: 0,
            cartsExpired: 0,
            averageCartValueCents: 0,
            averageOrderValueCents: 0,
            topProducts: []
        )
        let columns = (Int64, Int64, Int64, Int64, Int64, Int64, Int64).self
        for (created, converted, abandoned, expired, endedCents, orders, orderCents) in try rows.decode(columns) {
            report.cartsCreated = Int(created)
            report.cartsConverted = Int(converted)
            report.cartsAbandoned = Int(abandoned)
            report.cartsExpired = Int(expired)
            report.averageCartValueCents = Self.mean(endedCents, over: converted + abandoned + expired)
            report.averageOrderValueCents = Self.mean(orderCents, over: orders)
        }
        report.topProducts = try await self.topProducts(parts, limit: limit)
        return report
    }

    /// `total / count` rounded half up (the totals are never negative), 0 for no count.
    private static func mean(_ total: Int64, over count: Int64) -> Int64 {
        count == 0 ? 0 : (2 * total + count) / (2 * count)
    }

    private func topProducts(_ parts: WindowParts, limit: Int) async throws -> [ProductFigures] {
        let rows = try await self.postgres.rows(
            """
            WITH \(unescaped: Self.sourceRows(bounds: parts.bounds, within: WindowParts.unsettled)), window_units AS (
                SELECT product_id, added, sold FROM units
                UNION ALL
                SELECT product_id, units_added, units_sold FROM analytics_day_product
                WHERE \(unescaped: parts.settled("day"))
            ), totals AS (
                SELECT product_id, sum(added) AS added, sum(sold) AS sold FROM window_units GROUP BY product_id
            )
            SELECT product.id, product.name, totals.added::int, totals.sold::int
            FROM totals JOIN product ON product.id = totals.product_id
            ORDER BY totals.sold DESC, totals.added DESC, product.id
            LIMIT \(limit)
            """,
            logger: self.logger
        )
        var products: [ProductFigures] = []
        for (id, name, added, sold) in try rows.decode((Int, String, Int, Int).self) {
            products.append(ProductFigures(productID: id, productName: name, unitsAdded: added, unitsSold: sold))
        }
        return products
    }

    /// How many settled days before yesterday may be kept; a report reads older days from the
    /// rows. The flusher keeps all of them (``AnalyticsDayKeeper``).
    public static let keptDays = Int(WindowParts.keptDaysBack) - 1

    /// Works out and keeps the figures of every settled day of the `days` days before yesterday
    /// not kept yet (the flusher does this every hour, so that reports find them kept).
    public func keepSettledDays(back days: Int, now: Int64) async throws {
        let yesterday = WindowParts.startOfDay(now) - WindowParts.day
        let parts = WindowParts(from: yesterday - Int64(days) * WindowParts.day, to: yesterday, now: now)
        try await self.settle(parts.settledDays)
    }

    /// Works out and keeps the figures of those of `days` (UTC days, numbered from 1970-01-01,
    /// in order) not kept yet, a week of them per statement over the rows from the first of them
    /// to the last: a day's row and its products' rows are kept together or not at all, reports
    /// running at the same time keep each day once, and a run cut short keeps the weeks it did.
    private func settle(_ days: [Int]) async throws {
        guard let first = days.first, let last = days.last else { return }
        let kept = try await self.postgres.rows(
            """
            SELECT day - DATE '1970-01-01' FROM analytics_day
            WHERE day BETWEEN DATE '1970-01-01' + \(first)::int AND DATE '1970-01-01' + \(last)::int
            """,
            logger: self.logger
        )
        let known = Set(try kept.decode(Int.self))
        let missing = days.filter { !known.contains($0) }
        for start in stride(from: 0, to: missing.count, by: 7) {
            try await self.keep(Array(missing[start..<min(start + 7, missing.count)]))
        }
    }

    /// Works out and keeps the figures of `days` (UTC day numbers, in order) in one statement.
    private func keep(_ days: [Int]) async throws {
        guard let first = days.first, let last = days.last else { return }
        // Day numbers are the caller's integers: written into the statement as they are.
        let span = """
            SELECT (DATE '1970-01-01' + \(first))::timestamp AT TIME ZONE 'UTC' AS start,
                   (DATE '1970-01-01' + \(last + 1))::timestamp AT TIME ZONE 'UTC' AS stop
            """
        try await self.postgres.execute(
            """
            WITH \(unescaped: Self.sourceRows(bounds: span, within: { "\($0) >= bounds.start AND \($0) < bounds.stop" })),
            made_by_day AS (
                SELECT (at AT TIME ZONE 'UTC')::date AS day, count(*) AS carts FROM made GROUP BY 1
            ), ended_by_day AS (
                SELECT (at AT TIME ZONE 'UTC')::date AS day,
                       count(*) FILTER (WHERE type = 'cart.converted') AS converted,
                       count(*) FILTER (WHERE type = 'cart.abandoned') AS abandoned,
                       count(*) FILTER (WHERE type = 'cart.expired') AS expired,
                       sum(subtotal) AS subtotal
                FROM ended GROUP BY 1
            ), orders_by_day AS (
                SELECT (at AT TIME ZONE 'UTC')::date AS day, count(*) AS orders, sum(total) AS total
                FROM orders GROUP BY 1
            ), kept AS (
                INSERT INTO analytics_day (
                    day, carts_created, carts_converted, carts_abandoned, carts_expired,
                    ended_subtotal_cents, orders_completed, order_total_cents
                )
                SELECT days.day, COALESCE(made_by_day.carts, 0), COALESCE(ended_by_day.converted, 0),
                       COALESCE(ended_by_day.abandoned, 0), COALESCE(ended_by_day.expired, 0),
                       COALESCE(ended_by_day.subtotal * 100, 0),
                       COALESCE(orders_by_day.orders, 0), COALESCE(orders_by_day.total * 100, 0)
                FROM (SELECT DATE '1970-01-01' + number AS day FROM unnest(\(days)::int[]) AS number) AS days
                LEFT JOIN made_by_day USING (day) LEFT JOIN ended_by_day USING (day)
                LEFT JOIN orders_by_day USING (day)
                ON CONFLICT (day) DO NOTHING
                RETURNING day
            )
            INSERT INTO analytics_day_product (day, product_id, units_added, units_sold)
            SELECT kept.day, units.product_id, sum(units.added), sum(units.sold)
            FROM units JOIN kept ON kept.day = (units.at AT TIME ZONE 'UTC')::date
            GROUP BY kept.day, units.product_id
            """,
            logger: self.logger
        )
    }

    /// The rows every figure is made of, as the `WITH` list's entries, each with its time `at`:
    /// `made` the carts created (archived ones too), `ended` (`type`, `subtotal`) the carts that
    /// ended, `orders` (`total`) the checkouts completed, and `units` (`product_id`, `added`,
    /// `sold`) the units on lines put in carts (not saved for later, archived ones too) and on
    /// completed checkouts. `bounds` is a one-row `SELECT` of the times that `within`, the
    /// condition a row's time column must meet, reads as `bounds.<name>`. (Read from a row, the
    /// times are unknown to PostgreSQL's planner, which then reads a week of 700,000 carts of
    /// 3.6 million through the block-range index in 0.13 to 0.18 s; given the times as constants,
    /// it scanned the whole table, 0.41 to 0.47 s.) Reports and the days they keep read these same
    /// rows, so a kept day counts what a report would.
    static func sourceRows(bounds: String, within: (String) -> String) -> String {
        """
        bounds AS (\(bounds)), made AS (
            SELECT created_at AS at FROM cart, bounds WHERE \(within("created_at"))
            UNION ALL
            SELECT created_at FROM cart_archive, bounds WHERE \(within("created_at"))
        ), ended AS (
            SELECT occurred_at AS at, type, subtotal FROM cart_event, bounds WHERE \(within("occurred_at"))
        ), orders AS (
            SELECT updated_at AS at, total FROM checkout, bounds
            WHERE status = 'completed' AND \(within("updated_at"))
        ), units AS (
            SELECT created_at AS at, product_id, quantity AS added, 0 AS sold FROM cart_item, bounds
            WHERE NOT saved AND \(within("created_at"))
            UNION ALL
            SELECT created_at, product_id, quantity, 0 FROM cart_item_archive, bounds
            WHERE NOT saved AND \(within("created_at"))
            UNION ALL
            SELECT checkout.updated_at, line.product_id, 0, line.quantity
            FROM checkout_line AS line JOIN checkout ON checkout.id = line.checkout_id, bounds
            WHERE checkout.status = 'completed' AND \(within("checkout.updated_at"))
        )
        """
    }
}

/// A report's window split into its settled whole days, read from `analytics_day`, and the rest,
/// read from the rows: `[from, settledFrom)` and `[settledTo, to)`. Days more than
/// ``keptDaysBack`` before today are read from the rows too: a report keeps the days of its
/// window it finds not kept, and a window reaching back centuries must not make it keep them.
struct WindowParts {
    static let day: Int64 = 86_400_000
    /// How many days back from today a settled day may be kept: the 366 days before yesterday.
    static let keptDaysBack: Int64 = 367

    let from: Int64
    let to: Int64
    /// The settled whole days, `[settledFrom, settledTo)`; both are `to` when there are none.
    let settledFrom: Int64
    let settledTo: Int64

    /// `now` decides which days have settled: those that ended before yesterday began.
    init(from: Int64, to: Int64, now: Int64) {
        self.from = from
        self.to = to
        let today = Self.startOfDay(now)
        let firstWhole = Self.startOfDay(from) == from ? from : Self.startOfDay(from) + Self.day
        let first = max(firstWhole, today - Self.keptDaysBack * Self.day)
        let lastEnd = min(Self.startOfDay(to), today - Self.day)
        if first < lastEnd {
            (self.settledFrom, self.settledTo) = (first, lastEnd)
        } else {
            (self.settledFrom, self.settledTo) = (to, to)
        }
    }

    /// The settled days, numbered from 1970-01-01 (day 0), in order.
    var settledDays: [Int] {
        Array(Int(self.settledFrom / Self.day)..<Int(self.settledTo / Self.day))
    }
    /// The one-row `SELECT` of the window's times that ``unsettled(_:)`` reads: `start`, `stop`,
    /// `settled_start`, `settled_stop` (integers, written into the statement as they are).
    var bounds: String {
        """
        SELECT to_timestamp(\(self.from) / 1000.0) AS start, to_timestamp(\(self.to) / 1000.0) AS stop,
               to_timestamp(\(self.settledFrom) / 1000.0) AS settled_start,
               to_timestamp(\(self.settledTo) / 1000.0) AS settled_stop
        """
    }

    /// The condition that `column` (a time) falls in the part of the window read from the rows.
    static func unsettled(_ column: String) -> String {
        """
        ((\(column) >= bounds.start AND \(column) < bounds.settled_start) \
        OR (\(column) >= bounds.settled_stop AND \(column) < bounds.stop))
        """
    }

    /// The condition that `column` (a UTC date) is one of the window's settled days.
    func settled(_ column: String) -> String {
        """
        (\(column) >= DATE '1970-01-01' + \(self.settledFrom / Self.day) \
        AND \(column) < DATE '1970-01-01' + \(self.settledTo / Self.day))
        """
    }

    /// The first instant of `instant`'s UTC day.
    static func startOfDay(_ instant: Int64) -> Int64 {
        let remainder = instant % Self.day
        return instant - (remainder < 0 ? remainder + Self.day : remainder)
    }
}
