import Accounts
import Hummingbird

/// Reads `Authorization: Bearer <JWT>` once per request into ``CartRequestContext/bearer``.
/// It refuses nothing itself: the routes that need or use an identity decide (public routes
/// ignore a bad token, cart and account routes answer 401). Another scheme (`Basic`, as a
/// password-protected staging site sends) is not a token: the request is a guest's, as
/// FastAPI-Users' optional bearer dependency has it.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = CartRequestContext

    let tokens: AccessTokens

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        let scheme = header.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return try await next(request, context) }
        var context = context
        let token = header.dropFirst(scheme.count).trimmingPrefix(" ")
        if let verified = await self.tokens.verify(String(token)) {
            context.bearer = .valid(verified)
        } else {
            context.bearer = .invalid
        }
        return try await next(request, context)
    }
}
