import Accounts
import Hummingbird

/// Reads `Authorization: Bearer <JWT>` once per request into ``CartRequestContext/bearer``.
/// It refuses nothing itself: the routes that need or use an identity decide (public routes
/// ignore a bad token, cart and account routes answer 401).
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = CartRequestContext

    let tokens: AccessTokens

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer", let token = await self.tokens.verify(String(parts[1])) {
            context.bearer = .valid(token)
        } else {
            context.bearer = .invalid
        }
        return try await next(request, context)
    }
}
