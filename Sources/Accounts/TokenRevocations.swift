import CartDomain
import CartStore
import Foundation
import RedisClient

/// The deny-list of logged-out tokens, in Redis, keyed by token id, each entry kept until the
/// token would have expired anyway.
///
/// An entry lives beside its user's cart (same hash tag), so the cart scripts check it in the
/// same atomic step as the cart change: a revoked token costs the cart path no extra round trip.
public struct TokenRevocations: Sendable {
    private let redis: RedisClient

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// Revokes a token until its expiry.
    public func revoke(_ token: AccessTokens.Verified, now: Date = Date()) async throws {
        let milliseconds = max(1, Int((token.expiresAt.timeIntervalSince(now) * 1000).rounded(.up)))
        let key = CartKeys(owner: .user(id: token.userID)).revokedToken(token.tokenID)
        _ = try await self.redis.send(["SET", key, "1", "PX", String(milliseconds)])
    }

    /// Whether a token was revoked (for routes outside the cart scripts).
    public func isRevoked(_ token: AccessTokens.Verified) async throws -> Bool {
        let key = CartKeys(owner: .user(id: token.userID)).revokedToken(token.tokenID)
        return try await self.redis.send(["EXISTS", key]).int == 1
    }
}
