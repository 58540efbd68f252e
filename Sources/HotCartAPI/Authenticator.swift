import Accounts
import CartDomain

/// Who is calling an account or administration route: the bearer token, not logged out,
/// of an active account (looked up in PostgreSQL; cart routes never come here).
struct Authenticator: Sendable {
    let users: UserRepository
    let revocations: TokenRevocations

    /// The request's token, valid and not logged out; 401 CART_006 otherwise.
    func activeToken(_ context: CartRequestContext) async throws -> AccessTokens.Verified {
        let token = try context.requireToken()
        guard try await !self.revocations.isRevoked(token) else { throw CartError.authRequired }
        return token
    }

    /// The signed-in user, active; 401 CART_006 otherwise.
    func currentUser(_ context: CartRequestContext) async throws -> User {
        let token = try await self.activeToken(context)
        guard let user = try await self.users.user(id: token.userID), user.isActive else {
            throw CartError.authRequired
        }
        return user
    }

    /// The signed-in user, who must be a superuser: 401 without a user, 403 CART_011 for others.
    func superuser(_ context: CartRequestContext) async throws -> User {
        let user = try await self.currentUser(context)
        guard user.isSuperuser else { throw CartError(.forbidden, "Only a superuser may do this") }
        return user
    }
}
