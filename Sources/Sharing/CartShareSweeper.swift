import Foundation
import Logging
import Periodic
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

    public func run() async {
        await Periodic.run(every: self.interval, what: "shared cart sweep", logger: self.logger) {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var deleted = 0
            while case let batch = try await self.repository.deleteExpired(now: now), batch > 0 {
                deleted += batch
            }
            if deleted > 0 { self.logger.info("deleted expired shared carts", metadata: ["count": "\(deleted)"]) }
        }
    }
}
