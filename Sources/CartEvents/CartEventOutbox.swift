import Database
import Logging
import PostgresNIO

/// Writes cart events into the outbox (`cart_event`) inside the caller's transaction, so an
/// event exists exactly when the change it reports was committed.
///
/// An event carries the cart's id, its user and the user's email (for a recovery email), its
/// lines (`product_id`, `product_name`, `quantity`, `unit_price`) and their subtotal.
public enum CartEventOutbox {
    /// What happened to a cart.
    public enum Kind: String, Sendable {
        case abandoned = "cart.abandoned"
        case expired = "cart.expired"
        case converted = "cart.converted"
    }

    /// One event of `kind` per cart of `cartIDs` that holds a line, with the lines PostgreSQL
    /// holds for it now (call before removing them). A cart with no line in it (a guest who only
    /// looked, a cart emptied, one holding only lines saved for later) ends without an event:
    /// there is nothing in it to win back, and its zero would pull the average cart value down.
    public static func record(
        _ kind: Kind,
        cartIDs: [String],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard !cartIDs.isEmpty else { return }
        try await connection.execute(
            """
            INSERT INTO cart_event (id, type, cart_id, user_id, email, items, subtotal)
            SELECT gen_random_uuid(), \(kind.rawValue), cart.id, cart.user_id, account.email,
                   lines.items, lines.subtotal
            FROM cart
            LEFT JOIN "user" AS account ON account.id = cart.user_id
            LEFT JOIN LATERAL (
                SELECT jsonb_agg(jsonb_build_object(
                           'product_id', item.product_id, 'product_name', COALESCE(product.name, ''),
                           'quantity', item.quantity, 'unit_price', item.unit_price) ORDER BY item.product_id) AS items,
                       sum(item.quantity * item.unit_price) AS subtotal
                FROM cart_item AS item LEFT JOIN product ON product.id = item.product_id
                WHERE item.cart_id = cart.id AND NOT item.saved
            ) AS lines ON TRUE
            WHERE cart.id = ANY(\(cartIDs)::uuid[]) AND lines.items IS NOT NULL
            ORDER BY cart.id
            """,
            logger: logger
        )
    }

    /// The `cart.converted` event of a checkout: its lines at the prices it reserved.
    public static func recordConversion(
        checkoutID: String,
        cartID: String,
        userID: String?,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO cart_event (id, type, cart_id, user_id, email, items, subtotal)
            SELECT gen_random_uuid(), 'cart.converted', \(cartID)::uuid, account.id, account.email,
                   COALESCE(lines.items, '[]'::jsonb), COALESCE(lines.subtotal, 0)
            FROM (SELECT 1) AS one
            LEFT JOIN "user" AS account ON account.id = \(userID)::uuid
            LEFT JOIN LATERAL (
                SELECT jsonb_agg(jsonb_build_object(
                           'product_id', line.product_id, 'product_name', line.product_name,
                           'quantity', line.quantity, 'unit_price', line.unit_price) ORDER BY line.product_id) AS items,
                       sum(line.quantity * line.unit_price) AS subtotal
                FROM checkout_line AS line WHERE line.checkout_id = \(checkoutID)::uuid
            ) AS lines ON TRUE
            """,
            logger: logger
        )
    }
}
