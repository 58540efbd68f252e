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

    /// A new id for a line of `productID`, made at `milliseconds` since 1970: time-ordered as a
    /// version-7 UUID is (48 bits of time, then 42 random), but version 8, with the product in
    /// its last 32 bits, so that a change naming only the line (`PUT /cart/items/{item_id}`)
    /// tells the server its product, whose stock it can then give the change's one script.
    public static func line(of productID: Int, milliseconds: Int64) -> CartItemID {
        var generator = KernelRandomNumberGenerator()
        return Self.line(of: productID, milliseconds: milliseconds, random: Self.randomBits(&generator))
    }

    /// New ids for lines of these products made at one time, in increasing order: the first
    /// product's id orders first, so lines made together list in the order they came.
    public static func lines(of productIDs: some Collection<Int>, milliseconds: Int64) -> [CartItemID] {
        var generator = KernelRandomNumberGenerator()
        // The random bits sorted before the products join them, below every random bit.
        let random = productIDs.map { _ in Self.randomBits(&generator) }.sorted {
            ($0.high, $0.low) < ($1.high, $1.low)
        }
        return zip(random, productIDs).map { Self.line(of: $1, milliseconds: milliseconds, random: $0) }
    }

    /// The 42 random bits of a line id: 12 after the version, 30 before the product.
    private static func randomBits(_ generator: inout KernelRandomNumberGenerator) -> (high: UInt64, low: UInt64) {
        (generator.next() & 0xFFF, generator.next() & 0x3FFF_FFFF)
    }

    private static func line(of productID: Int, milliseconds: Int64, random: (high: UInt64, low: UInt64)) -> CartItemID
    {
        let time = UInt64(truncatingIfNeeded: milliseconds) & 0xFFFF_FFFF_FFFF
        return CartItemID(
            high: time << 16 | 0x8000 | random.high,  // version 8
            low: 0x8 << 60 | random.low << 32 | UInt64(UInt32(truncatingIfNeeded: productID))  // RFC 9562 variant
        )
    }

    /// The product of a line whose id ``line(of:milliseconds:)`` made; `nil` for another id (a
    /// line made before ids named their product has a version-7 id).
    public var productID: Int? {
        (self.high >> 12) & 0xF == 8 && self.low >> 62 == 0b10 ? Int(self.low & 0xFFFF_FFFF) : nil
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
