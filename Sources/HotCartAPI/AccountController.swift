import Accounts
import CartDomain
import CartStore
import Foundation
import Hummingbird
import Logging

/// FastAPI-Users' routes: `POST /auth/register`, `POST /auth/jwt/login` (form-encoded, and
/// the merge of the guest cart it carries), `POST /auth/jwt/logout`, `GET|PATCH /users/me`.
///
/// Only these touch PostgreSQL for identity; cart routes trust the signed token and check its
/// revocation inside the cart's own Redis step.
struct AccountController {
    let users: UserRepository
    let hasher: PasswordHasher
    let tokens: AccessTokens
    let revocations: TokenRevocations
    let authenticator: Authenticator
    let merger: GuestCartMerger

    func addRoutes(to group: RouterGroup<CartRequestContext>) {
        group.post("auth/register", use: self.register)
        group.post("auth/jwt/login", use: self.login)
        group.post("auth/jwt/logout", use: self.logout)
        group.get("users/me", use: self.me)
        group.patch("users/me", use: self.updateMe)
    }

    @Sendable func register(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            var email: String
            var password: String
            var username: String?
        }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard let email = AccountPolicy.normalizedEmail(body.email) else { throw AccountError.invalidEmail }
        if let reason = AccountPolicy.passwordProblem(body.password) {
            throw AccountError.invalidPassword(reason: reason)
        }
        let user = try await self.users.insert(
            User(
                id: UUID().uuidString.lowercased(),
                email: email,
                username: body.username,
                hashedPassword: try await self.hasher.hash(body.password)
            )
        )
        return JSONBody.response(UserResponse(user), status: .created)
    }

    @Sendable func login(request: Request, context: CartRequestContext) async throws -> Response {
        struct Form: Decodable {
            var username: String?
            var password: String?
        }
        let buffer = try await JSONBody.collect(request)
        let form = try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        guard let username = form?.username else {
            throw CartError.invalidRequest("Form field 'username' is required", field: "username")
        }
        guard let password = form?.password else {
            throw CartError.invalidRequest("Form field 'password' is required", field: "password")
        }
        let email = AccountPolicy.normalizedEmail(username) ?? username.lowercased()
        let user = try await self.users.user(email: email)
        // The hash is checked even for an unknown email, so the answer takes as long either way.
        guard try await self.hasher.verify(password, against: user?.hashedPassword), let user, user.isActive
        else {
            throw AccountError.badCredentials
        }
        let (token, claims) = try await self.tokens.issue(for: user.id)
        // A token is a credential: no cache may keep the answer (RFC 6749, section 5.1).
        var response = JSONBody.response(
            ["access_token": token, "token_type": "bearer"],
            headers: [.cacheControl: "no-store"]
        )
        let userSession = CartSession(owner: .user(id: user.id), tokenID: claims.tokenID)
        if let rotated = await self.merger.mergeOnLogin(request, into: userSession, logger: context.logger) {
            response.headers.append(rotated)
        }
        return response
    }

    @Sendable func logout(request: Request, context: CartRequestContext) async throws -> Response {
        let token = try await self.authenticator.activeToken(context)
        try await self.revocations.revoke(token)
        return Response(status: .noContent)
    }

    @Sendable func me(request: Request, context: CartRequestContext) async throws -> Response {
        JSONBody.response(UserResponse(try await self.authenticator.currentUser(context)))
    }

    @Sendable func updateMe(request: Request, context: CartRequestContext) async throws -> Response {
        struct Body: Decodable {
            var email: String?
            var password: String?
            var username: String?
        }
        var user = try await self.authenticator.currentUser(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        if let email = body.email {
            guard let normalized = AccountPolicy.normalizedEmail(email) else { throw AccountError.invalidEmail }
            user.email = normalized
        }
        if let password = body.password {
            if let reason = AccountPolicy.passwordProblem(password) {
                throw AccountError.invalidUpdatedPassword(reason: reason)
            }
            user.hashedPassword = try await self.hasher.hash(password)
        }
        if let username = body.username { user.username = username }
        return JSONBody.response(UserResponse(try await self.users.update(user)))
    }
}

/// A user as FastAPI-Users answers it (never the password hash).
struct UserResponse: Encodable {
    var id: String
    var email: String
    var username: String?
    var isActive: Bool
    var isSuperuser: Bool
    var isVerified: Bool

    init(_ user: User) {
        self.id = user.id
        self.email = user.email
        self.username = user.username
        self.isActive = user.isActive
        self.isSuperuser = user.isSuperuser
        self.isVerified = user.isVerified
    }

    enum CodingKeys: String, CodingKey {
        case id, email, username
        case isActive = "is_active"
        case isSuperuser = "is_superuser"
        case isVerified = "is_verified"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.email, forKey: .email)
        try container.encode(self.username, forKey: .username)
        try container.encode(self.isActive, forKey: .isActive)
        try container.encode(self.isSuperuser, forKey: .isSuperuser)
        try container.encode(self.isVerified, forKey: .isVerified)
    }
}
