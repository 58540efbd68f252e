import Accounts
import ArgumentParser
import Foundation
import Logging

/// `hotcart user …`: operator account management.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage user accounts.",
        subcommands: [Create.self]
    )

    /// `hotcart user create --email E --password P [--superuser]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user account (bcrypt-hashed password).")

        @Option(help: "The account's email (its login name).")
        var email: String

        @Option(help: "At least 8 characters.")
        var password: String

        @Flag(help: "May manage the catalog and see the admin endpoints.")
        var superuser = false

        func validate() throws {
            guard AccountPolicy.normalizedEmail(self.email) != nil else {
                throw ValidationError("--email is not an email address")
            }
            if let reason = AccountPolicy.passwordProblem(self.password) { throw ValidationError(reason) }
        }

        func run() async throws {
            bootstrapLogging()
            let logger = Logger(label: "hotcart.user")
            let email = AccountPolicy.normalizedEmail(self.email) ?? self.email
            let cost = Int(ProcessInfo.processInfo.environment["PASSWORD_HASH_COST"] ?? "") ?? 12
            let hash = try await PasswordHasher(cost: UInt8(clamping: min(max(cost, 4), 16))).hash(self.password)
            let superuser = self.superuser
            let user = try await withPostgres(logger: logger) { client in
                do {
                    return try await UserRepository(client: client, logger: logger).insert(
                        User(
                            id: UUID().uuidString.lowercased(),
                            email: email,
                            username: nil,
                            hashedPassword: hash,
                            isSuperuser: superuser,
                            isVerified: true
                        )
                    )
                } catch AccountError.userAlreadyExists {
                    throw CommandFailure("a user with email \(email) already exists")
                }
            }
            print("created user \(user.id) <\(user.email)>\(user.isSuperuser ? " (superuser)" : "")")
        }
    }
}
