/// A run of Redis Cluster slots and the master that serves them, as `CLUSTER SLOTS` lists it.
struct RedisSlotRange: Hashable, Sendable {
    var slots: ClosedRange<Int>
    var master: RedisEndpoint

    /// The ranges of a `CLUSTER SLOTS` reply, or `nil` when the reply has another shape.
    /// Each entry is `[first, last, [host, port, id, …], replicas…]`; a master listed with an
    /// empty or unknown host is the node that answered (`answeredBy`).
    static func ranges(clusterSlots reply: RedisValue, answeredBy node: RedisEndpoint) -> [RedisSlotRange]? {
        guard let entries = reply.array else { return nil }
        var ranges: [RedisSlotRange] = []
        for entry in entries {
            guard let fields = entry.array, fields.count >= 3, let first = fields[0].int, let last = fields[1].int,
                0 <= first, first <= last, last < HashSlot.count,
                let master = fields[2].array, master.count >= 2, let host = master[0].string,
                let port = master[1].int
            else {
                return nil
            }
            let known = !host.isEmpty && host != "?"
            ranges.append(
                RedisSlotRange(
                    slots: first...last,
                    master: node.node(host: known ? host : node.host, port: port)
                )
            )
        }
        return ranges
    }
}
