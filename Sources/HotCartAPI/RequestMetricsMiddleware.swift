import Hummingbird
import Prometheus
import Synchronization

/// Counts and times every request by route, method and status, straight into the server's
/// Prometheus registry: `hotcart_http_requests_total` and
/// `hotcart_http_request_duration_seconds`.
///
/// The metrics for one route, method and status are made once and then found in a small
/// dictionary, so a request costs one short lock, one atomic add and one histogram record.
/// Placed outside the error middleware, it sees the status every answer really had.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let metrics: RouteMetrics

    init(registry: PrometheusCollectorRegistry) {
        self.metrics = RouteMetrics(registry: registry)
    }

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            status = (error as? any HTTPResponseError)?.status.code ?? 500
            self.metrics.record(route: context.endpointPath, method: request.method, status: status, since: start)
            throw error
        }
        self.metrics.record(route: context.endpointPath, method: request.method, status: status, since: start)
        return response
    }
}

/// The request counter and latency histogram of each route, method and status seen so far.
private final class RouteMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private struct Metrics {
        var requests: Counter
        var duration: DurationHistogram
    }

    /// From 100 µs (a cart read by an idle server takes a few hundred) to 2.5 s.
    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
    ]

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hotcart",
            subsystem: "http",
            metricName: "requests",
            unitName: "total",
            helpText: "HTTP requests answered, by route, method and status."
        )
    }
    private static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hotcart",
            subsystem: "http",
            metricName: "request_duration",
            unitName: "seconds",
            helpText: "Time to answer an HTTP request, by route, method and status."
        )
    }

    private let registry: PrometheusCollectorRegistry
    private let known = Mutex<[Key: Metrics]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func record(route: String?, method: HTTPRequest.Method, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let key = Key(route: route ?? "unmatched", method: method, status: status)
        let metrics = self.known.withLock { known in
            if let metrics = known[key] { return metrics }
            let labels = [("route", key.route), ("method", key.method.rawValue), ("status", String(status))]
            let metrics = Metrics(
                requests: self.registry.makeCounter(descriptor: Self.requests, labels: labels),
                duration: self.registry.makeDurationHistogram(
                    descriptor: Self.duration,
                    labels: labels,
                    buckets: Self.buckets
                )
            )
            known[key] = metrics
            return metrics
        }
        metrics.requests.increment()
        metrics.duration.record(elapsed)
    }
}
