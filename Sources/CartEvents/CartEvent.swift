import Database
import PostgresNIO

/// One cart event of the outbox, as stored.
public struct CartEvent: Sendable, Hashable {
    /// Lowercase UUID; the `X-HotCart-Delivery` header of its webhook.
    public var id: String
    /// `cart.abandoned`, `cart.expired` or `cart.converted`.
    public var type: String
    public var cartID: String
    public var userID: String?
    public var email: String?
    /// The lines, as JSON (`[{"product_id", "product_name", "quantity", "unit_price"}]`).
    public var itemsJSON: String
    /// The subtotal in cents.
    public var subtotalCents: Int64
    /// Milliseconds since 1970.
    public var occurredAt: Int64
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var attempts: Int
    public var deliveredAt: Int64?
}

extension CartEvent {
    /// The columns every read of the outbox selects, in the order ``events(in:)`` decodes.
    static let columns = """
        id::text, type, cart_id::text, user_id::text, email, items::text, (subtotal * 100)::bigint,
        (extract(epoch FROM occurred_at) * 1000)::bigint, status, attempts,
        (extract(epoch FROM delivered_at) * 1000)::bigint
        """

    /// The events of rows that selected ``columns``.
    static func events(in rows: [PostgresRow]) throws -> [CartEvent] {
        var events: [CartEvent] = []
        for row in rows {
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
