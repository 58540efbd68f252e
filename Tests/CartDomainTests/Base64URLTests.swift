import CartDomain
import Testing

@Suite struct Base64URLTests {
    @Test func roundTripsEveryLengthAndDecodesOnlyTheCanonicalSpelling() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(Base64URL.decode(Array(encoded.utf8)) == bytes)
        }
        #expect(Base64URL.decode(Array("ab*d".utf8)) == nil)
        // Padding, the standard alphabet's '+' and '/', and bytes outside ASCII are refused.
        for refused in ["AA==", "ab+d", "ab/d", "abé"] {
            #expect(Base64URL.decode(Array(refused.utf8)) == nil)
        }
        #expect(Base64URL.decode([0xFF, 0x41, 0x41, 0x41]) == nil)
        // "AB" and "AA" differ only in bits that carry no data: only the canonical one decodes.
        #expect(Base64URL.decode(Array("AA".utf8)) == [0])
        #expect(Base64URL.decode(Array("AB".utf8)) == nil)
    }
}

extension Base64URL {
    /// `text` decoded into an array, for the checks above (the module decodes into a caller's
    /// buffer).
    fileprivate static func decode(_ text: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: text.count * 3 / 4)
        let count = text.withUnsafeBufferPointer { text in
            output.withUnsafeMutableBufferPointer { Self.decode(text, into: $0) }
        }
        return count.map { Array(output.prefix($0)) }
    }
}
