import Database
import Logging
import PostgresNIO

/// Reads the outbox: what `GET /admin/events` lists.
public struct CartEventLog: Sendable {
    private let postgres: DatabasePool
    private let logger: Logger

    public init(postgres: DatabasePool, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The newest `limit` events, of one status or of any.
    public func events(status: String?, limit: Int) async throws -> [CartEvent] {
        let rows = try await self.postgres.rows(
            """
            SELECT \(unescaped: CartEvent.columns)
            FROM cart_event WHERE \(status)::text IS NULL OR status = \(status)
            ORDER BY sequence DESC LIMIT \(limit)
            """,
            logger: self.logger
        )
        return try CartEvent.events(in: rows)
    }
}
