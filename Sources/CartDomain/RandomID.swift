/// Identifiers in lowercase UUID text, made without Foundation's `UUID` (this runs on every
/// cart change): random (version 4) ones, and time-ordered (version 7) ones for rows that
/// PostgreSQL indexes by id (a cart line's id is made by ``CartItemID/line(of:milliseconds:)``).
public enum RandomID {
    /// A new random UUID, e.g. `1ae94ae3-43ce-4a69-99e9-ee449028f810`.
    public static func uuid() -> String {
        let (high, low) = Self.bits()
        return Self.text(high: high, low: low)
    }

    /// A new time-ordered UUID (version 7, RFC 9562) made at `milliseconds` since 1970, e.g.
    /// `019abf3c-5a1e-7c4d-9e2f-0b6a1d3c8e47`: its first 48 bits are the time, 74 of the rest random.
    ///
    /// Carts, cart lines and checkouts get these: a new row's key then lands beside the
    /// other new keys at the end of its index instead of on a random page of it, so writing
    /// new rows touches few index pages (and, after each checkpoint, writes few full-page images
    /// to the WAL).
    public static func timeOrderedUUID(milliseconds: Int64) -> String {
        let (high, low) = Self.timeOrderedBits(milliseconds: milliseconds)
        return Self.text(high: high, low: low)
    }

    /// `bytes` random bytes (every bit random) in base64url: a URL-safe, unguessable token.
    public static func token(bytes count: Int) -> String {
        var generator = KernelRandomNumberGenerator()
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (count + 7) / 8) { words in
            for index in words.indices { words[index] = generator.next() }
            return Base64URL.encode(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(words)[..<count]))
        }
    }

    /// 128 random bits with the version-4 and RFC 4122 variant bits set, high word first.
    private static func bits() -> (high: UInt64, low: UInt64) {
        var generator = KernelRandomNumberGenerator()
        let high: UInt64 = (generator.next() & ~0xF000) | 0x4000  // version 4
        let low: UInt64 = (generator.next() & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        return (high, low)
    }

    /// 128 bits of a version-7 UUID made at `milliseconds` since 1970, high word first.
    private static func timeOrderedBits(milliseconds: Int64) -> (high: UInt64, low: UInt64) {
        var generator = KernelRandomNumberGenerator()
        let time = UInt64(truncatingIfNeeded: milliseconds) & 0xFFFF_FFFF_FFFF
        let high: UInt64 = (time << 16) | 0x7000 | (generator.next() & 0xFFF)  // version 7
        let low: UInt64 = (generator.next() & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        return (high, low)
    }

    /// The lowercase UUID text of 128 bits, high word first.
    public static func text(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            Self.writeText(high: high, low: low, into: text)
            return 36
        }
    }

    /// Writes the lowercase UUID text of 128 bits (36 bytes) at the start of `text`.
    public static func writeText(high: UInt64, low: UInt64, into text: UnsafeMutableBufferPointer<UInt8>) {
        precondition(text.count >= 36, "UUID text is 36 bytes")
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
    }
}
