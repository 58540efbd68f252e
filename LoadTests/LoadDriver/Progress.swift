import Foundation

/// The live progress line (requests, current rate, failures) and the per-second timeline.
struct Progress: Sendable {
    let live: LiveCounters
    let measureFrom: ContinuousClock.Instant
    let shows: Bool

    /// Samples the counters every second until `end` or cancellation; returns the requests
    /// answered in each measured second.
    func run(until end: ContinuousClock.Instant) async -> [Int] {
        var timeline: [Int] = []
        var last = 0
        var tick = self.measureFrom
        try? await Task.sleep(until: tick)
        last = self.live.snapshot.requests
        while !Task.isCancelled, tick < end {
            tick += .seconds(1)
            do { try await Task.sleep(until: tick) } catch { break }
            let (requests, failures) = self.live.snapshot
            timeline.append(requests - last)
            last = requests
            if self.shows {
                let line = String(
                    format: "\r  %4ds  %10d requests  %9d req/s  %6d failures ",
                    timeline.count,
                    requests,
                    timeline.last ?? 0,
                    failures
                )
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        if self.shows { FileHandle.standardError.write(Data("\n".utf8)) }
        return timeline
    }
}
