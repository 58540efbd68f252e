import Histogram

/// What one task saw: latency per endpoint, answers by status and error code, mismatches.
///
/// Each task records into its own recorder (no lock on the request path); the run merges
/// them at the end.
public struct Recorder: Sendable {
    /// Latency (µs) and count of one endpoint.
    public struct Endpoint: Sendable {
        public var latency = Histogram<UInt64>(
            highestTrackableValue: 60_000_000,
            numberOfSignificantValueDigits: .three
        )
        public var count = 0
    }

    public private(set) var endpoints: [String: Endpoint] = [:]
    /// `"<status> <code>"` (e.g. `409 CART_004`, `503 CART_010`, `transport`) → answers.
    public private(set) var outcomes: [String: Int] = [:]
    public private(set) var mismatches: [String] = []
    /// Answers with a 5xx status or no answer at all.
    public private(set) var failures = 0
    /// Off during warm-up and the closing checks: requests then are not measured.
    public var isMeasuring = true
    /// Where measured requests are also counted for the progress line.
    let live: LiveCounters?

    public init(live: LiveCounters? = nil) {
        self.live = live
    }

    public mutating func record(endpoint: String, microseconds: UInt64, status: Int?, code: String?) {
        let failed = (status ?? 500) >= 500
        if failed { self.failures += 1 }
        guard self.isMeasuring else { return }
        self.live?.count(failed: failed)
        self.endpoints[endpoint, default: Endpoint()].count += 1
        _ = self.endpoints[endpoint, default: Endpoint()].latency.record(max(microseconds, 1))
        if let status, status < 400 { return }
        let key = status.map { "\($0) \(code ?? "-")" } ?? "transport"
        self.outcomes[key, default: 0] += 1
    }

    /// A check that failed; kept in full (the report prints the first few).
    public mutating func mismatch(_ description: String) {
        self.mismatches.append(description)
    }

    public mutating func merge(_ other: Recorder) {
        for (name, endpoint) in other.endpoints {
            self.endpoints[name, default: Endpoint()].count += endpoint.count
            self.endpoints[name, default: Endpoint()].latency.add(endpoint.latency)
        }
        self.outcomes.merge(other.outcomes, uniquingKeysWith: +)
        self.mismatches += other.mismatches
        self.failures += other.failures
    }

    /// Every endpoint together.
    public var total: Endpoint {
        var all = Endpoint()
        for endpoint in self.endpoints.values {
            all.count += endpoint.count
            all.latency.add(endpoint.latency)
        }
        return all
    }
}
