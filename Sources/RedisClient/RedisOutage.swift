import Synchronization

/// Whether a Redis server stopped answering connection attempts, and since when: an outage is
/// logged once as it begins and once as it ends, not at every attempt of the pool or every
/// request that meets it.
final class RedisOutage: Sendable {
    private let began = Mutex<ContinuousClock.Instant?>(nil)

    /// Marks the server unreachable; `true` when it was reachable until now.
    func begins() -> Bool {
        self.began.withLock { began in
            guard began == nil else { return false }
            began = .now
            return true
        }
    }

    /// Marks the server reachable; how long it was not, if it was not.
    func ends() -> Duration? {
        self.began.withLock { began in
            defer { began = nil }
            return began.map { .now - $0 }
        }
    }
}
