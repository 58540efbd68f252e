import Foundation
import JWTKit

/// HS256 access tokens as FastAPI-Users issues them: `sub` (the user id), `aud`
/// (`fastapi-users:auth`) and `exp`, plus `jti`, the id a logout revokes.
public struct AccessTokens: Sendable {
    public static let audience = "fastapi-users:auth"

    /// What a valid token says.
    public struct Verified: Sendable, Hashable {
        public var userID: String
        /// The token's id (`jti`); for a token without one, derived from its signature.
        public var tokenID: String
        public var expiresAt: Date
    }

    private struct Payload: JWTPayload {
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var jti: IDClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try self.exp.verifyNotExpired()
            try self.aud.verifyIntendedAudience(includes: AccessTokens.audience)
        }
    }

    private let keys: JWTKeyCollection
    public let lifetime: Duration

    /// Tokens signed with `secret` (the `SECRET_KEY`, as FastAPI-Users uses it) that live
    /// `lifetime` (`ACCESS_TOKEN_EXPIRE_MINUTES`).
    public init(secret: String, lifetime: Duration) async {
        self.keys = JWTKeyCollection()
        // HMAC pads a key shorter than its block (64 bytes) with zeros, so padding a short
        // secret to the 32 bytes jwt-kit asks for signs exactly as the secret itself does.
        var key = Array(secret.utf8)
        if key.count < 32 { key += [UInt8](repeating: 0, count: 32 - key.count) }
        await self.keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A new token for the user, and what it says.
    public func issue(for userID: String, now: Date = Date()) async throws -> (token: String, claims: Verified) {
        // A whole second, as PyJWT writes FastAPI-Users' `exp`: `"exp": 1795822126`, not a fraction.
        let expiresAt = (now.timeIntervalSince1970 + Double(self.lifetime.components.seconds)).rounded(.down)
        let claims = Verified(
            userID: userID,
            tokenID: UUID().uuidString.lowercased(),
            expiresAt: Date(timeIntervalSince1970: expiresAt)
        )
        let payload = Payload(
            sub: SubjectClaim(value: claims.userID),
            aud: AudienceClaim(value: [Self.audience]),
            exp: ExpirationClaim(value: claims.expiresAt),
            jti: IDClaim(value: claims.tokenID)
        )
        return (try await self.keys.sign(payload), claims)
    }

    /// The claims of a token this key signed, not expired, for this audience; `nil` otherwise
    /// (a changed signature, another algorithm, `alg: none`, another audience, expired).
    public func verify(_ token: String) async -> Verified? {
        guard let payload = try? await self.keys.verify(token, as: Payload.self) else { return nil }
        let tokenID = payload.jti?.value ?? String(token.split(separator: ".").last ?? "")
        return Verified(userID: payload.sub.value.lowercased(), tokenID: tokenID, expiresAt: payload.exp.value)
    }
}
