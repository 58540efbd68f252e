import Foundation
import Logging
import ServiceLifecycle

/// Deletes shared carts once they have expired (reads already refuse them): every `interval`,
/// in batches, until none is left. Run by `hotcart flush`; any number may run side by side.
public struct CartShareSweeper: Service {
    private let repository: CartShareRepository
    private let interval: Duration
    private let logger: Logger

    public init(repository: CartShareRepository, interval: Duration = .seconds(60), logger: Logger) {
        self.repository = repository
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Shutdown cancels the wait (and a batch in flight, which rolls back).
        await cancelWhenGracefulShutdown { await self.sweepUntilCancelled() }
    }

    private func sweepUntilCancelled() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                var deleted = 0
                while case let batch = try await self.repository.deleteExpired(now: now), batch > 0 {
                    deleted += batch
                }
                if deleted > 0 { self.logger.info("deleted expired shared carts", metadata: ["count": "\(deleted)"]) }
                if failing { self.logger.info("shared cart sweep recovered") }
                failing = false
            } catch {
                if !failing {
                    self.logger.warning("shared cart sweep failing; retrying", metadata: ["error": "\(error)"])
                }
                failing = true
            }
            try? await Task.sleep(for: self.interval)
        }
    }
}
