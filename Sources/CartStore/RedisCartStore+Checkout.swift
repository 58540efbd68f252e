import CartDomain
import RedisClient

extension RedisCartStore {
    /// Hands the cart to a checkout: status `converted`, in one atomic step that also checks the
    /// cart is still active and at `version` (CART_008 when it changed, CART_013 when it is not
    /// active). The owner's next cart request starts a new empty cart.
    public func convert(session: CartSession, version: Int64) async throws -> Cart {
        try await self.changeStatus("convert", session: session, version: version)
    }

    /// Takes back a conversion whose checkout could not be stored: the cart is active again,
    /// provided nothing touched it since the conversion gave it `version`.
    public func reopen(session: CartSession, version: Int64) async throws -> Cart {
        try await self.changeStatus("reopen", session: session, version: version)
    }

    private func changeStatus(_ change: String, session: CartSession, version: Int64) async throws -> Cart {
        let parts = try await self.answer(
            CartScripts.convert,
            session: session,
            ifMatch: CartVersionPrecondition(version),
            arguments: [change]
        )
        return try Cart(hash: parts[2].array ?? [], owner: session.owner, expiresAt: self.expiry(of: session.owner))
    }
}
