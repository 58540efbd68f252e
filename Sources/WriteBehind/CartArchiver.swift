import Database
import Deadline
import Logging
import Metrics
import PostgresNIO

/// Moves carts that ended long ago (abandoned or expired, untouched for `CART_ARCHIVE_AFTER_DAYS`) and
/// their lines from the working tables to `cart_archive` and `cart_item_archive`.
///
/// Each batch is one transaction (a cart and its lines move together or not at all) that takes
/// its carts with `FOR UPDATE SKIP LOCKED`: several flushers archiving at once take disjoint
/// batches, so every cart is archived exactly once.
struct CartArchiver: Sendable {
    let postgres: DatabasePool
    /// An abandoned or expired cart untouched this long is archived.
    let archiveAfterMilliseconds: Int64
    let logger: Logger
    private let archivedCount = Counter(label: "hotcart_carts_archived_total")

    init(postgres: DatabasePool, archiveAfterMilliseconds: Int64, logger: Logger) {
        self.postgres = postgres
        self.archiveAfterMilliseconds = archiveAfterMilliseconds
        self.logger = logger
    }

    /// Archives as of `now` (milliseconds since 1970), `batchSize` carts per transaction and
    /// at most `maximumBatches` of them; returns how many carts moved.
    func archive(now: Int64, batchSize: Int = 500, maximumBatches: Int = 100) async throws -> Int {
        let before = now - self.archiveAfterMilliseconds
        var archived = 0
        for _ in 0..<maximumBatches {
            let moved = try await withDeadline(CartFlusher.writeTimeout, orThrow: CartFlusher.WriteTimedOut()) {
                try await self.archiveBatch(before: before, size: batchSize)
            }
            archived += moved
            if moved < batchSize { break }
        }
        if archived > 0 {
            self.archivedCount.increment(by: archived)
            self.logger.info("archived carts", metadata: ["archived": "\(archived)"])
        }
        return archived
    }

    /// One batch: the lines go first (into their archive), then the carts, in one statement.
    private func archiveBatch(before: Int64, size: Int) async throws -> Int {
        let rows = try await self.postgres.rows(
            """
            WITH batch AS (
                SELECT id FROM cart
                WHERE status IN ('abandoned', 'expired') AND updated_at < to_timestamp(\(before)::bigint / 1000.0)
                ORDER BY updated_at LIMIT \(size) FOR UPDATE SKIP LOCKED
            ), lines AS (
                DELETE FROM cart_item WHERE cart_id IN (SELECT id FROM batch) RETURNING cart_item.*
            ), archived_lines AS (
                INSERT INTO cart_item_archive SELECT lines.*, now() FROM lines
            ), carts AS (
                DELETE FROM cart WHERE id IN (SELECT id FROM batch) RETURNING cart.*
            )
            INSERT INTO cart_archive SELECT carts.*, now() FROM carts RETURNING id
            """,
            logger: self.logger
        )
        return rows.count
    }
}
