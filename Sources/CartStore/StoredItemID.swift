import CartDomain

/// Cart line ids as the cart hash keeps them: the UUID's 16 bytes in 22 characters of
/// base64url instead of 36 of text, so a 5-line cart stays a small listpack. The store
/// converts at its edge: scripts only ever see the short form, callers only ``CartItemID``s.
enum StoredItemID {
    /// A new time-ordered (version 7) id made at `milliseconds` since 1970, in the stored form.
    static func new(milliseconds: Int64) -> String {
        Self.stored(CartItemID.timeOrdered(milliseconds: milliseconds))
    }

    /// The stored form of an id.
    static func stored(_ id: CartItemID) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { bytes in
            for index in 0..<8 {
                bytes[index] = UInt8(truncatingIfNeeded: id.high >> UInt64(56 - index * 8))
                bytes[index + 8] = UInt8(truncatingIfNeeded: id.low >> UInt64(56 - index * 8))
            }
            return Base64URL.encode(UnsafeRawBufferPointer(bytes))
        }
    }

    /// The id in its stored form, or in the UUID text a line written before ids were shortened
    /// keeps; `nil` for anything else. Runs for every line of every cart read: the stored form
    /// is decoded without an allocation.
    static func id(_ stored: some Collection<UInt8>) -> CartItemID? {
        guard stored.count == 22 else {
            return stored.count == 36 ? CartItemID(uuid: String(decoding: stored, as: UTF8.self)) : nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var bits = 0
        for character in stored {
            let value = Self.sextets[Int(character)]
            guard value >= 0 else { return nil }
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
        return CartItemID(high: high, low: low)
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
}
