import CartDomain
import Hummingbird

/// The request context of every HotCart route: Hummingbird's core storage plus the cart
/// session, resolved once by ``CartOwnerMiddleware``.
public struct CartRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Whose cart this request reads and changes; set on cart routes.
    public var session: CartSession?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The session, which ``CartOwnerMiddleware`` guarantees on cart routes.
    func requireSession() throws -> CartSession {
        guard let session = self.session else { throw CartError.authRequired }
        return session
    }
}
