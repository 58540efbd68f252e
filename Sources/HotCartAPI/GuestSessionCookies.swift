import CartDomain
import Hummingbird

/// The guest session cookie: reading a presented one, minting a fresh one, and the cookie
/// itself with the contract's attributes (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Max-Age` =
/// the guest TTL, `Secure` per configuration).
struct GuestSessionCookies: Sendable {
    let signer: GuestSessionSigner
    let name: String
    let secure: Bool
    let maxAgeSeconds: Int

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

    func cookie(_ value: String) -> Cookie {
        Cookie(
            name: self.name,
            value: value,
            maxAge: self.maxAgeSeconds,
            path: "/",
            secure: self.secure,
            httpOnly: true,
            sameSite: .lax
        )
    }

    private func session(_ sessionID: String, isNew: Bool) -> CartSession {
        CartSession(owner: .guest(sessionID: sessionID), reference: self.signer.reference(for: sessionID), isNew: isNew)
    }

    /// The value of the session cookie in the request's `Cookie` headers, if any.
    private func cookieValue(_ headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard trimmed.hasPrefix(self.name) else { continue }
                let rest = trimmed.dropFirst(self.name.count)
                if rest.first == "=" { return String(rest.dropFirst()) }
            }
        }
        return nil
    }
}
