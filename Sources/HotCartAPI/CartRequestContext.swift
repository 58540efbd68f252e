import CartDomain
import Hummingbird

/// The request context of every HotCart route: Hummingbird's core storage plus the cart
/// owner, resolved once by ``CartOwnerMiddleware``.
public struct CartRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Whose cart this request reads and changes; set on cart routes.
    public var owner: CartOwner?
    /// The opaque session reference a guest cart reports as `session_id`.
    public var sessionReference: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// The owner, which ``CartOwnerMiddleware`` guarantees on cart routes.
    func requireOwner() throws -> CartOwner {
        guard let owner = self.owner else { throw CartError.authRequired }
        return owner
    }
}
