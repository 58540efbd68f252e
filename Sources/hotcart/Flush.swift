import ArgumentParser
import CartEvents
import CartStore
import Checkout
import Database
import Foundation
import HotCartAPI
import HotCartConfiguration
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import RedisClient
import ServiceLifecycle
import Sharing
import WriteBehind

/// `hotcart flush`: the write-behind flusher sidecar, with its own `/metrics` and `/healthz`.
struct Flush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Persist cart snapshots from Redis to PostgreSQL (any number may run side by side).",
        discussion: """
            Configured by the environment as `hotcart serve` is (see its help; SECRET_KEY is not \
            needed), and FLUSH_BATCH_SIZE, FLUSH_INTERVAL_MS, FLUSH_WORKERS, FLUSH_CLAIM_AFTER_MS, \
            FLUSH_METRICS_PORT (its /metrics and /healthz, on HOST), CART_CLEANUP_INTERVAL_HOURS, \
            CART_ABANDONED_AFTER_DAYS, CART_ARCHIVE_AFTER_DAYS, CART_WEBHOOK_URL and \
            CART_WEBHOOK_SECRET. A bad value stops start-up with one line naming the variable.

            SIGTERM or SIGINT: finishes the batch in hand (its records are acknowledged only once \
            committed, so even SIGKILL loses nothing), then exits.
            """
    )

    func run() async throws {
        bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        let consumer = "flush-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let flushing: FlusherConfiguration
        let shared: AppConfiguration
        do {
            flushing = try FlusherConfiguration(environment: environment, consumerName: consumer)
            shared = try AppConfiguration(
                environment: environment,
                requiresSecret: false,
                applicationName: "hotcart flush"
            )
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = Logger(label: "hotcart.flush")
        logWhereItPoints(shared, logger: logger)
        let registry = bootstrapPrometheus()
        let redis = RedisClient(configuration: .init(seeds: shared.redis))
        let postgres = DatabasePool(configuration: shared.database, logger: logger)
        let flusher = CartFlusher(
            configuration: flushing,
            redis: redis,
            postgres: postgres,
            settings: shared.cart,
            logger: logger
        )
        // Reservations past their time are released here, beside the other sweeps.
        let checkouts = CheckoutSweeper(
            service: CheckoutService(
                postgres: postgres,
                store: RedisCartStore(
                    redis: redis,
                    settings: shared.cart,
                    durable: PostgresCartSource(postgres: postgres, logger: logger)
                ),
                reservation: shared.reservation,
                currency: shared.cart.currency,
                logger: logger
            ),
            logger: logger
        )
        let shares = CartShareSweeper(
            repository: CartShareRepository(postgres: postgres, logger: logger),
            logger: logger
        )
        let evictions = RedisEvictionWatch(redis: redis, logger: logger)
        var services: [any Service] = [redis, postgres, flusher, checkouts, shares, evictions]
        if shared.enableCartAnalytics {
            // Every settled day a report may keep stays kept, so a report never works them out itself.
            let analytics = CartAnalytics(postgres: postgres, logger: logger)
            services.append(AnalyticsDayKeeper(analytics: analytics, logger: logger))
        }
        // Cart events go to CART_WEBHOOK_URL when it is set.
        if let url = shared.webhookURL {
            services.append(
                WebhookDelivery(
                    configuration: .init(url: url, secret: shared.webhookSecret),
                    postgres: postgres,
                    logger: logger
                )
            )
        }
        let router = Router()
        router.get("healthz") { _, _ in #"{"status":"ok"}"# }
        router.get("metrics") { _, _ in String(decoding: registry.emitToBuffer(), as: UTF8.self) }
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(shared.host, port: flushing.metricsPort),
                serverName: "HotCart flusher"
            ),
            services: services,
            logger: logger
        )
        try await runLoggingShutdown(app, shuttingDown: "shutting down: finishing the batch in hand", logger: logger)
    }
}
