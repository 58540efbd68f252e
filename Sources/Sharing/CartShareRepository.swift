import CartDomain
import Database
import Logging
import PostgresNIO

/// Shared carts in PostgreSQL (a share is written once and read by anyone with its id, off
/// the cart's hot path).
public struct CartShareRepository: Sendable {
    private let postgres: DatabasePool
    private let logger: Logger

    public init(postgres: DatabasePool, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// Stores a new share and its lines in one transaction, committed only if the calling task
    /// has not been cancelled meanwhile (a request answered 503 at its deadline leaves no share;
    /// see `withTransactionCommittedUnlessCancelled`).
    public func save(_ share: CartShare) async throws {
        let lines = share.lines
        try await self.postgres.withTransactionCommittedUnlessCancelled(logger: self.logger) { connection in
            try await connection.execute(
                """
                INSERT INTO cart_share (id, subtotal, created_at, expires_at)
                VALUES (\(share.id), \(share.subtotal.description)::numeric,
                        to_timestamp(\(share.createdAt)::bigint / 1000.0), to_timestamp(\(share.expiresAt)::bigint / 1000.0))
                """,
                logger: self.logger
            )
            if !lines.isEmpty {
                try await connection.execute(
                    """
                    INSERT INTO cart_share_line (share_id, position, product_id, product_name, quantity, unit_price)
                    SELECT \(share.id), line.position, line.product_id, line.name, line.quantity, line.cents::numeric / 100
                    FROM unnest(\(Array(lines.indices))::int[], \(lines.map(\.productID))::int[],
                                \(lines.map(\.productName))::text[], \(lines.map(\.quantity))::int[],
                                \(lines.map(\.unitPrice.value))::bigint[])
                         AS line (position, product_id, name, quantity, cents)
                    """,
                    logger: self.logger
                )
            }
        }
    }

    /// Deletes up to `batch` shares expired at `now` (milliseconds since 1970), their lines with
    /// them, and returns how many went. Sweepers may run it side by side: a share another one
    /// holds is skipped.
    public func deleteExpired(now: Int64, batch: Int = 1000) async throws -> Int {
        let rows = try await self.postgres.rows(
            """
            DELETE FROM cart_share WHERE id IN (
                SELECT id FROM cart_share WHERE expires_at <= to_timestamp(\(now)::bigint / 1000.0)
                ORDER BY expires_at LIMIT \(batch) FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,
            logger: self.logger
        )
        return rows.count
    }

    /// The share `id` unless it is unknown or expired at `now` (milliseconds since 1970).
    public func share(_ id: String, now: Int64) async throws -> CartShare? {
        let rows = try await self.postgres.rows(
            """
            SELECT (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM expires_at) * 1000)::bigint
            FROM cart_share WHERE id = \(id) AND expires_at > to_timestamp(\(now)::bigint / 1000.0)
            """,
            logger: self.logger
        )
        var found: CartShare?
        for (created, expires) in try rows.decode((Int64, Int64).self) {
            found = CartShare(id: id, lines: [], createdAt: created, expiresAt: expires)
        }
        guard var share = found else { return nil }
        let lines = try await self.postgres.rows(
            """
            SELECT product_id, product_name, quantity, (unit_price * 100)::bigint
            FROM cart_share_line WHERE share_id = \(id) ORDER BY position
            """,
            logger: self.logger
        )
        for (productID, name, quantity, cents) in try lines.decode((Int, String, Int, Int64).self) {
            share.lines.append(
                CartShare.Line(productID: productID, productName: name, quantity: quantity, unitPrice: Cents(cents))
            )
        }
        return share
    }
}
