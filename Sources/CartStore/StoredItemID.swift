import CartDomain

/// Cart line ids as the cart hash keeps them: the UUID's 16 bytes in 22 characters of
/// base64url instead of 36 of text, so a 5-line cart stays a small listpack. The store
/// converts at its edge: scripts only ever see the short form, callers only the UUID text.
enum StoredItemID {
    private static let hex = Array("0123456789abcdef".utf8)

    /// A new random (version 4) id, in the stored form.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return Base64URL.encode(bytes)
    }

    /// The stored form of a UUID in text (either case), or `nil` when `uuid` is not one.
    static func stored(_ uuid: String) -> String? {
        let text = Array(uuid.utf8)
        guard text.count == 36 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var index = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard text[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                continue
            }
            guard let high = Self.nibble(text[index]), let low = Self.nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return Base64URL.encode(bytes)
    }

    /// The UUID text of a stored id (a line written before ids were shortened keeps its text).
    static func uuid(_ stored: some Collection<UInt8>) -> String {
        guard stored.count == 22, let bytes = Base64URL.decode(stored), bytes.count == 16 else {
            return String(decoding: stored, as: UTF8.self)
        }
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (position, byte) in bytes.enumerated() {
            if position == 4 || position == 6 || position == 8 || position == 10 { text.append(UInt8(ascii: "-")) }
            text.append(Self.hex[Int(byte >> 4)])
            text.append(Self.hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
