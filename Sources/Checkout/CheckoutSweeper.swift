import Logging
import Periodic
import ServiceLifecycle

/// Releases reservations left past their time: every `interval` it expires overdue checkouts
/// (their stock and promotion use go back, their lines back into the owner's cart). Run by
/// `hotcart flush`; any number may run side by side, since each checkout ends once.
public struct CheckoutSweeper: Service {
    private let service: CheckoutService
    private let interval: Duration
    private let logger: Logger

    public init(service: CheckoutService, interval: Duration = .seconds(5), logger: Logger) {
        self.service = service
        self.interval = interval
        self.logger = logger
    }

    public func run() async {
        await Periodic.run(every: self.interval, what: "checkout sweep", logger: self.logger) {
            let expired = try await self.service.expireOverdue()
            if expired > 0 { self.logger.info("expired checkouts", metadata: ["count": "\(expired)"]) }
        }
    }
}
