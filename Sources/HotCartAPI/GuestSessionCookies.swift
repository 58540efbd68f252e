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

    init(signer: GuestSessionSigner, name: String, secure: Bool, maxAgeSeconds: Int) {
        self.signer = signer
        self.name = name
        self.attributes = "; Max-Age=\(maxAgeSeconds); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// A guest session and the cookie value that names it.
    struct Presented {
        var session: CartSession
        var cookieValue: String
    }

    /// The session a validly signed cookie in the request names, if any.
    func presented(in request: Request) -> Presented? {
        guard let value = self.cookieValue(request.headers[values: .cookie]),
            let sessionID = self.signer.sessionID(fromCookie: value)
        else { return nil }
        return Presented(session: self.session(sessionID, isNew: false), cookieValue: value)
    }

    /// A new session with a new random id (never one the client chose).
    func fresh() -> Presented {
        let sessionID = self.signer.newSessionID()
        return Presented(
            session: self.session(sessionID, isNew: true),
            cookieValue: self.signer.cookieValue(for: sessionID)
        )
    }

    /// The `Set-Cookie` field that gives the client this cookie value.
    func setCookie(_ value: String) -> HTTPField {
        HTTPField(name: .setCookie, value: self.name + "=" + value + self.attributes)
    }

    private func session(_ sessionID: String, isNew: Bool) -> CartSession {
        CartSession(owner: .guest(sessionID: sessionID), reference: self.signer.reference(for: sessionID), isNew: isNew)
    }

    /// The value of the session cookie in the request's `Cookie` headers, if any.
    private func cookieValue(_ headers: [String]) -> String? {
        for header in headers {
            if let value = Self.value(named: self.name, in: header) { return value }
        }
        return nil
    }

    /// The value of the first `name=value` pair called `name` in one `Cookie` header.
    private static func value(named name: String, in header: String) -> String? {
        var header = header
        var name = name
        return header.withUTF8 { bytes in
            name.withUTF8 { name -> String? in
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                    var pair = start
                    while pair < end && bytes[pair] == UInt8(ascii: " ") { pair += 1 }
                    let equals = pair + name.count
                    if equals < end, bytes[equals] == UInt8(ascii: "="),
                        bytes[pair..<equals].elementsEqual(name)
                    {
                        return String(decoding: bytes[(equals + 1)..<end], as: UTF8.self)
                    }
                    start = end + 1
                }
                return nil
            }
        }
    }
}
