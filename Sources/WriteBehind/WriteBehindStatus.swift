import CartStore
import RedisClient

/// The write-behind tier as Redis sees it, for any process's `/metrics`: how many changes are
/// not yet in PostgreSQL, how old the oldest is, and what every flusher's sweeps have done.
///
/// Read in one round trip at scrape time, so an API process reports the flush lag and backlog
/// although the flushers are other processes.
public struct WriteBehindStatus: Sendable, Hashable {
    /// Write-behind records not yet acknowledged (each a change not yet in PostgreSQL).
    public var backlog: Int
    /// Age of the oldest of them, in milliseconds; 0 when there are none.
    public var oldestPendingMilliseconds: Int64
    /// Carts marked `expired` and `abandoned` by the sweeps of every flusher so far.
    public var expiredTotal: Int
    public var abandonedTotal: Int

    /// The hash of sweep totals, shared by every flusher (one key, so one cluster slot).
    static let totalsKey = "hc:totals"

    /// Reads the status; `now` is milliseconds since 1970.
    public static func read(from redis: RedisClient, now: Int64) async throws -> WriteBehindStatus {
        let streams = (0..<CartKeys.shardCount).map(CartKeys.writeBehindStream(shard:))
        let commands = streams.map { ["XLEN", $0] } + streams.map { ["XRANGE", $0, "-", "+", "COUNT", "1"] }
        let replies = try await redis.send(pipeline: commands + [["HMGET", Self.totalsKey, "expired", "abandoned"]])
        let backlog = replies[0..<streams.count].reduce(0) { $0 + ($1.int ?? 0) }
        // An entry id is `<milliseconds>-<sequence>`: the oldest entry's id dates it.
        let oldest = replies[streams.count..<(2 * streams.count)].compactMap { reply -> Int64? in
            guard let id = reply.array?.first?.array?.first?.string else { return nil }
            return Int64(id.prefix { $0 != "-" })
        }.min()
        let totals = replies.last?.array ?? []
        return WriteBehindStatus(
            backlog: backlog,
            oldestPendingMilliseconds: oldest.map { max(0, now - $0) } ?? 0,
            expiredTotal: totals.first?.int ?? 0,
            abandonedTotal: totals.dropFirst().first?.int ?? 0
        )
    }

    /// Adds one sweep's counts to the shared totals.
    static func add(_ outcome: CartSweeper.Outcome, to redis: RedisClient) async throws {
        _ = try await redis.send(pipeline: [
            ["HINCRBY", Self.totalsKey, "expired", String(outcome.expired)],
            ["HINCRBY", Self.totalsKey, "abandoned", String(outcome.abandoned)],
        ])
    }

    /// The status in the Prometheus text format.
    public var prometheusText: String {
        """
        # HELP hotcart_flush_backlog Cart changes not yet written to PostgreSQL.
        # TYPE hotcart_flush_backlog gauge
        hotcart_flush_backlog \(self.backlog)
        # HELP hotcart_flush_lag_current_seconds Age of the oldest cart change not yet in PostgreSQL.
        # TYPE hotcart_flush_lag_current_seconds gauge
        hotcart_flush_lag_current_seconds \(Double(self.oldestPendingMilliseconds) / 1000)
        # HELP hotcart_carts_expired_total Guest carts marked expired by the sweeps of every flusher.
        # TYPE hotcart_carts_expired_total counter
        hotcart_carts_expired_total \(self.expiredTotal)
        # HELP hotcart_carts_abandoned_total User carts marked abandoned by the sweeps of every flusher.
        # TYPE hotcart_carts_abandoned_total counter
        hotcart_carts_abandoned_total \(self.abandonedTotal)

        """
    }
}
