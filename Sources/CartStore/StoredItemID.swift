import CartDomain

/// Cart line ids as the cart hash keeps them: the UUID's 16 bytes in 22 characters of
/// base64url instead of 36 of text, so a 5-line cart stays a small listpack. The store
/// converts at its edge: scripts only ever see the short form, callers only the UUID text.
enum StoredItemID {
    /// A new time-ordered (version 7) id made at `milliseconds` since 1970, in the stored form.
    static func new(milliseconds: Int64) -> String {
        let (high, low) = RandomID.timeOrderedBits(milliseconds: milliseconds)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for word in [high, low] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
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
    /// Runs for every line of every cart read: no allocation but the string itself.
    static func uuid(_ stored: some Collection<UInt8>) -> String {
        guard stored.count == 22 else { return String(decoding: stored, as: UTF8.self) }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var bits = 0
        for character in stored {
            let value = Self.sextets[Int(character)]
            guard value >= 0 else { return String(decoding: stored, as: UTF8.self) }
            // 22 characters carry 132 bits: the 128 of the UUID, then 4 zero bits.
            if bits < 64 {
                let room = 64 - bits
                if room >= 6 {
                    high |= UInt64(value) << UInt64(room - 6)
                } else {
                    high |= UInt64(value) >> UInt64(6 - room)
                    low |= UInt64(value) << UInt64(58 + room)
                }
            } else if bits < 128 {
                let room = 128 - bits
                low |= room >= 6 ? UInt64(value) << UInt64(room - 6) : UInt64(value) >> UInt64(6 - room)
            }
            bits += 6
        }
        return RandomID.text(high: high, low: low)
    }

    /// The value of each base64url character, -1 for the others.
    private static let sextets: [Int8] = (0..<256).map { code in
        switch UInt8(code) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int8(code) - Int8(UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int8(code) - Int8(UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int8(code) - Int8(UInt8(ascii: "0")) + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: -1
        }
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
