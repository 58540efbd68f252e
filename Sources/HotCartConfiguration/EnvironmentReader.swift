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

    public func flag(_ name: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let text = self.environment[name], !text.isEmpty else { return value }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(variable: name, reason: "must be true or false, got '\(text)'")
        }
    }
}
