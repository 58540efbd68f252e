import CartDomain
import HTTPTypes
import Hummingbird

/// Resolves who owns the cart of a request and keeps the guest session cookie alive.
///
/// A valid bearer token makes it the user's cart (a bad token is 401, never a silent switch
/// to a guest cart). Otherwise a valid signed cookie names the guest session; a missing,
/// malformed or tampered one gets a fresh session (never adopted). Every guest answer carries
/// the cookie again, so its `Max-Age` slides with each request, as the cart's TTL does in Redis.
/// Every answer varies by `Authorization` and `Cookie`.
struct CartOwnerMiddleware: RouterMiddleware {
    typealias Context = CartRequestContext

    let cookies: GuestSessionCookies
    let guestCartsEnabled: Bool

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        switch context.bearer {
        case .valid(let token):
            context.session = CartSession(owner: .user(id: token.userID), tokenID: token.tokenID)
            context.guestSession = self.cookies.presented(in: request)?.session
            var response = try await next(request, context)
            response.headers.append(Self.vary)
            return response
        case .invalid:
            throw CartError.authRequired
        case .absent:
            guard self.guestCartsEnabled else { throw CartError.authRequired }
        }
        let guest = self.cookies.presented(in: request) ?? self.cookies.fresh()
        context.session = guest.session
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorResponder.response(for: error, logger: context.logger)
        }
        response.headers.append(guest.setCookie)
        response.headers.append(Self.vary)
        return response
    }

    /// Whose cart an answer shows depends on both: a cache must not answer one owner's request
    /// (or revalidate its `ETag`, a version two carts can share) with another owner's cart.
    private static let vary = HTTPField(name: .vary, value: "Authorization, Cookie")
}
