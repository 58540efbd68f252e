import ArgumentParser
import Checkout
import HotCartAPI
import Hummingbird
import Logging
import Metrics
import Prometheus
import RedisClient

#if canImport(Glibc)
import Glibc
#endif

/// `hotcart serve`: the HTTP front.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the cart HTTP API.",
        discussion: """
            Configured by the environment (defaults in config/defaults.env, meanings in the \
            README): REDIS_URL, DATABASE_URL, HOST, PORT, SECRET_KEY (required), \
            ACCESS_TOKEN_EXPIRE_MINUTES, CART_SESSION_TTL_DAYS, CART_USER_IDLE_DAYS, CART_MAX_ITEMS, \
            CART_MAX_QUANTITY_PER_ITEM, CART_COOKIE_NAME, CART_COOKIE_SECURE, \
            CART_RATE_LIMIT_PER_MINUTE, CART_CURRENCY, CART_CURRENCIES, CORS_ORIGINS, \
            CART_RESERVATION_MINUTES, CART_SHARE_TTL_DAYS, CART_EVENTS_MAX_STREAMS, \
            CART_EVENTS_KEEPALIVE_SECONDS, CART_EVENTS_STREAM_SECONDS, HTTP_IDLE_TIMEOUT_SECONDS, \
            PASSWORD_HASH_COST, LOG_LEVEL, ENABLE_GUEST_CARTS, ENABLE_CART_MERGE, \
            ENABLE_CART_VALIDATION, ENABLE_CART_ANALYTICS; the flusher's settings are checked too. \
            A bad value stops start-up with one line naming the variable.

            SIGTERM or SIGINT: stops accepting connections, ends the live cart streams, finishes \
            the requests in flight, then exits.
            """
    )

    func run() async throws {
        bootstrapLogging()
        let configuration = loadConfiguration()
        raiseOpenFileLimit()
        let logger = Logger(label: "hotcart.serve")
        logWhereItPoints(configuration, logger: logger)
        let registry = bootstrapPrometheus()
        let services = await HotCartServices(configuration: configuration, metrics: registry, logger: logger)
        let app = buildApplication(configuration: configuration, services: services, logger: logger)
        try await runLoggingShutdown(
            app,
            shuttingDown: "shutting down: no new connections; finishing the requests in flight",
            logger: logger
        )
    }
}

/// Lets the process open as many files as the system allows it (the hard limit): each live
/// cart stream (up to `CART_EVENTS_MAX_STREAMS`) holds a connection, and a soft limit of 1,024 is
/// common.
private func raiseOpenFileLimit() {
    #if os(Linux)
    var limit = rlimit()
    let files = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(files, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(files, &limit)
    #endif
}

/// Sends this process's swift-metrics to a Prometheus registry and returns it, for `/metrics`.
func bootstrapPrometheus() -> PrometheusCollectorRegistry {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.durationHistogramBuckets = Dictionary(
        uniqueKeysWithValues: [RedisClient.callDuration, CheckoutService.holdTime]
    )
    factory.nameAndLabelSanitizer = { name, labels in
        (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
    }
    MetricsSystem.bootstrap(factory)
    return registry
}

/// Metric and label names as Prometheus allows them (`hb.requests` → `hb_requests`).
private func prometheusName(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
}
