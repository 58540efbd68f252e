/// Random identifiers for carts and cart lines: version-4 UUIDs in lowercase text, made
/// without Foundation's `UUID` (this runs on every cart change).
public enum RandomID {
    private static let hex = Array("0123456789abcdef".utf8)

    /// A new random UUID, e.g. `1ae94ae3-43ce-4a69-99e9-ee449028f810`.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for digit in 0..<32 {
            if digit == 8 || digit == 12 || digit == 16 || digit == 20 { text.append(UInt8(ascii: "-")) }
            let word = digit < 16 ? high : low
            text.append(hex[Int((word >> UInt64(60 - (digit % 16) * 4)) & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
