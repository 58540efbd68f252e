import CartDomain
import CartStore
import Database
import Deadline
import Logging
import PostgresNIO

/// Read-through: the active, unexpired cart PostgreSQL holds for a session, for a cart that
/// is no longer in Redis (idle user cart evicted, Redis restarted empty). A user's cart the sweep
/// marked `abandoned` comes back too, as the cart its owner left (an idle user cart leaves Redis
/// after `CART_USER_IDLE_DAYS`, 30, long after it is abandoned at 14); an expired guest cart
/// does not. Answers within `timeout` or throws; it never runs on the path of a cart already
/// in Redis.
public struct PostgresCartSource: DurableCartSource {
    let postgres: DatabasePool
    let timeout: Duration
    let logger: Logger

    public init(postgres: DatabasePool, timeout: Duration = .seconds(1), logger: Logger) {
        self.postgres = postgres
        self.timeout = timeout
        self.logger = logger
    }

    /// Never waits past the timeout, even for a PostgreSQL query that does not stop when
    /// cancelled (see ``withDeadline(_:orThrow:_:)``).
    public func activeCart(of session: CartSession, now: Int64) async throws -> Cart? {
        try await withDeadline(self.timeout, orThrow: CartError.serviceUnavailable) {
            try await self.lookUp(session, now: now)
        }
    }

    private func lookUp(_ session: CartSession, now: Int64) async throws -> Cart? {
        let userID = session.owner.userID
        let reference = userID == nil ? session.reference : nil
        guard userID != nil || reference != nil else { return nil }
        var found: Cart?
        let carts = try await self.postgres.rows(
            """
            SELECT id::text, version, (extract(epoch FROM created_at) * 1000)::bigint,
                   (extract(epoch FROM updated_at) * 1000)::bigint, promo_code
            FROM cart
            WHERE (status = 'active' OR (status = 'abandoned' AND user_id IS NOT NULL))
              AND (user_id = \(userID)::uuid OR (\(userID)::uuid IS NULL AND user_id IS NULL AND session_id = \(reference)))
              AND (expires_at IS NULL OR expires_at > to_timestamp(\(now)::bigint / 1000.0))
            ORDER BY status = 'active' DESC, updated_at DESC
            LIMIT 1
            """,
            logger: self.logger
        )
        for (id, version, created, updated, promoCode) in try carts.decode(
            (String, Int64, Int64, Int64, String?).self
        ) {
            found = Cart(
                id: id,
                owner: session.owner,
                sessionReference: reference,
                status: .active,
                version: version,
                items: [],
                promoCode: promoCode,
                createdAt: created,
                updatedAt: updated,
                expiresAt: nil
            )
        }
        guard var cart = found else { return nil }
        let lines = try await self.postgres.rows(
            """
            SELECT item.id, item.product_id, product.name, item.quantity, (item.unit_price * 100)::bigint,
                   (extract(epoch FROM item.created_at) * 1000)::bigint, (extract(epoch FROM item.updated_at) * 1000)::bigint,
                   item.saved
            FROM cart_item AS item JOIN product ON product.id = item.product_id
            WHERE item.cart_id = \(cart.id)::uuid
            ORDER BY item.created_at, item.id
            """,
            logger: self.logger
        )
        for (id, productID, name, quantity, cents, created, updated, saved) in try lines.decode(
            (CartItemID, Int, String, Int, Int64, Int64, Int64, Bool).self
        ) {
            let item = CartItem(
                id: id,
                productID: productID,
                productName: name,
                quantity: quantity,
                unitPrice: Cents(cents),
                createdAt: created,
                updatedAt: updated
            )
            if saved { cart.savedItems.append(item) } else { cart.items.append(item) }
        }
        return cart
    }
}
