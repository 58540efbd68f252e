import Logging
import ServiceLifecycle

/// Work a long-running service does again and again at a fixed pace: the in-process caches'
/// reloads and the flusher's sweeps.
public enum Periodic {
    /// Runs `work` now and then every `interval` until the task is cancelled or graceful
    /// shutdown begins (a wait, or work in flight, is cut short then, so shutdown never waits
    /// out an interval). A failing `work` is logged when it starts failing (`"<what> failing;
    /// <meanwhile>"`) and when it works again, not at every attempt.
    public static func run(
        every interval: Duration,
        what: String,
        meanwhile: String = "retrying",
        logger: Logger,
        _ work: @escaping @Sendable () async throws -> Void
    ) async {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await work()
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
}
