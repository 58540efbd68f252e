import CartDomain
import Hummingbird

/// Resolves who owns the cart of a request and keeps the guest session cookie alive.
///
/// A valid signed cookie names the session; a missing, malformed or tampered one gets a
/// fresh session (never adopted). Every answer on a cart route carries the cookie again, so
/// its `Max-Age` slides with each request, as the cart's TTL does in Redis.
struct CartOwnerMiddleware: RouterMiddleware {
    typealias Context = CartRequestContext

    let signer: GuestSessionSigner
    let cookieName: String
    let cookieSecure: Bool
    let maxAgeSeconds: Int
    let guestCartsEnabled: Bool

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard self.guestCartsEnabled else { throw CartError.authRequired }
        var context = context
        let presented = self.presentedCookie(request.headers[values: .cookie])
        let sessionID: String
        let cookieValue: String
        let isNew: Bool
        if let presented, let known = self.signer.sessionID(fromCookie: presented) {
            (sessionID, cookieValue, isNew) = (known, presented, false)
        } else {
            sessionID = self.signer.newSessionID()
            cookieValue = self.signer.cookieValue(for: sessionID)
            isNew = true
        }
        context.session = CartSession(
            owner: .guest(sessionID: sessionID),
            reference: self.signer.reference(for: sessionID),
            isNew: isNew
        )
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorResponder.response(for: error, logger: context.logger)
        }
        response.setCookie(
            Cookie(
                name: self.cookieName,
                value: cookieValue,
                maxAge: self.maxAgeSeconds,
                path: "/",
                secure: self.cookieSecure,
                httpOnly: true,
                sameSite: .lax
            )
        )
        return response
    }

    /// The value of the session cookie in the request's `Cookie` headers, if any.
    private func presentedCookie(_ headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard trimmed.hasPrefix(self.cookieName) else { continue }
                let rest = trimmed.dropFirst(self.cookieName.count)
                if rest.first == "=" { return String(rest.dropFirst()) }
            }
        }
        return nil
    }
}
