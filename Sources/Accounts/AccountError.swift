import Foundation

/// A refusal of the account endpoints, answered as FastAPI-Users answers it
/// (`{"detail": …}`), so existing PyShop clients read it unchanged.
public enum AccountError: Error, Sendable, Hashable {
    /// Registration with an email that already has an account.
    case userAlreadyExists
    /// A password the policy refuses (registration), with the reason.
    case invalidPassword(reason: String)
    /// A password the policy refuses (update of the current user), with the reason.
    case invalidUpdatedPassword(reason: String)
    /// An update to an email another account has.
    case emailAlreadyExists
    /// Unknown email, wrong password or inactive account: one answer for all three.
    case badCredentials
    /// Not an email address (FastAPI's 422 validation error).
    case invalidEmail

    /// The FastAPI-Users error code.
    public var code: String {
        switch self {
        case .userAlreadyExists: "REGISTER_USER_ALREADY_EXISTS"
        case .invalidPassword: "REGISTER_INVALID_PASSWORD"
        case .invalidUpdatedPassword: "UPDATE_USER_INVALID_PASSWORD"
        case .emailAlreadyExists: "UPDATE_USER_EMAIL_ALREADY_EXISTS"
        case .badCredentials: "LOGIN_BAD_CREDENTIALS"
        case .invalidEmail: "value_error"
        }
    }

    public var status: Int { self == .invalidEmail ? 422 : 400 }
}

/// What FastAPI-Users accepts as a password and an email.
public enum AccountPolicy {
    public static let minimumPasswordLength = 8

    /// The reason a password is refused, or `nil` when it is acceptable.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < Self.minimumPasswordLength {
            return "Password should be at least \(Self.minimumPasswordLength) characters"
        }
        // bcrypt reads at most 72 bytes; a longer limit only bounds the work.
        if password.utf8.count > 1024 { return "Password should be at most 1024 bytes" }
        return nil
    }

    /// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces,
    /// at most 320 characters. Normalised to lowercase, as accounts are looked up by it.
    public static func normalizedEmail(_ email: String) -> String? {
        let trimmed = email.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 320, parts.count == 2, !parts[0].isEmpty,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return nil }
        return trimmed.lowercased()
    }
}
