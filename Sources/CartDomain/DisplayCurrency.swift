/// A currency carts can be shown in: its ISO 4217 code, its minor units, and how many of its
/// units one unit of the base currency buys.
///
/// Conversion is integer arithmetic: a rate is kept to 10 decimals (as PostgreSQL keeps it), and
/// an amount is converted from base cents and rounded half-up to the currency's minor units.
public struct DisplayCurrency: Sendable, Hashable {
    /// Rates are kept as integers of 10⁻¹⁰.
    public static let rateScale: Int64 = 10_000_000_000

    /// Three upper-case letters.
    public var code: String
    /// Digits after the decimal point: JPY 0, USD 2, KWD 3 (ISO 4217).
    public var minorUnits: Int
    /// Units of this currency per base unit, times ``rateScale``.
    public var scaledRate: Int64

    public init(code: String, scaledRate: Int64) {
        self.code = code
        self.minorUnits = Self.minorUnits(of: code)
        self.scaledRate = scaledRate
    }

    /// `amount` (base cents) in this currency's minor units, rounded half-up (half away from
    /// zero for a negative amount).
    public func convert(_ amount: Cents) -> Int64 {
        // minor = cents × rate × 10^minorUnits / (rateScale × 10^2), in 128 bits.
        let numerator = Int128(amount.value) * Int128(self.scaledRate) * Self.power(self.minorUnits)
        let denominator = Int128(Self.rateScale) * 100
        // Clamped: an absurd rate on a huge cart shows the largest amount, never traps.
        let magnitude = Int64(clamping: (numerator.magnitude + UInt128(denominator) / 2) / UInt128(denominator))
        return numerator < 0 ? -magnitude : magnitude
    }

    /// `minor` (an amount in this currency's smallest unit) written with exactly its minor
    /// units of decimals: `3028` for JPY, `6.140` for KWD.
    public func text(minor: Int64) -> String {
        decimalText(minor: minor, minorUnits: self.minorUnits)
    }

    private static func power(_ exponent: Int) -> Int128 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    /// ISO 4217 minor units: 2 unless the currency is one of those with 0, 3 or 4.
    public static func minorUnits(of code: String) -> Int {
        switch code {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
            "XOF", "XPF":
            0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
            3
        case "CLF", "UYW":
            4
        default:
            2
        }
    }

    /// Whether `code` has the shape of an ISO 4217 code (three letters A to Z).
    public static func isWellFormed(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }
}
