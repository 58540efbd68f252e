import Crypto
import Foundation

/// Makes and checks guest session cookie values: `<session id>.<HMAC-SHA256 signature>`.
///
/// A session id is 128 bits from the system CSPRNG, base64url. A value whose signature does
/// not verify (tampered, forged, truncated) is rejected, and the caller starts a new session:
/// a client can never choose its own session id.
struct GuestSessionSigner: Sendable {
    private let keyBytes: [UInt8]

    init(secret: String) {
        // A key of its own, derived from SECRET_KEY, so cookie signatures and JWTs never share one.
        let derived = HMAC<SHA256>.authenticationCode(
            for: Data("hotcart guest session".utf8),
            using: SymmetricKey(data: Data(secret.utf8))
        )
        self.keyBytes = Array(derived)
    }

    private var key: SymmetricKey { SymmetricKey(data: self.keyBytes) }

    /// A fresh random session id.
    func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded()
    }

    /// The cookie value for a session id.
    func cookieValue(for sessionID: String) -> String {
        sessionID + "." + self.signature(of: sessionID)
    }

    /// The session id in a cookie value, or `nil` when the value is not one this key signed.
    func sessionID(fromCookie value: String) -> String? {
        guard let dot = value.firstIndex(of: "."), value.utf8.count < 128 else { return nil }
        let sessionID = String(value[..<dot])
        let signature = Data(value[value.index(after: dot)...].utf8)
        guard sessionID.utf8.count == 22,
            HMAC<SHA256>.isValidAuthenticationCode(
                Data(base64URLEncoded: signature) ?? Data(),
                authenticating: Data(sessionID.utf8),
                using: self.key
            )
        else { return nil }
        return sessionID
    }

    /// An opaque, stable reference to a session that reveals nothing about the cookie.
    func reference(for sessionID: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(("ref:" + sessionID).utf8), using: self.key)
        return Data(code.prefix(16)).base64URLEncoded()
    }

    private func signature(of sessionID: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(sessionID.utf8), using: self.key)).base64URLEncoded()
    }
}

extension Data {
    func base64URLEncoded() -> String {
        self.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded bytes: Data) {
        var text = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        self.init(base64Encoded: text)
    }
}
