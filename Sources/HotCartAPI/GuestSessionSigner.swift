import CartDomain
import Crypto

/// Makes and checks guest session cookie values: `<session id>.<HMAC-SHA256 signature>`.
///
/// A session id is 128 bits from the kernel's CSPRNG (`RandomID.token`), base64url. A value
/// whose signature does not verify (tampered, forged, truncated) is rejected, and the caller
/// starts a new session: a client can never choose its own session id.
struct GuestSessionSigner: Sendable {
    /// An HMAC that has already absorbed the key: copying it skips the key schedule, which
    /// otherwise costs more than the message itself on every request. `HMAC` is an immutable
    /// value here (only copies are updated), but swift-crypto does not mark it `Sendable`.
    private final class KeyedMAC: @unchecked Sendable {
        let value: HMAC<SHA256>
        init(_ value: HMAC<SHA256>) { self.value = value }
    }

    private let keyed: KeyedMAC

    init(secret: String) {
        // A key of its own, derived from SECRET_KEY, so cookie signatures and JWTs never share one.
        let derived = HMAC<SHA256>.authenticationCode(
            for: Array("hotcart guest session".utf8),
            using: SymmetricKey(data: Array(secret.utf8))
        )
        self.keyed = KeyedMAC(HMAC(key: SymmetricKey(data: Array(derived))))
    }

    /// A fresh random session id (22 characters).
    func newSessionID() -> String {
        RandomID.token(bytes: 16)
    }

    /// The cookie value for a session id.
    func cookieValue(for sessionID: String) -> String {
        sessionID + "." + self.mac(sessionID).withUnsafeBytes { Base64URL.encode($0) }
    }

    /// The session id in a cookie value, or `nil` when the value is not one this key signed.
    /// The signature is checked on the stack: only a valid value makes a string.
    func sessionID(fromCookie value: String) -> String? {
        var value = value
        return value.withUTF8 { bytes -> String? in
            guard bytes.count == 22 + 1 + 43, bytes[22] == UInt8(ascii: "."),
                !bytes[..<22].contains(UInt8(ascii: "."))
            else { return nil }
            let sessionID = UnsafeBufferPointer(rebasing: bytes[..<22])
            let valid = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { signature in
                guard Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[23...]), into: signature) == 32 else {
                    return false
                }
                // `==` between a MAC and bytes compares in constant time.
                return self.mac(UnsafeRawBufferPointer(sessionID)) == UnsafeRawBufferPointer(signature)
            }
            return valid ? String(decoding: sessionID, as: UTF8.self) : nil
        }
    }

    /// An opaque, stable reference to a session that reveals nothing about the cookie.
    func reference(for sessionID: String) -> String {
        self.mac(sessionID, prefix: "ref:").withUnsafeBytes {
            Base64URL.encode(UnsafeRawBufferPointer(rebasing: $0.prefix(16)))
        }
    }

    private func mac(_ text: String, prefix: StaticString = "") -> HashedAuthenticationCode<SHA256> {
        var text = text
        return text.withUTF8 { self.mac(UnsafeRawBufferPointer($0), prefix: prefix) }
    }

    private func mac(_ bytes: UnsafeRawBufferPointer, prefix: StaticString = "") -> HashedAuthenticationCode<SHA256> {
        var mac = self.keyed.value
        prefix.withUTF8Buffer { mac.update(data: UnsafeRawBufferPointer($0)) }
        mac.update(data: bytes)
        return mac.finalize()
    }
}
