import RedisClient

/// The local 3-master test cluster (scripts/cluster.sh), managed node by node: who serves a
/// slot, and moving a slot with its keys to another master as `redis-cli --cluster reshard`
/// does (IMPORTING / MIGRATING, MIGRATE in batches, SETSLOT NODE on every master).
public struct TestCluster: Sendable {
    /// One master and a connection that talks to it alone.
    public struct Node: Sendable {
        public let id: String
        public let endpoint: RedisEndpoint
        /// The id of the master a replica follows; `nil` for a master.
        public let masterID: String?
        let connection: RedisConnection
    }

    public let masters: [Node]
    /// The replicas (scripts/test starts one, of the first master).
    public let replicas: [Node]

    /// Connects to every node of the cluster that `seed` belongs to.
    public static func connect(seed: RedisEndpoint = TestEnvironment.cluster) async throws -> TestCluster {
        let connection = try await RedisConnection.connect(to: seed)
        defer { connection.close() }
        let lines = try await connection.send(["CLUSTER", "NODES"]).string?.split(separator: "\n") ?? []
        var masters: [Node] = []
        var replicas: [Node] = []
        // `<id> <host>:<port>@<bus port> <flags> <master id> …`
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, !fields[2].contains("fail") else { continue }
            let address = fields[1].prefix { $0 != "@" }
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                continue
            }
            let host = address[..<colon].isEmpty ? seed.host : String(address[..<colon])
            let endpoint = RedisEndpoint(host: host, port: port)
            let node = Node(
                id: String(fields[0]),
                endpoint: endpoint,
                masterID: fields.count > 3 && fields[3] != "-" ? String(fields[3]) : nil,
                connection: try await .connect(to: endpoint)
            )
            if fields[2].contains("master") { masters.append(node) } else { replicas.append(node) }
        }
        return TestCluster(
            masters: masters.sorted { $0.endpoint.port < $1.endpoint.port },
            replicas: replicas.sorted { $0.endpoint.port < $1.endpoint.port }
        )
    }

    /// The master serving `slot`.
    public func owner(of slot: Int) async throws -> Node {
        let ranges = try await self.masters[0].connection.send(["CLUSTER", "SLOTS"]).array ?? []
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let first = fields[0].int, let last = fields[1].int,
                (first...last).contains(slot), let port = fields[2].array?[1].int,
                let node = self.masters.first(where: { $0.endpoint.port == port })
            else {
                continue
            }
            return node
        }
        throw RedisError.unexpectedReply("no master serves slot \(slot)")
    }

    /// The master after `node`, in port order (wrapping around).
    public func master(after node: Node) -> Node {
        let index = self.masters.firstIndex { $0.id == node.id } ?? 0
        return self.masters[(index + 1) % self.masters.count]
    }

    /// Moves `slot` and every key in it to `target`, `batch` keys per MIGRATE, while clients
    /// go on using it (the nodes send them on with ASK and TRYAGAIN until it has moved).
    /// Returns how many keys moved.
    @discardableResult
    public func move(slot: Int, to target: Node, batch: Int = 20) async throws -> Int {
        let source = try await self.owner(of: slot)
        guard source.id != target.id else { return 0 }
        try await self.startMoving(slot: slot, from: source, to: target)
        var moved = 0
        while case let count = try await self.migrateKeys(slot: slot, from: source, to: target, count: batch), count > 0
        {
            moved += count
        }
        try await self.finishMoving(slot: slot, to: target)
        return moved
    }

    /// Marks `slot` as migrating from `source` to `target`: from now on `source` sends a
    /// command on a key it no longer holds to `target` with ASK.
    public func startMoving(slot: Int, from source: Node, to target: Node) async throws {
        _ = try await target.connection.send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.id])
        _ = try await source.connection.send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", target.id])
    }

    /// Moves up to `count` of the keys `source` still holds in `slot`; returns how many moved.
    public func migrateKeys(slot: Int, from source: Node, to target: Node, count: Int) async throws -> Int {
        let reply = try await source.connection.send(["CLUSTER", "GETKEYSINSLOT", String(slot), String(count)])
        guard let keys = reply.array?.compactMap(\.string), !keys.isEmpty else { return 0 }
        let port = String(target.endpoint.port)
        _ = try await source.connection.send(["MIGRATE", target.endpoint.host, port, "", "0", "5000", "KEYS"] + keys)
        return keys.count
    }

    /// Gives `slot` to `target` on every master (the target first): from now on a command in
    /// it sent anywhere else gets MOVED.
    public func finishMoving(slot: Int, to target: Node) async throws {
        for node in [target] + self.masters.filter({ $0.id != target.id }) {
            _ = try await node.connection.send(["CLUSTER", "SETSLOT", String(slot), "NODE", target.id])
        }
    }

    /// Promotes the replica `node` with a manual `CLUSTER FAILOVER` (its master hands over once
    /// the replica has every write) and waits until both sides have switched roles. A replica
    /// still catching up with its master (just after an earlier failover) is waited for first,
    /// and a failover the cluster gave up on (after 5 s) is asked for once more.
    public func failover(to node: Node, from master: Node) async throws {
        try await self.waitUntil("\(node.endpoint) follows its master") {
            let role = try await node.connection.send(["ROLE"]).array ?? []
            let nodes = try await node.connection.send(["CLUSTER", "NODES"]).string ?? ""
            let replicas = try await master.connection.send(["ROLE"]).array?.dropFirst(2).first?.array ?? []
            return role.first?.string == "slave" && role.count > 3 && role[3].string == "connected"
                && nodes.contains("myself,slave \(master.id)")
                && replicas.contains { $0.array?.dropFirst().first?.string == String(node.endpoint.port) }
        }
        for _ in 0..<3 {
            _ = try await node.connection.send(["CLUSTER", "FAILOVER"])
            do {
                try await self.waitUntil("the failover to \(node.endpoint)", seconds: 5) {
                    let promoted = try await node.connection.send(["ROLE"]).array?.first?.string == "master"
                    let demoted = try await master.connection.send(["ROLE"]).array?.first?.string == "slave"
                    return promoted && demoted
                }
                return
            } catch {
                continue  // not switched within 5 s: ask for the failover again
            }
        }
        throw RedisError.unexpectedReply("the failover to \(node.endpoint) did not finish")
    }

    /// Polls `condition` every 50 ms until it holds, for at most `seconds`.
    private func waitUntil(
        _ what: String,
        seconds: Int = 10,
        _ condition: () async throws -> Bool
    ) async throws {
        for _ in 0..<(seconds * 20) {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisError.unexpectedReply("\(what): not within \(seconds) s")
    }

    /// Sends a command to one node, whatever its keys.
    public func send(_ arguments: [String], to node: Node) async throws -> RedisValue {
        try await node.connection.send(arguments)
    }

    /// Closes the connections to the nodes.
    public func close() {
        for node in self.masters + self.replicas { node.connection.close() }
    }
}
