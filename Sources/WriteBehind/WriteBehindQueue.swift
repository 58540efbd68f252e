import CartStore
import RedisClient

/// The write-behind streams (one per shard) read through one consumer group, so several
/// flushers share the records and each record is handled until one acknowledges it.
///
/// Nothing here blocks a Redis connection: reads poll (`XREADGROUP` without `BLOCK`) because
/// the client's connections are shared by pipelined callers.
struct WriteBehindQueue: Sendable {
    static let group = "hotcart-flush"

    let redis: RedisClient
    let consumer: String
    let streams: [String]

    /// A queue over the streams of `shards` (every shard by default).
    init(redis: RedisClient, consumer: String, shards: [Int] = Array(0..<CartKeys.shardCount)) {
        self.redis = redis
        self.consumer = consumer
        self.streams = shards.map(CartKeys.writeBehindStream(shard:))
    }

    /// Creates the consumer group on every stream (and the stream), keeping existing ones.
    func ensureGroups() async throws {
        for stream in self.streams {
            do {
                _ = try await self.redis.send(["XGROUP", "CREATE", stream, Self.group, "0", "MKSTREAM"])
            } catch let error as RedisError where error.serverMessage?.hasPrefix("BUSYGROUP") == true {
                continue
            }
        }
    }

    /// About `count` records never delivered to any consumer of the group (COUNT applies per
    /// stream, so each stream is asked for its share). One XREADGROUP per stream, pipelined:
    /// each stream has its own cluster slot, and one command's keys must share a slot.
    func readNew(count: Int) async throws -> [WriteBehindRecord] {
        let perStream = String(max(1, (count + self.streams.count - 1) / self.streams.count))
        let replies = try await self.redis.send(
            pipeline: self.streams.map { stream in
                ["XREADGROUP", "GROUP", Self.group, self.consumer, "COUNT", perStream, "STREAMS", stream, ">"]
            }
        )
        var records: [WriteBehindRecord] = []
        for streamReply in replies.compactMap(\.array).joined() {
            guard let parts = streamReply.array, parts.count == 2, let stream = parts[0].string else { continue }
            records += Self.records(in: parts[1].array ?? [], stream: stream)
        }
        return records
    }

    /// Records delivered to some consumer more than `idleMilliseconds` ago and never
    /// acknowledged (that consumer crashed or was killed): they become this consumer's.
    func claimStale(idleMilliseconds: Int, count: Int) async throws -> [WriteBehindRecord] {
        var records: [WriteBehindRecord] = []
        for stream in self.streams where records.count < count {
            let reply = try await self.redis.send(
                [
                    "XAUTOCLAIM", stream, Self.group, self.consumer, String(idleMilliseconds), "0-0", "COUNT",
                    String(count),
                ]
            )
            guard let parts = reply.array, parts.count >= 2 else { continue }
            records += Self.records(in: parts[1].array ?? [], stream: stream)
        }
        return records
    }

    /// Acknowledges and deletes handled records; called only after PostgreSQL committed them.
    func acknowledge(_ records: [WriteBehindRecord]) async throws {
        let commands = Dictionary(grouping: records, by: \.stream).flatMap { stream, handled in
            let ids = handled.map(\.entryID)
            return [["XACK", stream, Self.group] + ids, ["XDEL", stream] + ids]
        }
        _ = try await self.redis.send(pipeline: commands)
    }

    /// Records not yet acknowledged, over every stream (acknowledged ones are deleted).
    func backlog() async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for stream in self.streams {
                group.addTask { try await self.redis.send(["XLEN", stream]).int ?? 0 }
            }
            return try await group.reduce(0, +)
        }
    }

    private static func records(in entries: [RedisValue], stream: String) -> [WriteBehindRecord] {
        entries.compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array
            else {
                return nil
            }
            var cartKey: String?
            var version: Int64 = 0
            var index = 0
            while index + 1 < fields.count {
                switch fields[index].string {
                case "cart": cartKey = fields[index + 1].string
                case "v": version = Int64(fields[index + 1].int ?? 0)
                default: break
                }
                index += 2
            }
            guard let cartKey else { return nil }
            return WriteBehindRecord(stream: stream, entryID: id, cartKey: cartKey, version: version)
        }
    }
}
