/// A cart line's id: a UUID, held as its 128 bits.
///
/// A cart read makes no string per line: the text (lowercase, as the contract shows it, e.g.
/// `019abf3c-5a1e-7c4d-9e2f-0b6a1d3c8e47`) is formatted only where it is written out. Ids
/// order as their texts do.
public struct CartItemID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The UUID's first 64 bits.
    public var high: UInt64
    /// The UUID's last 64 bits.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The id in a UUID's 16 bytes, in their written order (as PostgreSQL's binary `uuid` and
    /// Foundation's `UUID.uuid` hold them).
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 16, "a UUID is 16 bytes")
        self.init(
            high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
            low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        )
    }

    /// Calls `body` with the id's 16 bytes in their written order (what ``init(bytes:)`` reads).
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: (self.high.bigEndian, self.low.bigEndian), body)
    }

    /// The id in UUID text (`8-4-4-4-12` hexadecimal digits, either case), or `nil` for any
    /// other text.
    public init?(uuid text: some StringProtocol) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        var position = 0
        for character in text.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard position < 36, let nibble = Self.nibble(character) else { return nil }
            if digits < 16 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
            digits += 1
        }
        guard position == 36 else { return nil }
        self.init(high: high, low: low)
    }

    /// A new time-ordered id (version 7) made at `milliseconds` since 1970.
    public static func timeOrdered(milliseconds: Int64) -> CartItemID {
        let (high, low) = RandomID.timeOrderedBits(milliseconds: milliseconds)
        return CartItemID(high: high, low: low)
    }

    /// The lowercase UUID text.
    public var description: String { RandomID.text(high: self.high, low: self.low) }

    /// Calls `body` with the lowercase UUID text (36 bytes of ASCII), formatted on the stack.
    @inlinable
    public func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
            RandomID.writeText(high: self.high, low: self.low, into: text)
            return try body(UnsafeBufferPointer(text))
        }
    }

    public static func < (lhs: CartItemID, rhs: CartItemID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
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
