import Deadline
import Logging
import ServiceLifecycle

/// Work a long-running service does again and again at a fixed pace: the in-process caches'
/// reloads and the flusher's sweeps.
public enum Periodic {
    /// Runs `work` now and then every `interval` until the task is cancelled or graceful
    /// shutdown begins (a wait, or work in flight, is cut short then, so shutdown never waits
    /// out an interval). A run of `work` still going after `deadline` is abandoned, cancelled but
    /// not waited for (a PostgreSQL call may never end), and counts as a failure. A failing
    /// `work` is logged when it starts failing (`"<what> failing; <meanwhile>"`) and when it
    /// works again, not at every attempt.
    public static func run(
        every interval: Duration,
        deadline: Duration = .seconds(30),
        what: String,
        meanwhile: String = "retrying",
        logger: Logger,
        _ work: @escaping @Sendable () async throws -> Void
    ) async {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await withDeadline(deadline, orThrow: TimedOut(deadline: deadline), work)
                    if failing { logger.info("\(what) recovered") }
                    failing = false
                } catch {
                    if Task.isCancelled { return }
                    if !failing { logger.warning("\(what) failing; \(meanwhile)", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// A run of the work that did not end within its deadline.
    public struct TimedOut: Error, CustomStringConvertible {
        public let deadline: Duration
        public var description: String { "no end within \(self.deadline)" }
    }
}
