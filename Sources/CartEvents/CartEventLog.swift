import Logging
import PostgresNIO

/// Reads the outbox: what `GET /admin/events` lists.
public struct CartEventLog: Sendable {
    private let postgres: PostgresClient
    private let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The newest `limit` events, of one status or of any.
    public func events(status: String?, limit: Int) async throws -> [CartEvent] {
        let rows = try await self.postgres.query(
            """
            SELECT id::text, type, cart_id::text, user_id::text, email, items::text, (subtotal * 100)::bigint,
                   (extract(epoch FROM occurred_at) * 1000)::bigint, status, attempts,
                   (extract(epoch FROM delivered_at) * 1000)::bigint
            FROM cart_event WHERE \(status)::text IS NULL OR status = \(status)
            ORDER BY sequence DESC LIMIT \(limit)
            """,
            logger: self.logger
        )
        var events: [CartEvent] = []
        for try await row in rows {
            let (id, type, cartID, userID, email, items, subtotal, occurred, status, attempts, delivered) =
                try row.decode(
                    (String, String, String, String?, String?, String, Int64, Int64, String, Int, Int64?).self
                )
            events.append(
                CartEvent(
                    id: id,
                    type: type,
                    cartID: cartID,
                    userID: userID,
                    email: email,
                    itemsJSON: items,
                    subtotalCents: subtotal,
                    occurredAt: occurred,
                    status: status,
                    attempts: attempts,
                    deliveredAt: delivered
                )
            )
        }
        return events
    }
}
