import CartDomain
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import HotCartAPI

@Suite struct GuestSessionCookiesTests {
    let signer = GuestSessionSigner(secret: "cookies-test-secret")

    func cookies(_ verified: VerifiedGuestCookies) -> GuestSessionCookies {
        GuestSessionCookies(
            signer: self.signer,
            name: "pyshop_cart_session",
            secure: false,
            maxAgeSeconds: 604_800,
            verified: verified
        )
    }

    func request(cookies: [String]) -> Request {
        var fields = HTTPFields()
        for cookie in cookies { fields.append(HTTPField(name: .cookie, value: cookie)) }
        return Request(
            head: HTTPRequest(
                method: .get,
                scheme: "http",
                authority: "localhost",
                path: "/cart",
                headerFields: fields
            ),
            body: RequestBody(buffer: ByteBuffer())
        )
    }

    @Test func aValidCookieIsVerifiedOnceAndThenLookedUp() throws {
        let verified = VerifiedGuestCookies()
        let cookies = self.cookies(verified)
        let sessionID = self.signer.newSessionID()
        let value = self.signer.cookieValue(for: sessionID)
        let request = self.request(cookies: ["other=1", "pyshop_cart_session=\(value)"])
        for _ in 0..<2 {
            let presented = try #require(cookies.presented(in: request))
            #expect(presented.session.owner == .guest(sessionID: sessionID) && !presented.session.isNew)
            #expect(
                presented.setCookie.value
                    == "pyshop_cart_session=\(value); Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"
            )
            #expect(verified.count == 1 && verified[value] != nil)
        }
    }

    @Test func aTamperedCookieIsNeitherPresentedNorKept() {
        let verified = VerifiedGuestCookies()
        let cookies = self.cookies(verified)
        var value = Array(self.signer.cookieValue(for: self.signer.newSessionID()).utf8)
        value[5] = value[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: value, as: UTF8.self)
        #expect(cookies.presented(in: self.request(cookies: ["pyshop_cart_session=\(tampered)"])) == nil)
        #expect(verified.count == 0)
    }

    @Test func theFirstCookieWhoseSignatureHoldsIsTheSession() throws {
        let cookies = self.cookies(VerifiedGuestCookies())
        let sessionID = self.signer.newSessionID()
        let forged = GuestSessionSigner(secret: "another-secret").cookieValue(for: self.signer.newSessionID())
        let request = self.request(cookies: [
            "pyshop_cart_session=\(forged)", "pyshop_cart_session=\(self.signer.cookieValue(for: sessionID))",
        ])
        #expect(try #require(cookies.presented(in: request)).session.owner == .guest(sessionID: sessionID))
    }

    @Test func theKeptValuesStayWithinTheirCapacity() throws {
        let verified = VerifiedGuestCookies(capacity: 3)
        let cookies = self.cookies(verified)
        for _ in 0..<10 {
            let sessionID = self.signer.newSessionID()
            let request = self.request(cookies: ["pyshop_cart_session=\(self.signer.cookieValue(for: sessionID))"])
            #expect(try #require(cookies.presented(in: request)).session.owner == .guest(sessionID: sessionID))
            #expect(verified.count <= 3)
        }
    }
}
