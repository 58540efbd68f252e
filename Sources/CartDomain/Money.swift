/// An amount of money in the smallest unit of the base currency (cents for USD).
///
/// All arithmetic is integer arithmetic; the decimal form exists only at the edges (JSON).
public struct Cents: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    public static let zero = Cents(0)

    public static func + (lhs: Cents, rhs: Cents) -> Cents { Cents(lhs.value + rhs.value) }
    public static func - (lhs: Cents, rhs: Cents) -> Cents { Cents(lhs.value - rhs.value) }
    public static func * (lhs: Cents, rhs: Int) -> Cents { Cents(lhs.value * Int64(rhs)) }
    public static func < (lhs: Cents, rhs: Cents) -> Bool { lhs.value < rhs.value }

    /// The amount as a JSON number in major units; exact for every cent value below 2^53.
    public var decimalValue: Double { Double(self.value) / 100 }

    /// The amount written with exactly two decimals, e.g. `59.97`.
    public var description: String { decimalText(minor: self.value, minorUnits: 2) }
}

/// An amount of `minor` smallest units written with exactly `minorUnits` decimals: 5997 with 2
/// is `59.97`, 6140 with 3 is `6.140`, 3028 with 0 is `3028`.
func decimalText(minor: Int64, minorUnits: Int) -> String {
    var scale: UInt64 = 1
    for _ in 0..<minorUnits { scale *= 10 }
    let (whole, fraction) = minor.magnitude.quotientAndRemainder(dividingBy: scale)
    let sign = minor < 0 ? "-" : ""
    guard minorUnits > 0 else { return "\(sign)\(whole)" }
    let digits = String(fraction)
    return "\(sign)\(whole).\(String(repeating: "0", count: minorUnits - digits.count))\(digits)"
}
