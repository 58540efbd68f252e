import CartEvents
import Database
import Logging
import Metrics
import PostgresNIO

/// The periodic cleanup of durable carts: guest carts whose `expires_at` has passed become
/// `expired` and lose their lines; user carts untouched for `CART_ABANDONED_AFTER_DAYS` become
/// `abandoned`; each such cart that holds lines gets its `cart.expired` or `cart.abandoned` event
/// in the outbox in the same transaction (an empty cart ends without one). Safe with several flushers: a sweep runs under a transaction-scoped advisory
/// lock, and a flusher that finds it taken skips its turn.
public struct CartSweeper: Sendable {
    /// How many carts one sweep changed.
    public struct Outcome: Sendable, Hashable {
        public var expired: Int
        public var abandoned: Int
        /// `false` when another flusher was sweeping at the time.
        public var ran: Bool
    }

    private static let lockID = 7_212_002

    let postgres: DatabasePool
    /// A user cart untouched this long is `abandoned`.
    let abandonedAfterMilliseconds: Int64
    let logger: Logger
    private let expiredCount = Counter(label: "hotcart_carts_expired_total")
    private let abandonedCount = Counter(label: "hotcart_carts_abandoned_total")

    public init(postgres: DatabasePool, abandonedAfterMilliseconds: Int64, logger: Logger) {
        self.postgres = postgres
        self.abandonedAfterMilliseconds = abandonedAfterMilliseconds
        self.logger = logger
    }

    /// Sweeps as of `now` (milliseconds since 1970; injected so tests need not wait days).
    public func sweep(now: Int64) async throws -> Outcome {
        let abandonedBefore = now - self.abandonedAfterMilliseconds
        let outcome = try await self.postgres.withTransaction(logger: self.logger) { connection -> Outcome in
            let locked = try await connection.rows(
                "SELECT pg_try_advisory_xact_lock(\(Self.lockID))",
                logger: self.logger
            ).decode(Bool.self)
            guard locked.first == true else { return Outcome(expired: 0, abandoned: 0, ran: false) }
            let expired = try await connection.rows(
                """
                UPDATE cart SET status = 'expired'
                WHERE status = 'active' AND expires_at < to_timestamp(\(now)::bigint / 1000.0)
                RETURNING id::text
                """,
                logger: self.logger
            )
            let expiredIDs = try expired.decode(String.self)
            // The events carry the lines, so they are written before the lines go.
            try await CartEventOutbox.record(.expired, cartIDs: expiredIDs, on: connection, logger: self.logger)
            if !expiredIDs.isEmpty {
                try await connection.execute(
                    "DELETE FROM cart_item WHERE cart_id = ANY(\(expiredIDs)::uuid[])",
                    logger: self.logger
                )
            }
            let rows = try await connection.rows(
                """
                UPDATE cart SET status = 'abandoned'
                WHERE status = 'active' AND user_id IS NOT NULL
                  AND updated_at < to_timestamp(\(abandonedBefore)::bigint / 1000.0)
                RETURNING id::text
                """,
                logger: self.logger
            )
            let abandonedIDs = try rows.decode(String.self)
            try await CartEventOutbox.record(.abandoned, cartIDs: abandonedIDs, on: connection, logger: self.logger)
            return Outcome(expired: expiredIDs.count, abandoned: abandonedIDs.count, ran: true)
        }
        if outcome.ran {
            self.expiredCount.increment(by: outcome.expired)
            self.abandonedCount.increment(by: outcome.abandoned)
            // A sweep that changed nothing says so at debug: the sweep may run every second.
            self.logger.log(
                level: outcome.expired + outcome.abandoned > 0 ? .info : .debug,
                "swept carts",
                metadata: ["expired": "\(outcome.expired)", "abandoned": "\(outcome.abandoned)"]
            )
        }
        return outcome
    }
}
