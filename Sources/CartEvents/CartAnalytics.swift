import Database
import Logging
import PostgresNIO

/// The cart figures of a time window, from PostgreSQL: carts created, how carts ended (the
/// outbox events: converted, abandoned, expired), what they were worth, what orders paid, and
/// the products most added and sold.
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

    private let postgres: PostgresClient
    private let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The figures of `[from, to)`, milliseconds since 1970; at most `limit` top products.
    public func report(from: Int64, to: Int64, limit: Int = 10) async throws -> Report {
        let rows = try await self.postgres.rows(
            """
            WITH bounds AS (
                SELECT to_timestamp(\(from)::bigint / 1000.0) AS start, to_timestamp(\(to)::bigint / 1000.0) AS stop
            ), ended AS (
                SELECT event.type, event.subtotal FROM cart_event AS event, bounds
                WHERE event.occurred_at >= bounds.start AND event.occurred_at < bounds.stop
            )
            SELECT
              (SELECT count(*)::int FROM cart, bounds WHERE created_at >= bounds.start AND created_at < bounds.stop)
                + (SELECT count(*)::int FROM cart_archive, bounds
                   WHERE created_at >= bounds.start AND created_at < bounds.stop),
              (SELECT count(*)::int FROM ended WHERE type = 'cart.converted'),
              (SELECT count(*)::int FROM ended WHERE type = 'cart.abandoned'),
              (SELECT count(*)::int FROM ended WHERE type = 'cart.expired'),
              (SELECT COALESCE(round(avg(subtotal) * 100), 0)::bigint FROM ended),
              (SELECT COALESCE(round(avg(total) * 100), 0)::bigint FROM checkout, bounds
               WHERE status = 'completed' AND updated_at >= bounds.start AND updated_at < bounds.stop)
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
        for (created, converted, abandoned, expired, cartValue, orderValue) in try rows.decode(
            (Int, Int, Int, Int, Int64, Int64).self
        ) {
            report.cartsCreated = created
            report.cartsConverted = converted
            report.cartsAbandoned = abandoned
            report.cartsExpired = expired
            report.averageCartValueCents = cartValue
            report.averageOrderValueCents = orderValue
        }
        report.topProducts = try await self.topProducts(from: from, to: to, limit: limit)
        return report
    }

    private func topProducts(from: Int64, to: Int64, limit: Int) async throws -> [ProductFigures] {
        let rows = try await self.postgres.rows(
            """
            WITH bounds AS (
                SELECT to_timestamp(\(from)::bigint / 1000.0) AS start, to_timestamp(\(to)::bigint / 1000.0) AS stop
            ), lines AS (
                SELECT product_id, quantity FROM cart_item, bounds
                WHERE NOT saved AND created_at >= bounds.start AND created_at < bounds.stop
                UNION ALL
                SELECT product_id, quantity FROM cart_item_archive, bounds
                WHERE NOT saved AND created_at >= bounds.start AND created_at < bounds.stop
            ), added AS (
                SELECT product_id, sum(quantity)::int AS units FROM lines GROUP BY product_id
            ), sold AS (
                SELECT line.product_id, sum(line.quantity)::int AS units
                FROM checkout_line AS line JOIN checkout ON checkout.id = line.checkout_id, bounds
                WHERE checkout.status = 'completed' AND checkout.updated_at >= bounds.start
                  AND checkout.updated_at < bounds.stop
                GROUP BY line.product_id
            )
            SELECT product.id, product.name, COALESCE(added.units, 0), COALESCE(sold.units, 0)
            FROM product
            LEFT JOIN added ON added.product_id = product.id
            LEFT JOIN sold ON sold.product_id = product.id
            WHERE added.units IS NOT NULL OR sold.units IS NOT NULL
            ORDER BY COALESCE(sold.units, 0) DESC, COALESCE(added.units, 0) DESC, product.id
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
}
