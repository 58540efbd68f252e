import Testing

@testable import HotCartAPI

@Suite struct GuestSessionSignerTests {
    let signer = GuestSessionSigner(secret: "signer-test-secret")

    @Test func aValueItSignedNamesItsSession() throws {
        let sessionID = self.signer.newSessionID()
        let value = self.signer.cookieValue(for: sessionID)
        #expect(value.utf8.count == 22 + 1 + 43)
        #expect(self.signer.sessionID(fromCookie: value) == sessionID)
    }

    @Test func everyAlteredValueIsRefused() throws {
        let sessionID = self.signer.newSessionID()
        let value = Array(self.signer.cookieValue(for: sessionID).utf8)
        // Any one character changed, in the id, the dot or the signature, is refused. The last
        // character also carries 4 unused bits: only its canonical spelling is accepted.
        for position in value.indices {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "."), UInt8(ascii: "_")]
            where replacement != value[position] {
                var altered = value
                altered[position] = replacement
                #expect(self.signer.sessionID(fromCookie: String(decoding: altered, as: UTF8.self)) == nil)
            }
        }
        let otherKey = GuestSessionSigner(secret: "another-secret")
        for refused in [
            String(decoding: value.dropLast(), as: UTF8.self), String(decoding: value, as: UTF8.self) + "A",
            otherKey.cookieValue(for: sessionID), "", sessionID,
        ] {
            #expect(self.signer.sessionID(fromCookie: refused) == nil)
        }
    }

    @Test func aValueThatVerifiedIsRememberedAndAlteredOnesAreStillRefused() {
        let verified = VerifiedCookieValues()
        let signer = GuestSessionSigner(secret: "signer-test-secret", verified: verified)
        let sessionID = signer.newSessionID()
        let value = signer.cookieValue(for: sessionID)
        #expect(signer.sessionID(fromCookie: value) == sessionID)
        #expect(verified.count == 1 && verified.sessionID(for: value) == sessionID)
        #expect(signer.sessionID(fromCookie: value) == sessionID)
        var altered = Array(value.utf8)
        altered[30] = altered[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(signer.sessionID(fromCookie: String(decoding: altered, as: UTF8.self)) == nil)
        #expect(signer.sessionID(fromCookie: value + "A") == nil)
        #expect(verified.count == 1)
    }

    @Test func theRememberedValuesStayWithinTheirCapacity() {
        let verified = VerifiedCookieValues(capacity: 3)
        let signer = GuestSessionSigner(secret: "signer-test-secret", verified: verified)
        for _ in 0..<10 {
            let sessionID = signer.newSessionID()
            #expect(signer.sessionID(fromCookie: signer.cookieValue(for: sessionID)) == sessionID)
            #expect(verified.count <= 3)
        }
    }

    @Test func aReferenceIsStableAndRevealsNeitherTheIdNorTheSignature() {
        let sessionID = self.signer.newSessionID()
        let reference = self.signer.reference(for: sessionID)
        #expect(reference == self.signer.reference(for: sessionID))
        #expect(reference != sessionID && !self.signer.cookieValue(for: sessionID).contains(reference))
        #expect(reference != self.signer.reference(for: self.signer.newSessionID()))
    }
}
