import Foundation

/// A configuration value that cannot be used; its description is the one line start-up prints.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "configuration error: \(self.variable) \(self.reason)" }
}

/// Typed access to environment variables with the contract's rules for numbers and flags
/// (CONTRACT.md §2): a non-number, a value out of range or an unknown flag word is an error
/// naming the variable.
public struct EnvironmentReader: Sendable {
    public var environment: [String: String]

    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    public func string(_ name: String, default value: String) -> String {
        guard let text = self.environment[name], !text.isEmpty else { return value }
        return text
    }

    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = self.environment[name], !text.isEmpty else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError(variable: name, reason: "must be a whole number, got '\(text)'")
        }
        guard range.contains(number) else {
            throw ConfigurationError(
                variable: name,
                reason: "must be between \(range.lowerBound) and \(range.upperBound), got \(number)"
            )
        }
        return number
    }

    /// A span of time given as a number of `unit`s, whole or not (`CART_SESSION_TTL_DAYS=7`,
    /// `=0.5`, `=0.0001` for a test that cannot wait days), in milliseconds: at most `maximum`
    /// units, and at least a second unless `mayBeZero` (an age past which something is swept or
    /// ends, such as `CART_ABANDONED_AFTER_DAYS=0`, at the next sweep: then any span from 0).
    public func milliseconds(
        _ name: String,
        default value: Int,
        in unit: TimeUnit,
        maximum: Int,
        mayBeZero: Bool = false
    ) throws(ConfigurationError) -> Int64 {
        guard let text = self.environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return Int64(value) * unit.rawValue
        }
        guard text.drop(while: { $0 == "-" }).allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let number = Double(text)
        else {
            throw ConfigurationError(
                variable: name,
                reason: "must be a number of \(unit) such as 7 or 0.5, got '\(text)'"
            )
        }
        guard number.sign == .plus, mayBeZero || number > 0, number <= Double(maximum) else {
            throw ConfigurationError(
                variable: name,
                reason: "must be \(mayBeZero ? "0 or more" : "more than 0") and at most \(maximum) \(unit), got \(text)"
            )
        }
        let milliseconds = Int64((number * Double(unit.rawValue)).rounded())
        guard mayBeZero || milliseconds >= 1000 else {
            throw ConfigurationError(variable: name, reason: "must come to at least one second, got \(text) \(unit)")
        }
        return milliseconds
    }

    /// A feature flag, in the words pydantic's settings (which the PyShop plan configures with)
    /// read as booleans, any case, around spaces.
    public func flag(_ name: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let text = self.environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return value
        }
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n": return false
        default: throw ConfigurationError(variable: name, reason: "must be true or false, got '\(text)'")
        }
    }
}

/// The unit a duration variable is given in, as milliseconds.
public enum TimeUnit: Int64, Sendable, CustomStringConvertible {
    case minutes = 60_000
    case hours = 3_600_000
    case days = 86_400_000

    public var description: String {
        switch self {
        case .minutes: "minutes"
        case .hours: "hours"
        case .days: "days"
        }
    }
}
