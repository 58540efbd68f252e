import Logging
import Metrics
import Periodic
import RedisClient
import ServiceLifecycle
import Synchronization

/// Says, in the log and in `hotcart_redis_eviction_possible`, when Redis may evict HotCart's
/// keys to make room.
///
/// HotCart needs `maxmemory-policy noeviction` whenever Redis has a `maxmemory`: a full Redis
/// then refuses writes, and changes answer 503 `CART_010` while carts already there are read.
/// Any other policy may evict keys that have a lifetime: a cart before the flusher has written
/// its latest changes (the flusher writes a cart as Redis holds it, so they are lost, and the
/// cart comes back from PostgreSQL without them), a logged-out token's revocation (the token
/// works again until it expires) and an idempotency key (a retry is applied again); an
/// `allkeys-*` policy may evict the write-behind queue too.
///
/// Run it as a `Service`: it asks every master (`CONFIG GET maxmemory*`) at start and every
/// ``interval``, since a policy can change while Redis runs (`CONFIG SET`), and logs an error
/// when eviction becomes possible and a notice when it no longer is. A Redis that refuses
/// `CONFIG` (an ACL, a managed service) is said once.
public final class RedisEvictionWatch: Service, Sendable {
    /// What a check found.
    public enum Finding: Sendable, Equatable {
        /// No master may evict (no `maxmemory`, or `noeviction`).
        case safe
        /// Some masters may evict; each one's `maxmemory-policy`.
        case mayEvict(policies: [String])
        /// Redis refused `CONFIG GET`, with this error reply.
        case unknown(String)
    }

    /// How often every master is asked again.
    public let interval: Duration
    private let redis: RedisClient
    private let logger: Logger
    private let possible = Gauge(label: "hotcart_redis_eviction_possible")
    /// What was last said, so that each finding is said once, when it changes.
    private let said = Mutex<Finding?>(nil)

    public init(redis: RedisClient, interval: Duration = .seconds(60), logger: Logger) {
        self.redis = redis
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        await Periodic.run(every: self.interval, what: "redis eviction policy check", logger: self.logger) {
            let finding = try await self.check()
            let earlier = self.said.withLock { said in
                defer { said = finding }
                return said
            }
            if finding != earlier { self.say(finding, after: earlier) }
        }
    }

    /// Asks every master whether it may evict keys.
    public func check() async throws -> Finding {
        let replies: [RedisValue]
        do {
            replies = try await self.redis.sendToEveryMaster(["CONFIG", "GET", "maxmemory*"])
        } catch let error as RedisError {
            guard let refusal = error.serverMessage else { throw error }
            return .unknown(refusal)
        }
        var policies: [String] = []
        for reply in replies {
            let pairs = reply.array ?? []
            var settings: [String: String] = [:]
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let name = pairs[index].string, let value = pairs[index + 1].string { settings[name] = value }
            }
            let policy = settings["maxmemory-policy"] ?? "noeviction"
            if (settings["maxmemory"] ?? "0") != "0", policy != "noeviction" { policies.append(policy) }
        }
        return policies.isEmpty ? .safe : .mayEvict(policies: policies.sorted())
    }

    private func say(_ finding: Finding, after earlier: Finding?) {
        switch finding {
        case .mayEvict(let policies):
            self.possible.record(1)
            self.logger.error(
                "redis may evict keys when full: cart changes not yet in PostgreSQL, token revocations and idempotency keys can be lost; set maxmemory-policy noeviction",
                metadata: ["maxmemory-policy": "\(policies.joined(separator: ","))"]
            )
        case .safe:
            self.possible.record(0)
            if case .mayEvict = earlier {
                self.logger.notice("redis no longer evicts keys (no maxmemory, or maxmemory-policy noeviction)")
            }
        case .unknown(let refusal):
            self.logger.notice(
                "redis does not show its eviction policy; HotCart needs maxmemory-policy noeviction",
                metadata: ["refusal": "\(refusal)"]
            )
        }
    }
}
