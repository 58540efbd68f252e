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
        static let configuration = CommandConfiguration(
            abstract: "Create a user account (bcrypt-hashed password).",
            discussion: """
                Reaches PostgreSQL at DATABASE_URL; hashes with PASSWORD_HASH_COST (12); logs at LOG_LEVEL (info).

                Run again for an email that has an account, it sets that account's password (and with \
                --superuser makes it a superuser) instead of failing, so a set-up script may run it every time.
                """
        )

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
            let hash = try await PasswordHasher(cost: UInt8(loadPasswordHashCost())).hash(self.password)
            let superuser = self.superuser
            let (user, created) = try await withPostgres(as: "hotcart user create", logger: logger) { client in
                try await UserRepository(client: client, logger: logger).provision(
                    email: email,
                    hashedPassword: hash,
                    superuser: superuser
                )
            }
            let role = user.isSuperuser ? " (superuser)" : ""
            print(
                created
                    ? "created user \(user.id) <\(user.email)>\(role)"
                    : "user \(user.id) <\(user.email)>\(role) existed: its password is set"
            )
        }
    }
}
