import CartDomain
import Database
import Logging
import PostgresNIO

/// Writes cart snapshots to PostgreSQL: all of a batch in one transaction, each cart as a
/// version-guarded upsert (a row's version never goes backwards; at the same version only a
/// later `expires_at`, from a read that refreshed a guest cart, gets through) whose lines
/// replace the stored ones, so lines removed in Redis are removed here too.
///
/// Carts are written in id order, so two flushers writing overlapping batches take row locks
/// in the same order and cannot deadlock. A snapshot PostgreSQL rejects as data (a data
/// exception or integrity violation, which no retry can cure) is skipped and logged, so one
/// bad cart cannot hold back every other cart's durability.
struct CartSnapshotWriter: Sendable {
    let postgres: DatabasePool
    let logger: Logger

    /// Writes the snapshots; returns how many carts advanced (older snapshots are skipped).
    func write(_ carts: [Cart]) async throws -> Int {
        guard !carts.isEmpty else { return 0 }
        let ordered = carts.sorted { $0.id < $1.id }
        do {
            return try await self.writeInOneTransaction(ordered)
        } catch  where Self.rejectedState(error) != nil {
            var advanced = 0
            for cart in ordered {
                do {
                    advanced += try await self.writeInOneTransaction([cart])
                } catch {
                    guard let state = Self.rejectedState(error) else { throw error }
                    self.logger.error(
                        "PostgreSQL rejected a cart snapshot; skipped",
                        metadata: ["cart_id": "\(cart.id)", "sqlstate": "\(state)"]
                    )
                }
            }
            return advanced
        }
    }

    /// The SQLSTATE when PostgreSQL refused the data itself: class 22 (data exception) or 23
    /// (integrity constraint violation); `nil` for anything a retry may cure.
    private static func rejectedState(_ error: any Error) -> String? {
        let underlying = (error as? PostgresTransactionError)?.closureError ?? error
        guard let state = (underlying as? PSQLError)?.serverInfo?[.sqlState],
            state.hasPrefix("22") || state.hasPrefix("23")
        else { return nil }
        return state
    }

    /// Two statements whatever the batch size: upsert every cart row (only rows whose version
    /// or expiry advances change), then, for the carts that advanced, delete the lines they no
    /// longer hold and upsert their lines (and those saved for later), writing only the lines
    /// that changed. Lines of products gone from the catalog are left out.
    private func writeInOneTransaction(_ ordered: [Cart]) async throws -> Int {
        try await self.postgres.withTransaction(logger: self.logger) { connection in
            let rows = try await connection.rows(
                """
                INSERT INTO cart (id, user_id, session_id, status, version, created_at, updated_at, expires_at,
                                  promo_code)
                SELECT c.id::uuid, account.id, NULLIF(c.session_id, ''), c.status, c.version,
                       to_timestamp(c.created / 1000.0), to_timestamp(c.updated / 1000.0),
                       to_timestamp(NULLIF(c.expires, -1) / 1000.0), NULLIF(c.promo_code, '')
                FROM unnest(\(ordered.map(\.id))::text[], \(ordered.map { $0.owner.userID ?? "" })::text[],
                            \(ordered.map { $0.sessionReference ?? "" })::text[], \(ordered.map(\.status.rawValue))::text[],
                            \(ordered.map(\.version))::bigint[], \(ordered.map(\.createdAt))::bigint[],
                            \(ordered.map(\.updatedAt))::bigint[], \(ordered.map { $0.expiresAt ?? -1 })::bigint[],
                            \(ordered.map { $0.promoCode ?? "" })::text[])
                     AS c (id, user_id, session_id, status, version, created, updated, expires, promo_code)
                LEFT JOIN "user" AS account ON account.id = NULLIF(c.user_id, '')::uuid
                ORDER BY c.id
                ON CONFLICT (id) DO UPDATE SET
                    user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id, status = EXCLUDED.status,
                    version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at,
                    promo_code = EXCLUDED.promo_code
                WHERE (cart.version, cart.expires_at) < (EXCLUDED.version, EXCLUDED.expires_at)
                RETURNING id::text
                """,
                logger: self.logger
            )
            let advancedIDs = Set(try rows.decode(String.self))
            guard !advancedIDs.isEmpty else { return 0 }
            let advanced = ordered.filter { advancedIDs.contains($0.id) }
            // A prepared statement (it answers no rows, so nothing is read back with the row
            // sequence's back-pressure; see AllRows.swift): each of the pool's connections parses
            // it once and PostgreSQL plans it once, instead of for every batch. Parsing and
            // planning it took about 1.2 ms a batch of 190 carts, binding it now 0.4 ms.
            _ = try await connection.execute(WriteCartLines(advanced), logger: self.logger)
            return advanced.count
        }
    }
}

/// The lines of carts that advanced, in one statement over their stored lines, read once: the
/// lines the carts no longer hold go, and of the others only those that are new or changed
/// reach the upsert, so one change to a cart writes one line, not all of them. (Filtered in the
/// upsert's own WHERE, an unchanged line would still be locked, which costs a WAL record and a
/// dirtied page.) The two parts touch different (cart, product) pairs. Lines of products gone
/// from the catalog are left out (and none of theirs is stored). The lines to delete are looked
/// up by primary key (`id = ANY(ARRAY(…))`): as `id IN (…)`, the plan PostgreSQL keeps for the
/// prepared statement hash-joined them with a scan of the whole `cart_item` table.
private struct WriteCartLines: PostgresPreparedStatement {
    typealias Row = ()

    static let name = "hotcart_write_cart_lines"

    static let sql = """
        WITH line AS (
            SELECT u.id, u.cart_id::uuid AS cart_id, u.product_id, u.quantity, u.cents::numeric / 100 AS unit_price,
                   u.saved, to_timestamp(u.created / 1000.0) AS created_at, to_timestamp(u.updated / 1000.0) AS updated_at
            FROM unnest($2::uuid[], $3::text[], $4::int[], $5::int[], $6::bigint[], $7::boolean[], $8::bigint[],
                        $9::bigint[])
                 AS u (id, cart_id, product_id, quantity, cents, saved, created, updated)
            WHERE EXISTS (SELECT 1 FROM product WHERE product.id = u.product_id)
        ),
        stored AS (
            SELECT * FROM cart_item WHERE cart_id = ANY($1::uuid[])
        ),
        removed AS (
            DELETE FROM cart_item
            WHERE id = ANY(ARRAY(SELECT stored.id FROM stored LEFT JOIN line USING (cart_id, product_id)
                                 WHERE line.cart_id IS NULL))
        )
        INSERT INTO cart_item (id, cart_id, product_id, quantity, unit_price, saved, created_at, updated_at)
        SELECT line.id, line.cart_id, line.product_id, line.quantity, line.unit_price, line.saved,
               line.created_at, line.updated_at
        FROM line LEFT JOIN stored USING (cart_id, product_id)
        WHERE stored.id IS NULL
           OR (stored.id, stored.quantity, stored.unit_price, stored.saved, stored.created_at, stored.updated_at)
              IS DISTINCT FROM (line.id, line.quantity, line.unit_price, line.saved, line.created_at, line.updated_at)
        ON CONFLICT (cart_id, product_id) DO UPDATE SET
            id = EXCLUDED.id, quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price,
            saved = EXCLUDED.saved, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
        """

    /// The carts whose rows advanced.
    let cartIDs: [String]
    /// Every line of those carts: its cart's id, the line, whether it is saved for later.
    let lines: [(cartID: String, item: CartItem, saved: Bool)]

    init(_ carts: [Cart]) {
        self.cartIDs = carts.map(\.id)
        self.lines = carts.flatMap { cart in
            (cart.items.map { (cartID: cart.id, item: $0, saved: false) }
                + cart.savedItems.map { (cartID: cart.id, item: $0, saved: true) })
                .sorted { $0.item.productID < $1.item.productID }
        }
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(self.cartIDs)
        bindings.append(self.lines.map(\.item.id))
        bindings.append(self.lines.map(\.cartID))
        bindings.append(self.lines.map(\.item.productID))
        bindings.append(self.lines.map(\.item.quantity))
        bindings.append(self.lines.map(\.item.unitPrice.value))
        bindings.append(self.lines.map(\.saved))
        bindings.append(self.lines.map(\.item.createdAt))
        bindings.append(self.lines.map(\.item.updatedAt))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
