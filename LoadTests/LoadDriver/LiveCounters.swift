import Synchronization

/// Requests answered and failures so far, shared by every task of a run for the progress line.
public final class LiveCounters: Sendable {
    let requests = Atomic<Int>(0)
    let failures = Atomic<Int>(0)

    public init() {}

    func count(failed: Bool) {
        self.requests.add(1, ordering: .relaxed)
        if failed { self.failures.add(1, ordering: .relaxed) }
    }

    var snapshot: (requests: Int, failures: Int) {
        (self.requests.load(ordering: .relaxed), self.failures.load(ordering: .relaxed))
    }
}
