import Foundation
import Logging
import Periodic
import ServiceLifecycle

/// Keeps the analytics figures of each day once it has settled (see ``CartAnalytics``), every
/// hour, back as far as a report may keep them (``CartAnalytics/keptDays``): a report then reads
/// kept figures for every settled day of its window, however long, instead of working out the
/// days no report asked for before (a month of a busy store's rows takes longer than a request
/// may wait). Runs in the flusher; any number of flushers may run it side by side, each day is
/// kept once.
public struct AnalyticsDayKeeper: Service {
    private let analytics: CartAnalytics
    private let logger: Logger

    public init(analytics: CartAnalytics, logger: Logger) {
        self.analytics = analytics
        self.logger = logger
    }

    public func run() async {
        // The first run may go back over a year of rows; a run cut short keeps the weeks it did,
        // and the next goes on from there.
        await Periodic.run(
            every: .seconds(3600),
            deadline: .seconds(600),
            what: "keeping analytics days",
            logger: self.logger
        ) {
            try await self.analytics.keepSettledDays(
                back: CartAnalytics.keptDays,
                now: Int64(Date().timeIntervalSince1970 * 1000)
            )
        }
    }
}
