import HTTPTypes
import HotCartAPI
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AllowedOriginsTests {
    let storefront = "http://localhost:3000"

    @Test func aListedOriginsPreflightAllowsTheCartHeadersWithCredentials() async throws {
        try await withTestApp { client, _ async throws in
            let response = try await client.execute(
                uri: "/cart/items/0",
                method: .options,
                headers: [
                    .origin: self.storefront, .accessControlRequestMethod: "PUT",
                    .accessControlRequestHeaders: "content-type, if-match, idempotency-key",
                ]
            )
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == self.storefront)
            #expect(response.headers[.accessControlAllowCredentials] == "true")
            let allowed = response.headers[.accessControlAllowHeaders] ?? ""
            #expect(allowed.contains("if-match") && allowed.contains("idempotency-key"))
            #expect(response.headers[.accessControlAllowMethods]?.contains("PUT") == true)
            #expect(response.headers[.accessControlMaxAge] == "600")
        }
    }

    @Test func aListedOriginReadsTheCartAndItsETag() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let response = try await browser.send(.get, "/cart", headers: [.origin: self.storefront])
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == self.storefront)
            #expect(response.headers[.accessControlAllowCredentials] == "true")
            #expect(response.headers[.accessControlExposeHeaders] == "ETag, Retry-After, X-HotCart-Catalog")
            #expect(response.headers[values: .vary].contains("Origin"))
            #expect(response.headers[.eTag] != nil)
        }
    }

    @Test func aListedOriginGetsEachErrorWithItsOwnStatusAndBody() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let origin: HTTPFields = [.origin: self.storefront]
            let badQuantity = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": 1, "quantity": 0}"#,
                headers: origin
            )
            let noToken = try await client.execute(uri: "/users/me", method: .get, headers: origin)
            let badLogin = try await browser.send(
                .post,
                "/auth/jwt/login",
                headers: origin.merging([.contentType: "application/x-www-form-urlencoded"]),
                form: "username=nobody%40example.com&password=wrong-password"
            )
            let noRoute = try await client.execute(uri: "/no-such-route", method: .get, headers: origin)
            let wrongMethod = try await client.execute(uri: "/healthz", method: .post, headers: origin)
            #expect(badQuantity.status == .badRequest && badQuantity.code == "CART_001")
            #expect(noToken.status == .unauthorized && noToken.code == "CART_006")
            #expect(badLogin.status == .badRequest && badLogin.json["detail"] as? String == "LOGIN_BAD_CREDENTIALS")
            #expect(noRoute.status == .notFound)
            #expect(wrongMethod.status == .methodNotAllowed)
            for response in [badQuantity, noToken, badLogin, noRoute, wrongMethod] {
                #expect(response.headers[.accessControlAllowOrigin] == self.storefront, "\(response.status)")
                #expect(response.headers[.accessControlAllowCredentials] == "true", "\(response.status)")
            }
        }
    }

    @Test func anAsteriskAllowsAnyOriginByNamingIt() async throws {
        let parsed = try AppConfiguration(environment: ["SECRET_KEY": "s", "CORS_ORIGINS": "*"])
        try await withTestApp(
            settings: { $0.corsOrigins = parsed.corsOrigins },
            test: { client, _ async throws in
                let shop = "https://shop.example"
                let preflight = try await client.execute(
                    uri: "/cart/items",
                    method: .options,
                    headers: [.origin: shop, .accessControlRequestMethod: "POST"]
                )
                #expect(preflight.headers[.accessControlAllowOrigin] == shop)
                let cart = try await client.execute(uri: "/cart", method: .get, headers: [.origin: shop])
                #expect(cart.headers[.accessControlAllowOrigin] == shop)
                #expect(cart.headers[.accessControlAllowCredentials] == "true")
            }
        )
    }

    @Test func anUnlistedOriginGetsTheAnswerWithoutCORSHeaders() async throws {
        try await withTestApp { client, _ async throws in
            let origin: HTTPFields = [.origin: "http://evil.example"]
            let cart = try await client.execute(uri: "/cart", method: .get, headers: origin)
            let noToken = try await client.execute(uri: "/users/me", method: .get, headers: origin)
            #expect(cart.status == .ok)
            #expect(noToken.status == .unauthorized && noToken.code == "CART_006")
            for response in [cart, noToken] {
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[values: .vary].contains("Origin"))
            }
        }
    }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged.append(field) }
        return merged
    }
}
