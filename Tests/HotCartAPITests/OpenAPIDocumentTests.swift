import Foundation
import HotCartTestSupport
import Hummingbird
import Logging
import Prometheus
import Testing

@testable import HotCartAPI

/// `GET /openapi.json` stays true to the router: every route is documented, and every
/// documented operation is a route.
@Suite struct OpenAPIDocumentTests {
    /// `METHOD /path` with path parameters as `{name}` and no trailing slash.
    static func normalized(_ method: String, _ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return
            "\(method.uppercased()) \(path.replacingOccurrences(of: #":([A-Za-z_]+)"#, with: "{$1}", options: .regularExpression))"
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() async throws {
        let configuration = AppConfiguration(
            redis: TestEnvironment.redis,
            database: TestEnvironment.database,
            secretKey: "test-secret"
        )
        let logger = Logger(label: "hotcart.test")
        let services = await HotCartServices(
            configuration: configuration,
            metrics: PrometheusCollectorRegistry(),
            logger: logger
        )
        let router = buildRouter(configuration: configuration, services: services, logger: logger)
        let routes = Set(router.routes.map { Self.normalized($0.method.rawValue, $0.path.description) })

        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OperationsController.openAPIDocument)) as? [String: Any]
        )
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert(Self.normalized(method, path))
            }
        }
        #expect(
            routes.subtracting(documented).isEmpty,
            "undocumented routes: \(routes.subtracting(documented).sorted())"
        )
        #expect(
            documented.subtracting(routes).isEmpty,
            "documented but not routed: \(documented.subtracting(routes).sorted())"
        )
        #expect(routes.count >= 25)
    }
}
