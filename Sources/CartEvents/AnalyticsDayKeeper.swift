import Foundation
import Logging
import Periodic
import ServiceLifecycle

/// Keeps the analytics figures of each day once it has settled (see ``CartAnalytics``), every
/// hour, for the last `horizonDays` days: a report then reads kept figures for every settled day
/// of its window, however long, instead of working out the days no report asked for before (a
/// month of a busy store's rows takes longer than a request may wait). Runs in the flusher; any
/// number of flushers may run it side by side, each day is kept once.
public struct AnalyticsDayKeeper: Service {
    private let analytics: CartAnalytics
    private let horizonDays: Int
    private let logger: Logger

    public init(analytics: CartAnalytics, horizonDays: Int, logger: Logger) {
        self.analytics = analytics
        self.horizonDays = horizonDays
        self.logger = logger
    }

    public func run() async {
        // The first run may go back over months of rows; a run cut short keeps the weeks it did.
        await Periodic.run(
            every: .seconds(3600),
            deadline: .seconds(600),
            what: "keeping analytics days",
            logger: self.logger
        ) {
            try await self.analytics.keepSettledDays(
                back: self.horizonDays,
                now: Int64(Date().timeIntervalSince1970 * 1000)
            )
        }
    }
}
