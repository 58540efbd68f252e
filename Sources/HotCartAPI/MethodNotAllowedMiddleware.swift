import Hummingbird

/// Answers 405 Method Not Allowed, with `Allow` (HEAD beside GET), when the path is a route
/// but not for this method (Hummingbird answers 404 for both). Added last, so it wraps only the
/// not-found responder and costs matched routes nothing.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route path as segments (`nil` for a `{parameter}`), with its methods.
    private let routes: [(segments: [Substring?], methods: [String])]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: [String]] = [:]
        for route in routes {
            methods[route.path.description, default: []].append(route.method.rawValue)
            // The router answers HEAD wherever it answers GET.
            if route.method == .get { methods[route.path.description, default: []].append("HEAD") }
        }
        self.routes = methods.map { path, methods in
            (Self.segments(path).map { $0.hasPrefix("{") || $0.hasPrefix(":") ? nil : $0 }, methods.sorted())
        }
    }

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = Self.segments(request.uri.path)
            guard let route = self.routes.first(where: { Self.matches($0.segments, path) }) else { throw error }
            var response = ErrorResponder.response(for: HTTPError(.methodNotAllowed), logger: context.logger)
            response.headers[.allow] = route.methods.joined(separator: ", ")
            return response
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ pattern: [Substring?], _ path: [Substring]) -> Bool {
        pattern.count == path.count && zip(pattern, path).allSatisfy { $0 == nil || $0 == $1 }
    }
}
