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

    @Test func aReferenceIsStableAndRevealsNeitherTheIdNorTheSignature() {
        let sessionID = self.signer.newSessionID()
        let reference = self.signer.reference(for: sessionID)
        #expect(reference == self.signer.reference(for: sessionID))
        #expect(reference != sessionID && !self.signer.cookieValue(for: sessionID).contains(reference))
        #expect(reference != self.signer.reference(for: self.signer.newSessionID()))
    }
}
