import Synchronization

/// Log lines that every request meeting the same trouble would write: each kind let through at
/// most once per `interval`, with how many of that kind were held back since the last one
/// written, so that trouble met by thousands of requests a second is a line every few seconds,
/// not a flood, and a second kind of trouble meanwhile still gets a line of its own.
final class RepeatedLogLine: Sendable {
    /// Kinds timed apart; past this many, the kinds not yet seen share one window (kinds are
    /// error codes, a handful in practice, but they come from outside).
    static let kindLimit = 32

    private struct Window {
        var lastWritten: ContinuousClock.Instant
        var heldBack = 0
    }

    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let windows = Mutex([String: Window]())

    init(interval: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.interval = interval
        self.now = now
    }

    /// How many lines of `kind` were held back since the last one written, when this one is to
    /// be written; `nil` when it is to be held back.
    func admit(_ kind: String) -> Int? {
        let now = self.now()
        return self.windows.withLock { windows in
            let kind = windows[kind] != nil || windows.count < Self.kindLimit ? kind : ""
            if var window = windows[kind], now - window.lastWritten < self.interval {
                window.heldBack += 1
                windows[kind] = window
                return nil
            }
            defer { windows[kind] = Window(lastWritten: now) }
            return windows[kind]?.heldBack ?? 0
        }
    }
}
