import Synchronization

/// A log line that every request meeting the same trouble would write: let through at most once
/// per `interval`, with how many were held back since the last one written, so that trouble
/// met by thousands of requests a second is a line every few seconds, not a flood.
final class RepeatedLogLine: Sendable {
    private struct State {
        var lastWritten: ContinuousClock.Instant?
        var heldBack = 0
    }

    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    init(interval: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.interval = interval
        self.now = now
    }

    /// How many lines were held back since the last one written, when this one is to be
    /// written; `nil` when it is to be held back.
    func admit() -> Int? {
        let now = self.now()
        return self.state.withLock { state in
            if let last = state.lastWritten, now - last < self.interval {
                state.heldBack += 1
                return nil
            }
            defer { state = State(lastWritten: now) }
            return state.heldBack
        }
    }
}
