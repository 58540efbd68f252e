import CartDomain
import HTTPTypes
import Hummingbird

/// The guest session cookie: reading a presented one, minting a fresh one, and the cookie
/// itself with the contract's attributes (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Max-Age` =
/// the guest TTL, `Secure` per configuration).
struct GuestSessionCookies: Sendable {
    let signer: GuestSessionSigner
    let name: String
    /// Everything after the value in `Set-Cookie`, written once: a guest answer carries the
    /// cookie on every request.
    private let attributes: String
    private let verified: VerifiedGuestCookies

    init(
        signer: GuestSessionSigner,
        name: String,
        secure: Bool,
        maxAgeSeconds: Int,
        verified: VerifiedGuestCookies = VerifiedGuestCookies()
    ) {
        self.signer = signer
        self.name = name
        self.attributes = "; Max-Age=\(maxAgeSeconds); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
        self.verified = verified
    }

    /// A guest session, and the `Set-Cookie` field that gives (or renews) its cookie.
    struct Presented: Sendable {
        var session: CartSession
        var setCookie: HTTPField
    }

    /// The session a validly signed cookie in the request names, if any. A browser may send
    /// several cookies of this name (one set for another path or a parent domain, a stale one):
    /// the first whose signature holds is the session. A value seen before is looked up.
    func presented(in request: Request) -> Presented? {
        var presented: Presented?
        for field in request.headers where field.name == .cookie {
            Self.forEachValue(named: self.name, in: field.value) { value in
                presented = self.verified[value] ?? self.verify(value)
                return presented != nil
            }
            if presented != nil { break }
        }
        return presented
    }

    /// What a cookie value presents when its signature holds (then it is remembered).
    private func verify(_ value: String) -> Presented? {
        guard let sessionID = self.signer.sessionID(fromCookie: value) else { return nil }
        let presented = Presented(session: self.session(sessionID, isNew: false), setCookie: self.setCookie(value))
        self.verified.remember(value, presenting: presented)
        return presented
    }

    /// A new session with a new random id (never one the client chose).
    func fresh() -> Presented {
        let sessionID = self.signer.newSessionID()
        return Presented(
            session: self.session(sessionID, isNew: true),
            setCookie: self.setCookie(self.signer.cookieValue(for: sessionID))
        )
    }

    /// The `Set-Cookie` field that gives the client this cookie value.
    private func setCookie(_ value: String) -> HTTPField {
        var field = ""
        field.reserveCapacity(self.name.utf8.count + 1 + value.utf8.count + self.attributes.utf8.count)
        field += self.name
        field += "="
        field += value
        field += self.attributes
        return HTTPField(name: .setCookie, value: field)
    }

    private func session(_ sessionID: String, isNew: Bool) -> CartSession {
        let signer = self.signer
        return CartSession(
            owner: .guest(sessionID: sessionID),
            makeReference: { signer.reference(for: sessionID) },
            isNew: isNew
        )
    }

    /// Calls `found` with the value of each `name=value` pair called `name` in one `Cookie`
    /// header, in order, until it returns `true`.
    private static func forEachValue(named name: String, in header: String, _ found: (String) -> Bool) {
        var header = header
        var name = name
        header.withUTF8 { bytes in
            name.withUTF8 { name in
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                    var pair = start
                    while pair < end && bytes[pair] == UInt8(ascii: " ") { pair += 1 }
                    let equals = pair + name.count
                    if equals < end, bytes[equals] == UInt8(ascii: "="),
                        bytes[pair..<equals].elementsEqual(name),
                        found(String(decoding: bytes[(equals + 1)..<end], as: UTF8.self))
                    {
                        return
                    }
                    start = end + 1
                }
            }
        }
    }
}
