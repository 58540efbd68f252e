import Synchronization

/// Routes commands over a Redis Cluster: each goes to the master serving its key's slot,
/// following `MOVED` (and learning from it) and `ASK` (with `ASKING`), and waiting out
/// `TRYAGAIN` and `CLUSTERDOWN`, at most ``maximumAttempts`` sends per command.
///
/// The slot map comes from `CLUSTER SLOTS`: when the client starts, and again (at most ten
/// times a second) after a redirection or a lost node, so failovers and reshards are learnt.
final class RedisCluster: Sendable {
    /// Sends of one command before its last error is the caller's answer.
    static let maximumAttempts = 12

    /// The nodes seen so far and which one serves each slot.
    private struct Topology {
        static let unknown = UInt16.max

        /// The pool of every node seen; a node's number is its index here (the first seed is 0).
        var pools: [RedisNodePool]
        /// The number of the master serving each slot, or `unknown`.
        var owners = [UInt16](repeating: unknown, count: HashSlot.count)

        /// The pool for a command in `slot`; a keyless command goes to the master of a random
        /// slot, and an unknown slot to the first seed (which redirects it if need be).
        func pool(forSlot slot: Int?) -> RedisNodePool {
            let owner = self.owners[slot ?? Int.random(in: 0..<HashSlot.count)]
            return owner == Self.unknown ? self.pools[0] : self.pools[Int(owner)]
        }

        /// The number of the node at `endpoint`, its pool made the first time it is named.
        mutating func node(_ endpoint: RedisEndpoint, makingPool makePool: (RedisEndpoint) -> RedisNodePool) -> Int {
            if let known = self.pools.firstIndex(where: { $0.endpoint == endpoint }) { return known }
            self.pools.append(makePool(endpoint))
            return self.pools.count - 1
        }
    }

    private let topology: Mutex<Topology>
    private let active: Atomic<Bool>
    private let seeds: [RedisEndpoint]
    private let makePool: @Sendable (RedisEndpoint) -> RedisNodePool
    private let refreshRequests: AsyncStream<Void>
    private let refreshContinuation: AsyncStream<Void>.Continuation

    /// A router over the cluster that `seeds` belong to; `firstSeed` is the pool of `seeds[0]`,
    /// and `makePool` makes (and has the client run) the pool of any other node. With more
    /// than one seed the client is a cluster client from the start; with one it becomes one
    /// when the node answers `CLUSTER SLOTS` or redirects a command (``activate()``).
    init(
        seeds: [RedisEndpoint],
        firstSeed: RedisNodePool,
        makePool: @escaping @Sendable (RedisEndpoint) -> RedisNodePool
    ) {
        self.seeds = seeds
        self.makePool = makePool
        self.topology = Mutex(Topology(pools: [firstSeed]))
        self.active = Atomic(seeds.count > 1)
        (self.refreshRequests, self.refreshContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.refreshContinuation.yield()
    }

    /// Whether the client talks to a cluster (known from the seeds or learnt from a node).
    var isActive: Bool { self.active.load(ordering: .relaxed) }

    /// Switches the client to cluster routing after a node redirected a command.
    func activate() {
        self.active.store(true, ordering: .relaxed)
        self.requestRefresh()
    }

    /// Loads the slot map whenever asked, at most ten times a second, until cancelled.
    func runRefresher() async {
        for await _ in self.refreshRequests {
            await self.loadSlots()
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The master serving `slot` as far as the map knows (the first seed when it does not).
    func endpoint(forSlot slot: Int) -> RedisEndpoint {
        self.topology.withLock { $0.pool(forSlot: slot).endpoint }
    }

    /// The clock of the master serving `slot` as far as the map knows.
    func clock(forSlot slot: Int) -> RedisServerClock {
        self.topology.withLock { $0.pool(forSlot: slot).clock }
    }

    /// The pool of every master the slot map names (the first seed while there is no map).
    func masters() -> [RedisNodePool] {
        self.topology.withLock { topology in
            let owners = Set(topology.owners.filter { $0 != Topology.unknown })
            return owners.isEmpty ? [topology.pools[0]] : owners.sorted().map { topology.pools[Int($0)] }
        }
    }

    /// Sends one command to the master of its slot, following redirections.
    func send(_ arguments: [String]) async throws -> RedisValue {
        try await self.send(arguments, slot: RedisCommandRouting.slot(of: arguments))
    }

    /// Sends each command to the master of its slot: one pipeline per master, the masters in
    /// parallel. A redirected command is sent again on its own; replies come back in order.
    func send(pipeline commands: [[String]]) async throws -> [RedisValue] {
        let pools = self.topology.withLock { topology in
            commands.map { topology.pool(forSlot: RedisCommandRouting.slot(of: $0)) }
        }
        return try await self.completing(commands, results: Self.results(of: commands, on: pools))
    }

    /// The replies of a pipeline whose `results` came back from one or more nodes: every
    /// command a node redirected or could not serve yet is sent again through the router.
    func completing(_ commands: [[String]], results: [Result<RedisValue, RedisError>]) async throws -> [RedisValue] {
        var replies: [RedisValue] = []
        replies.reserveCapacity(results.count)
        for (command, result) in zip(commands, results) {
            switch result {
            case .success(let reply):
                replies.append(reply)
            case .failure(let error) where error.isRedirectionOrTransition:
                replies.append(try await self.send(command))
            case .failure(let error):
                throw error
            }
        }
        return replies
    }

    private func send(_ arguments: [String], slot: Int?) async throws -> RedisValue {
        var pool = self.topology.withLock { $0.pool(forSlot: slot) }
        var asking = false
        var attempt = 1
        while true {
            do {
                if asking { return try await pool.send(pipeline: [["ASKING"], arguments])[1] }
                return try await pool.send(arguments)
            } catch let error as RedisError {
                guard attempt < Self.maximumAttempts,
                    let next = await self.nextRoute(after: error, from: pool, slot: slot, attempt: attempt)
                else {
                    throw error
                }
                (pool, asking) = next
                attempt += 1
            }
        }
    }

    /// Where a command goes after `error`, or `nil` when the error is the caller's answer.
    /// A command that timed out is never sent again: it may have run.
    private func nextRoute(
        after error: RedisError,
        from pool: RedisNodePool,
        slot: Int?,
        attempt: Int
    ) async -> (RedisNodePool, asking: Bool)? {
        switch error.redirection(answeredBy: pool.endpoint) {
        case .moved(let movedSlot, let endpoint):
            return (self.learn(movedSlot, servedBy: endpoint), false)
        case .ask(_, let endpoint):
            return (self.topology.withLock { $0.pools[$0.node(endpoint, makingPool: self.makePool)] }, true)
        case nil:
            break
        }
        if error.isClusterInTransition {
            try? await Task.sleep(for: .milliseconds(min(5 << (attempt - 1), 100)))
            return (self.topology.withLock { $0.pool(forSlot: slot) }, false)
        }
        if error.isConnectivityFailure { self.requestRefresh() }
        return nil
    }

    /// Records that `endpoint` serves `slot` now and asks for the whole map again.
    private func learn(_ slot: Int, servedBy endpoint: RedisEndpoint) -> RedisNodePool {
        let pool = self.topology.withLock { topology in
            let node = topology.node(endpoint, makingPool: self.makePool)
            topology.owners[slot] = UInt16(node)
            return topology.pools[node]
        }
        self.requestRefresh()
        return pool
    }

    /// Asks for the slot map again (the refresher loads it, at most ten times a second).
    func requestRefresh() {
        self.refreshContinuation.yield()
    }

    /// Asks the known nodes, then the seeds, for `CLUSTER SLOTS`; the first answer becomes the
    /// map. A node that is not in cluster mode answers with an error and the client stays a
    /// single-node client.
    private func loadSlots() async {
        let known = self.topology.withLock { $0.pools.map(\.endpoint) }
        for endpoint in known + self.seeds.filter({ !known.contains($0) }) {
            let pool = self.topology.withLock { $0.pools[$0.node(endpoint, makingPool: self.makePool)] }
            guard let reply = try? await pool.send(["CLUSTER", "SLOTS"]),
                let ranges = RedisSlotRange.ranges(clusterSlots: reply, answeredBy: endpoint), !ranges.isEmpty
            else {
                continue
            }
            self.topology.withLock { topology in
                var owners = [UInt16](repeating: Topology.unknown, count: HashSlot.count)
                for range in ranges {
                    let node = UInt16(topology.node(range.master, makingPool: self.makePool))
                    for slot in range.slots { owners[slot] = node }
                }
                topology.owners = owners
            }
            self.active.store(true, ordering: .relaxed)
            return
        }
    }

    /// Sends each command on its pool: one pipeline per node, the nodes in parallel.
    private static func results(
        of commands: [[String]],
        on pools: [RedisNodePool]
    ) async throws -> [Result<RedisValue, RedisError>] {
        var groups: [ObjectIdentifier: (pool: RedisNodePool, indexes: [Int])] = [:]
        for (index, pool) in pools.enumerated() {
            groups[ObjectIdentifier(pool), default: (pool, [])].indexes.append(index)
        }
        if groups.count <= 1, let pool = pools.first { return try await pool.results(of: commands) }
        var results = [Result<RedisValue, RedisError>](repeating: .failure(.connectionClosed), count: commands.count)
        try await withThrowingTaskGroup(of: ([Int], [Result<RedisValue, RedisError>]).self) { group in
            for (pool, indexes) in groups.values {
                group.addTask { (indexes, try await pool.results(of: indexes.map { commands[$0] })) }
            }
            for try await (indexes, replies) in group {
                for (index, reply) in zip(indexes, replies) { results[index] = reply }
            }
        }
        return results
    }
}
