import Accounts
import CartDomain
import Hummingbird

/// The request context of every HotCart route: Hummingbird's core storage, the bearer token
/// (``BearerTokenMiddleware``) and the cart session (``CartOwnerMiddleware``).
public struct CartRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// What the `Authorization: Bearer` header carried.
    public var bearer: BearerToken = .absent
    /// Whose cart this request reads and changes; set on cart routes.
    public var session: CartSession?
    /// The guest session a signed-in request's cookie still names (what `/cart/merge` merges).
    public var guestSession: CartSession?
    /// The currency the request asked to see money in (`?currency=`); `nil`: the base currency.
    public var displayCurrency: DisplayCurrency?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The session, which ``CartOwnerMiddleware`` guarantees on cart routes.
    func requireSession() throws -> CartSession {
        guard let session = self.session else { throw CartError.authRequired }
        return session
    }

    /// The signed-in user's token: 401 CART_006 without a valid one.
    func requireToken() throws -> AccessTokens.Verified {
        guard case .valid(let token) = self.bearer else { throw CartError.authRequired }
        return token
    }
}

/// The bearer token of a request.
public enum BearerToken: Sendable {
    case absent
    /// Signed by this server, unexpired, for this audience (revocation is checked where used).
    case valid(AccessTokens.Verified)
    /// Present but not acceptable: a route that looks at identity answers 401.
    case invalid
}
