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
    public var description: String {
        let sign = self.value < 0 ? "-" : ""
        let magnitude = self.value.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
