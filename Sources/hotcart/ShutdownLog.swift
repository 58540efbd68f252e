import Logging
import ServiceLifecycle

/// Runs `application` until SIGTERM or SIGINT and its graceful shutdown end (what Hummingbird's
/// `runService()` does), and says in the log when the shutdown begins (`shuttingDown`) and when
/// the process has stopped: the lines an operator looks for when a deploy replaces a process.
func runLoggingShutdown(_ application: some Service, shuttingDown: Logger.Message, logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: application),
                // It ends on its own once it has said so, which ends nothing else.
                .init(
                    service: ShutdownAnnouncement(message: shuttingDown, logger: logger),
                    successTerminationBehavior: .ignore
                ),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
    )
    try await group.run()
    logger.info("stopped")
}

/// Logs `message` as graceful shutdown begins (a group shuts its services down last first, so
/// this one, listed after the application, speaks before the application stops).
private struct ShutdownAnnouncement: Service {
    let message: Logger.Message
    let logger: Logger

    func run() async throws {
        try await gracefulShutdown()
        self.logger.info(self.message)
    }
}
