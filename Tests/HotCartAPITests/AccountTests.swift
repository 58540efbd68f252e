import Accounts
import Crypto
import Database
import Foundation
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import HotCartAPI

/// FastAPI-Users' routes against the real Redis and PostgreSQL.
@Suite struct AccountTests {
    @Test func registerLoginMeUpdateLogoutRoundTrip() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let email = uniqueEmail()
            let registered = try await browser.send(
                .post,
                "/auth/register",
                json: #"{"email": "\#(email)", "password": "correct horse battery", "username": "shopper"}"#
            )
            #expect(registered.status == .created)
            #expect(registered.json["email"] as? String == email)
            #expect(registered.json["username"] as? String == "shopper")
            #expect(registered.json["is_active"] as? Bool == true)
            #expect(registered.json["is_superuser"] as? Bool == false)
            #expect(registered.json["is_verified"] as? Bool == false)
            #expect(registered.json["hashed_password"] == nil)
            let id = try #require(registered.json["id"] as? String)

            let login = try await browser.logIn(email)
            #expect(login.status == .ok)
            #expect(login.json["token_type"] as? String == "bearer")
            #expect(login.headers[.cacheControl] == "no-store")
            let me = try await browser.send(.get, "/users/me")
            #expect(me.status == .ok)
            #expect(me.json["id"] as? String == id)

            let renamed = try await browser.send(.patch, "/users/me", json: #"{"username": "renamed"}"#)
            #expect(renamed.json["username"] as? String == "renamed")
            let shortPassword = try await browser.send(.patch, "/users/me", json: #"{"password": "short"}"#)
            #expect(shortPassword.status == .badRequest)
            #expect(
                (shortPassword.json["detail"] as? [String: Any])?["code"] as? String == "UPDATE_USER_INVALID_PASSWORD"
            )

            let logout = try await browser.send(.post, "/auth/jwt/logout")
            #expect(logout.status == .noContent)
            #expect(try await browser.send(.get, "/users/me").status == .unauthorized)
            let cart = try await browser.send(.get, "/cart")
            #expect(cart.status == .unauthorized)
            #expect(cart.code == "CART_006")
            #expect(
                try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#).status
                    == .unauthorized
            )
            // A new login gets a new token that works.
            try await browser.logIn(email)
            #expect(try await browser.send(.get, "/users/me").status == .ok)
        }
    }

    /// A registration that PostgreSQL holds up past the request's deadline (another
    /// transaction is inserting the same email) is answered 503; when that transaction rolls
    /// back, the registration left behind commits nothing, and the shopper's retry registers.
    @Test func aRegistrationThatOutlivesItsDeadlineLeavesNoAccount() async throws {
        struct RollBack: Error {}
        try await withTestApp(
            settings: { $0.databaseTimeout = .milliseconds(500) },
            test: { client, services async throws in
                let browser = Browser(client)
                let email = uniqueEmail()
                let body = #"{"email": "\#(email)", "password": "long enough"}"#
                let (inserted, insertDone) = AsyncStream.makeStream(of: Void.self)
                let (release, releaseRequested) = AsyncStream.makeStream(of: Void.self)
                async let holder: Void = {
                    _ = try? await services.postgres.withTransaction(logger: Logger(label: "test")) { connection in
                        try await connection.execute(
                            """
                            INSERT INTO "user" (id, email, hashed_password, is_active, is_superuser, is_verified)
                            VALUES (gen_random_uuid(), \(email), 'x', TRUE, FALSE, FALSE)
                            """,
                            logger: Logger(label: "test")
                        )
                        insertDone.yield()
                        for await _ in release { break }
                        throw RollBack()
                    }
                }()
                for await _ in inserted { break }
                let refused = try await browser.send(.post, "/auth/register", json: body)
                #expect(refused.status == .serviceUnavailable && refused.code == "CART_010")
                releaseRequested.yield()
                await holder
                try await Task.sleep(for: .seconds(1))
                let accounts = try await services.postgres.rows(
                    "SELECT count(*)::int FROM \"user\" WHERE email = \(email)",
                    logger: Logger(label: "test")
                )
                #expect(try accounts.decode(Int.self).first == 0)
                #expect(try await browser.send(.post, "/auth/register", json: body).status == .created)
            }
        )
    }

    /// `hotcart user create` run again for the same email, as a set-up script does.
    @Test func provisioningAnOperatorTwiceSetsThePasswordAndNeverDemotes() async throws {
        try await withTestApp { client, services async throws in
            let accounts = UserRepository(client: services.postgres, logger: Logger(label: "test"))
            let hasher = PasswordHasher(cost: 4)
            let email = uniqueEmail()
            let first = try await accounts.provision(
                email: email,
                hashedPassword: try await hasher.hash("first password"),
                superuser: true
            )
            #expect(first.created && first.user.isSuperuser && first.user.isVerified)
            let again = try await accounts.provision(
                email: email,
                hashedPassword: try await hasher.hash("second password"),
                superuser: false
            )
            #expect(!again.created && again.user.id == first.user.id && again.user.isSuperuser)
            let browser = Browser(client)
            #expect(try await browser.logIn(email, password: "first password").status == .badRequest)
            #expect(try await browser.logIn(email, password: "second password").status == .ok)
            #expect(try await browser.send(.get, "/users/me").json["is_superuser"] as? Bool == true)
            // An account a shopper registered becomes a superuser when the operator says so.
            let shopper = uniqueEmail()
            try await Browser(client).register(shopper)
            let promoted = try await accounts.provision(
                email: shopper,
                hashedPassword: try await hasher.hash("operator password"),
                superuser: true
            )
            #expect(!promoted.created && promoted.user.isSuperuser)
        }
    }

    @Test func registrationAndLoginRefusalsAreFastAPIUsersErrors() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let email = uniqueEmail()
            try await browser.register(email)
            let again = try await browser.send(
                .post,
                "/auth/register",
                json: #"{"email": "\#(email.uppercased())", "password": "another password"}"#
            )
            #expect(again.status == .badRequest)
            #expect(again.json["detail"] as? String == "REGISTER_USER_ALREADY_EXISTS")
            let short = try await browser.send(
                .post,
                "/auth/register",
                json: #"{"email": "\#(uniqueEmail())", "password": "short"}"#
            )
            #expect(short.status == .badRequest)
            #expect((short.json["detail"] as? [String: Any])?["code"] as? String == "REGISTER_INVALID_PASSWORD")
            let badEmail = try await browser.send(
                .post,
                "/auth/register",
                json: #"{"email": "not-an-email", "password": "long enough password"}"#
            )
            #expect(badEmail.status == .unprocessableContent)
            let missing = try await browser.send(.post, "/auth/register", json: #"{"email": "\#(uniqueEmail())"}"#)
            #expect(missing.code == "CART_005")

            let wrongPassword = try await browser.logIn(email, password: "wrong password")
            #expect(wrongPassword.status == .badRequest)
            #expect(wrongPassword.json["detail"] as? String == "LOGIN_BAD_CREDENTIALS")
            let unknown = try await browser.logIn(uniqueEmail())
            #expect(unknown.status == .badRequest)
            #expect(unknown.json["detail"] as? String == "LOGIN_BAD_CREDENTIALS")
            // A login form without one of its fields names the one missing.
            for (form, field) in [("password=x", "username"), ("username=\(email)", "password"), ("", "username")] {
                let incomplete = try await browser.send(
                    .post,
                    "/auth/jwt/login",
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    form: form
                )
                #expect(incomplete.status == .badRequest && incomplete.code == "CART_005")
                #expect(incomplete.json["field"] as? String == field)
            }
            #expect(try await browser.send(.get, "/users/me").status == .unauthorized)
        }
    }

    @Test func aLoginTokenSaysWhatFastAPIUsersTokensSay() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let email = uniqueEmail()
            let id = try #require(
                try await browser.send(
                    .post,
                    "/auth/register",
                    json: #"{"email": "\#(email)", "password": "correct horse battery"}"#
                ).json["id"] as? String
            )
            let before = Date().timeIntervalSince1970
            let token = try #require(try await browser.logIn(email).json["access_token"] as? String)
            let parts = token.split(separator: ".")
            #expect(parts.count == 3)
            var encoded = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(
                of: "_",
                with: "/"
            )
            encoded += String(repeating: "=", count: (4 - encoded.count % 4) % 4)
            let payload = try #require(Data(base64Encoded: encoded).flatMap { String(decoding: $0, as: UTF8.self) })
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(claims["sub"] as? String == id)
            #expect(claims["aud"] as? String == "fastapi-users:auth")
            // PyJWT writes `exp` as whole seconds; so does HotCart, 30 minutes on.
            #expect(payload.range(of: #""exp":[0-9]+[,}]"#, options: .regularExpression) != nil, "\(payload)")
            let expiry = try #require(claims["exp"] as? Double)
            #expect(expiry >= (before + 30 * 60).rounded(.down) && expiry <= Date().timeIntervalSince1970 + 30 * 60)
        }
    }

    /// A token made by hand: `header.payload` signed with HS256 under `secret`.
    func token(
        header: String = #"{"alg":"HS256","typ":"JWT"}"#,
        payload: String,
        secret: String = "test-secret"
    )
        -> String
    {
        func encode(_ bytes: some Sequence<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let input = encode(Array(header.utf8)) + "." + encode(Array(payload.utf8))
        let signature = HMAC<SHA256>.authenticationCode(
            for: Array(input.utf8),
            using: SymmetricKey(data: Array(secret.utf8))
        )
        return input + "." + encode(signature)
    }

    @Test func forgedExpiredAndMisaddressedTokensAre401() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let email = uniqueEmail()
            let id = try await browser.register(email)
            let later = Int(Date().timeIntervalSince1970) + 600
            let good = token(payload: #"{"sub":"\#(id)","aud":["fastapi-users:auth"],"exp":\#(later)}"#)
            #expect(
                try await browser.send(.get, "/users/me", headers: [.authorization: "Bearer \(good)"]).status == .ok
            )

            var tampered = Array(good)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
            let none =
                token(
                    header: #"{"alg":"none","typ":"JWT"}"#,
                    payload: #"{"sub":"\#(id)","aud":["fastapi-users:auth"],"exp":\#(later)}"#
                )
                .split(separator: ".").prefix(2).joined(separator: ".") + "."
            let bad = [
                String(tampered),
                none,
                token(payload: #"{"sub":"\#(id)","aud":["someone-else"],"exp":\#(later)}"#),
                token(payload: #"{"sub":"\#(id)","aud":["fastapi-users:auth"],"exp":\#(later - 1200)}"#),
                token(payload: #"{"sub":"\#(id)","aud":["fastapi-users:auth"],"exp":\#(later)}"#, secret: "other"),
                "not a token",
            ]
            for token in bad {
                let me = try await browser.send(.get, "/users/me", headers: [.authorization: "Bearer \(token)"])
                #expect(me.status == .unauthorized, "\(token)")
                let cart = try await browser.send(.get, "/cart", headers: [.authorization: "Bearer \(token)"])
                #expect(cart.status == .unauthorized, "\(token)")
                #expect(cart.code == "CART_006")
            }
            // Public routes ignore a bad token.
            #expect(try await browser.send(.get, "/products/1", headers: [.authorization: "Bearer x"]).status == .ok)
        }
    }

    @Test func anotherAuthorizationSchemeIsAGuest() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            // What a storefront behind a password-protected staging site sends with every request.
            let basic: HTTPFields = [.authorization: "Basic c3RhZ2luZzpzZWNyZXQ="]
            let cart = try await browser.send(.get, "/cart", headers: basic)
            #expect(cart.status == .ok)
            #expect(cart.json["user_id"] is NSNull)
            #expect(cart.headers[.setCookie] != nil)
            #expect(try await browser.send(.get, "/users/me", headers: basic).status == .unauthorized)
            #expect(try await browser.send(.get, "/cart", headers: [.authorization: "Bearer"]).status == .unauthorized)
        }
    }

    @Test func aSignedInShopperHasAUserCartAndNoGuestCookie() async throws {
        try await withTestApp { client, services async throws in
            let product = try await insertProduct(services, price: "4.50")
            let browser = Browser(client)
            let email = uniqueEmail()
            let id = try await browser.register(email)
            try await browser.logIn(email)
            browser.cookie = nil
            let added = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(product), "quantity": 2}"#
            )
            #expect(added.status == .created)
            #expect(added.json["user_id"] as? String == id)
            #expect(added.json["session_id"] is NSNull)
            #expect(added.headers[.setCookie] == nil)
            // The same cart from another device (another token of the same user).
            let other = Browser(client)
            try await other.logIn(email)
            #expect(try await other.send(.get, "/cart").items.first?["quantity"] as? Int == 2)
        }
    }
}
