/// Random identifiers for carts and cart lines: version-4 UUIDs in lowercase text, made
/// without Foundation's `UUID` (this runs on every cart change).
public enum RandomID {
    /// A new random UUID, e.g. `1ae94ae3-43ce-4a69-99e9-ee449028f810`.
    public static func uuid() -> String {
        let (high, low) = Self.bits()
        return Self.text(high: high, low: low)
    }

    /// `bytes` random bytes (every bit random) in base64url: a URL-safe, unguessable token.
    public static func token(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// 128 random bits with the version-4 and RFC 4122 variant bits set, high word first.
    public static func bits() -> (high: UInt64, low: UInt64) {
        var generator = SystemRandomNumberGenerator()
        let high: UInt64 = (generator.next() & ~0xF000) | 0x4000  // version 4
        let low: UInt64 = (generator.next() & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        return (high, low)
    }

    /// The lowercase UUID text of 128 bits, high word first.
    public static func text(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = digit < 16 ? high : low
                let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - (digit % 16) * 4)) & 0xF
                text[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                position += 1
            }
            return position
        }
    }
}
