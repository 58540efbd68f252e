import Database
import Foundation
import Logging
import PostgresNIO

/// Accounts in PostgreSQL's `"user"` table. Emails are stored lowercase and unique.
public struct UserRepository: Sendable {
    private let client: DatabasePool
    private let logger: Logger

    public init(client: DatabasePool, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts a new account; ``AccountError/userAlreadyExists`` when the email is taken.
    /// Committed only for a caller still waiting for it: a registration answered 503 at its
    /// deadline leaves no account behind to make the retry "already exists".
    public func insert(_ user: User) async throws -> User {
        do {
            _ = try await self.client.rowsCommittedUnlessCancelled(
                """
                INSERT INTO "user" (id, email, username, hashed_password, is_active, is_superuser, is_verified)
                VALUES (\(user.id)::uuid, \(user.email), \(user.username), \(user.hashedPassword),
                        \(user.isActive), \(user.isSuperuser), \(user.isVerified))
                """,
                logger: self.logger
            )
            return user
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw AccountError.userAlreadyExists
        }
    }

    /// An operator's account as `hotcart user create` leaves it: a new, verified account when the
    /// email has none; otherwise the existing one, given this password and, with `superuser`, made
    /// a superuser (never demoted). So a set-up script may run the command again and again.
    public func provision(
        email: String,
        hashedPassword: String,
        superuser: Bool
    ) async throws -> (user: User, created: Bool) {
        do {
            let user = User(
                id: UUID().uuidString.lowercased(),
                email: email,
                username: nil,
                hashedPassword: hashedPassword,
                isSuperuser: superuser,
                isVerified: true
            )
            return (try await self.insert(user), true)
        } catch AccountError.userAlreadyExists {
            guard var existing = try await self.user(email: email) else { throw AccountError.userAlreadyExists }
            existing.hashedPassword = hashedPassword
            existing.isSuperuser = existing.isSuperuser || superuser
            return (try await self.update(existing), false)
        }
    }

    public func user(email: String) async throws -> User? {
        try await self.users(
            "SELECT \(unescaped: Self.columns) FROM \"user\" WHERE email = \(email)"
        ).first
    }

    public func user(id: String) async throws -> User? {
        // A malformed id is simply unknown (checked before it reaches SQL).
        guard UUID(uuidString: id) != nil else { return nil }
        return try await self.users("SELECT \(unescaped: Self.columns) FROM \"user\" WHERE id = \(id)::uuid").first
    }

    /// Saves every field of an existing account; ``AccountError/emailAlreadyExists`` when the
    /// new email belongs to another account.
    public func update(_ user: User) async throws -> User {
        do {
            try await self.client.execute(
                """
                UPDATE "user" SET email = \(user.email), username = \(user.username),
                    hashed_password = \(user.hashedPassword), is_active = \(user.isActive),
                    is_superuser = \(user.isSuperuser), is_verified = \(user.isVerified)
                WHERE id = \(user.id)::uuid
                """,
                logger: self.logger
            )
            return user
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw AccountError.emailAlreadyExists
        }
    }

    private static let columns = "id::text, email, username, hashed_password, is_active, is_superuser, is_verified"

    private func users(_ query: PostgresQuery) async throws -> [User] {
        let rows = try await self.client.rows(query, logger: self.logger)
        var users: [User] = []
        for (id, email, username, hash, isActive, isSuperuser, isVerified) in try rows.decode(
            (String, String, String?, String, Bool, Bool, Bool).self
        ) {
            users.append(
                User(
                    id: id,
                    email: email,
                    username: username,
                    hashedPassword: hash,
                    isActive: isActive,
                    isSuperuser: isSuperuser,
                    isVerified: isVerified
                )
            )
        }
        return users
    }
}
