import Foundation
import HotCartAPI
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct CartControllerTests {
    @Test func theFirstGetMakesAnEmptyCartAndASessionCookie() async throws {
        try await withTestApp { client, _ async throws in
            let response = try await client.execute(uri: "/cart", method: .get)
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("pyshop_cart_session="))
            for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
                #expect(cookie.contains(attribute))
            }
            let cart = response.json
            #expect(cart["items"] as? [Any] != nil && (cart["items"] as? [Any])?.isEmpty == true)
            #expect(cart["saved_items"] as? [Any] != nil)
            #expect(cart["status"] as? String == "active")
            #expect(cart["version"] as? Int == 1)
            #expect(cart["total_items"] as? Int == 0)
            #expect(cart["currency"] as? String == "USD")
            #expect(cart["user_id"] is NSNull)
            #expect(response.headers[.eTag] == "\"1\"")
            let sessionID = try #require(cart["session_id"] as? String)
            #expect(!cookie.contains(sessionID))
        }
    }

    /// `CART_COOKIE_NAME` names the cookie a session is set in and read from; a cookie under
    /// the default name is then someone else's and is not read.
    @Test func theSessionCookieHasTheConfiguredName() async throws {
        let parsed = try AppConfiguration(environment: ["SECRET_KEY": "s", "CART_COOKIE_NAME": " shop.cart-id "])
        #expect(parsed.cookieName == "shop.cart-id")
        try await withTestApp(
            settings: { $0.cookieName = parsed.cookieName },
            test: { client, services async throws in
                let productID = try await insertProduct(services, price: "4.00")
                let browser = Browser(client)
                try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(productID), "quantity": 2}"#)
                let session = try #require(browser.cookie)
                #expect(session.hasPrefix("shop.cart-id="))
                let again = try await browser.send(.get, "/cart/summary")
                #expect(again.json["total_items"] as? Int == 2)
                let value = String(session.dropFirst("shop.cart-id=".count))
                let renamed = try await client.execute(
                    uri: "/cart/summary",
                    method: .get,
                    headers: [.cookie: "pyshop_cart_session=\(value)"]
                )
                #expect(renamed.json["total_items"] as? Int == 0)
            }
        )
    }

    /// `CART_SESSION_TTL_DAYS=0.00003` (2.592 s), as a test of expiry that cannot wait days sets it.
    @Test func aGuestCartLeftAloneForItsFractionOfADayIsGone() async throws {
        let parsed = try AppConfiguration(environment: ["SECRET_KEY": "s", "CART_SESSION_TTL_DAYS": "0.00003"])
        try await withTestApp(
            settings: { $0.cart.guestTTLMilliseconds = parsed.cart.guestTTLMilliseconds },
            test: { client, services async throws in
                let productID = try await insertProduct(services, price: "4.00")
                let browser = Browser(client)
                let added = try await browser.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(productID), "quantity": 1}"#
                )
                #expect(added.status == .created)
                #expect(added.headers[.setCookie]?.contains("Max-Age=2;") == true)
                let updated = try #require(added.json["updated_at"] as? String)
                let expires = try #require(added.json["expires_at"] as? String)
                let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                #expect(try (format.parse(expires).timeIntervalSince(format.parse(updated)) * 1000).rounded() == 2592)
                let kept = try await browser.send(.get, "/cart")
                #expect(kept.json["id"] as? String == added.json["id"] as? String)
                try await Task.sleep(for: .seconds(3))
                let later = try await browser.send(.get, "/cart")
                #expect(later.status == .ok)
                #expect(later.json["id"] as? String != added.json["id"] as? String)
                #expect(later.items.isEmpty)
            }
        )
    }

    @Test func addingThreeAtNineteenNinetyNineGivesFiftyNineNinetySeven() async throws {
        try await withTestApp { client, services async throws in
            let productID = try await insertProduct(services, price: "19.99")
            try await services.products.refresh()
            let browser = Browser(client)
            let added = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(productID), "quantity": 3}"#
            )
            #expect(added.status == .created)
            let body = String(buffer: added.body)
            #expect(body.contains(#""subtotal":59.97"#))
            #expect(body.contains(#""unit_price":19.99"#))
            #expect(body.contains(#""total_price":59.97"#))
            let again = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(productID), "quantity": 2}"#
            )
            #expect(again.status == .ok)
            #expect(again.items.count == 1)
            #expect(again.items.first?["quantity"] as? Int == 5)
            let summary = try await browser.send(.get, "/cart/summary")
            #expect(summary.json["total_items"] as? Int == 5)
            #expect(summary.json["total_quantity"] as? Int == 5)
            #expect(summary.json["total_lines"] as? Int == 1)
            #expect(String(buffer: summary.body).contains(#""subtotal":99.95"#))
            #expect(summary.json["currency"] as? String == "USD")
        }
    }

    @Test func oneHundredConcurrentAddsThroughHTTPGiveExactly99UnitsAndCleanRefusals() async throws {
        try await withTestApp { client, services async throws in
            let productID = try await insertProduct(services, price: "3.00")
            try await services.products.refresh()
            let browser = Browser(client)
            try await browser.send(.get, "/cart")
            let cookie = try #require(browser.cookie)
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/cart/items",
                            method: .post,
                            headers: [.cookie: cookie, .contentType: "application/json"],
                            body: ByteBuffer(string: #"{"product_id": \#(productID), "quantity": 1}"#)
                        )
                        return "\(response.status.code) \(response.code ?? "")"
                    }
                }
                var counts: [String: Int] = [:]
                for try await status in group { counts[status, default: 0] += 1 }
                return counts
            }
            #expect(statuses == ["201 ": 1, "200 ": 98, "400 CART_001": 1])
            let cart = try await browser.send(.get, "/cart")
            #expect(cart.items.map { $0["quantity"] as? Int } == [99])
        }
    }

    @Test func anUnchangedCartAnswers304ToItsETag() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let first = try await browser.send(.get, "/cart")
            let etag = try #require(first.headers[.eTag])
            let second = try await browser.send(.get, "/cart", headers: [.ifNoneMatch: etag])
            #expect(second.status == .notModified)
            #expect(second.body.readableBytes == 0)
            for candidates in [#"W/"1""#, #""0", "1""#, "*"] {
                let weakOrListed = try await browser.send(.get, "/cart", headers: [.ifNoneMatch: candidates])
                #expect(weakOrListed.status == .notModified, "If-None-Match: \(candidates)")
            }
            #expect(try await browser.send(.get, "/cart", headers: [.ifNoneMatch: #""0", W/"2""#]).status == .ok)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let third = try await browser.send(.get, "/cart", headers: [.ifNoneMatch: etag])
            #expect(third.status == .ok)
            #expect(third.headers[.eTag] == "\"2\"")
        }
    }

    @Test func aChangesAnswerCarriesTheNewVersionAsItsETag() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let added = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let addedVersion = try #require(added.json["version"] as? Int)
            #expect(added.status == .created)
            #expect(added.headers[.eTag] == "\"\(addedVersion)\"")
            let itemID = try #require(added.items.first?["id"] as? String)
            let changed = try await browser.send(
                .put,
                "/cart/items/\(itemID)",
                json: #"{"quantity": 3}"#,
                headers: [.ifMatch: try #require(added.headers[.eTag])]
            )
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] == "\"\(addedVersion + 1)\"")
            let stale = try await browser.send(
                .put,
                "/cart/items/\(itemID)",
                json: #"{"quantity": 4}"#,
                headers: [.ifMatch: try #require(added.headers[.eTag])]
            )
            #expect(stale.code == "CART_008")
            #expect(stale.headers[.eTag] == nil)
            let cleared = try await browser.send(.delete, "/cart")
            #expect(cleared.headers[.eTag] == "\"\(addedVersion + 2)\"")
        }
    }

    @Test func updateRemoveClearAndBulkChangeTheCart() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let cart = try await browser.send(.post, "/cart/items", json: #"{"product_id": 2, "quantity": 1}"#)
            let ids = cart.items.compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
            let updated = try await browser.send(.put, "/cart/items/\(ids[0])", json: #"{"quantity": 7}"#)
            #expect(updated.status == .ok)
            #expect(updated.items.first?["quantity"] as? Int == 7)
            let bulk = try await browser.send(
                .put,
                "/cart/bulk",
                json: #"{"items": [{"id": "\#(ids[0])", "quantity": 2}, {"id": "\#(ids[1])", "quantity": 0}]}"#
            )
            #expect(bulk.status == .ok)
            #expect(bulk.items.map { $0["quantity"] as? Int } == [2])
            let removed = try await browser.send(.delete, "/cart/items/\(ids[0])")
            #expect(removed.status == .ok)
            #expect(removed.items.isEmpty)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 3, "quantity": 4}"#)
            let cleared = try await browser.send(.delete, "/cart")
            #expect(cleared.status == .ok)
            #expect(cleared.items.isEmpty)
            #expect(cleared.json["total_items"] as? Int == 0)
        }
    }

    @Test func aTamperedOrForgedCookieGetsAFreshSession() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 2}"#)
            let cookie = try #require(browser.cookie)
            let tampered = String(cookie.dropLast()) + (cookie.hasSuffix("A") ? "B" : "A")
            for forged in [tampered, "pyshop_cart_session=someone-elses-session", "pyshop_cart_session="] {
                let response = try await client.execute(uri: "/cart", method: .get, headers: [.cookie: forged])
                #expect(response.items.isEmpty)
                let fresh = try #require(response.headers[.setCookie])
                #expect(!fresh.hasPrefix(cookie + ";"))
            }
            let mine = try await browser.send(.get, "/cart")
            #expect(mine.items.count == 1)
        }
    }

    @Test func ofSeveralSessionCookiesTheFirstValidlySignedOneIsTheSession() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 2}"#)
            let pair = try #require(browser.cookie)
            // A stale cookie of the same name (set for another path or a parent domain) comes
            // first, in the same header or in an earlier one.
            let stale = "pyshop_cart_session=AAAAAAAAAAAAAAAAAAAAAA.forged"
            for headers: HTTPFields in [
                [.cookie: "\(stale); \(pair)"], [.cookie: stale, .cookie: "theme=dark; \(pair)"],
            ] {
                let answer = try await client.execute(uri: "/cart", method: .get, headers: headers)
                #expect(answer.items.count == 1)
                #expect(answer.headers[.setCookie]?.hasPrefix(pair + ";") == true)
            }
        }
    }

    @Test func theSessionCookieIsFoundAmongOtherCookiesAndNeverByAPrefixOfItsName() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 2}"#)
            let pair = try #require(browser.cookie)
            let value = String(pair.dropFirst("pyshop_cart_session=".count))
            let among = try await client.execute(
                uri: "/cart",
                method: .get,
                headers: [.cookie: "theme=dark;  \(pair); pyshop_cart_session_old=x"]
            )
            #expect(among.items.count == 1)
            #expect(among.headers[.setCookie]?.hasPrefix(pair + ";") == true)
            let lookalike = try await client.execute(
                uri: "/cart",
                method: .get,
                headers: [.cookie: "pyshop_cart_session_old=\(value); xpyshop_cart_session=\(value)"]
            )
            #expect(lookalike.items.isEmpty)
            #expect(lookalike.headers[.setCookie]?.hasPrefix(pair + ";") == false)
        }
    }

    @Test func anItemOfAnotherCartIsNotFound() async throws {
        try await withTestApp { client, _ async throws in
            let alice = Browser(client)
            let bob = Browser(client)
            let cart = try await alice.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let itemID = try #require(cart.items.first?["id"] as? String)
            let response = try await bob.send(.put, "/cart/items/\(itemID)", json: #"{"quantity": 5}"#)
            #expect(response.status == .notFound)
            #expect(response.code == "CART_003")
            #expect(try await alice.send(.get, "/cart").items.first?["quantity"] as? Int == 1)
        }
    }

    @Test func ifMatchThatNamesAnotherVersionIs412AndChangesNothing() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let cart = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let version = try #require(cart.json["version"] as? Int)
            let stale = try await browser.send(.delete, "/cart", headers: [.ifMatch: "\"\(version - 1)\""])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.code == "CART_008")
            // A tag that is no cart version matches nothing, like a stale one.
            for tag in ["\"not-a-version\"", "W/\"\"", "\"99999999999999999999\""] {
                let other = try await browser.send(.delete, "/cart", headers: [.ifMatch: tag])
                #expect(other.status == .preconditionFailed, "\(tag)")
                #expect(other.code == "CART_008", "\(tag)")
            }
            // A field that is not entity tags at all is a malformed request.
            let malformed = try await browser.send(.delete, "/cart", headers: [.ifMatch: "abc"])
            #expect(malformed.status == .badRequest)
            #expect(malformed.code == "CART_005" && malformed.json["field"] as? String == "If-Match")
            #expect(try await browser.send(.get, "/cart").json["version"] as? Int == version)
            // A list of tags is met when one of them names the cart's version.
            let listed = try await browser.send(
                .delete,
                "/cart",
                headers: [.ifMatch: "\"\(version + 5)\", \"\(version)\""]
            )
            #expect(listed.status == .ok)
            #expect(listed.json["version"] as? Int == version + 1)
            let any = try await browser.send(.delete, "/cart", headers: [.ifMatch: "*"])
            #expect(any.status == .ok)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await withTestApp { client, _ async throws in
            let response = try await client.execute(uri: "/cart/items/\(UUID().uuidString)", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "DELETE, PUT")
            let deleteHealth = try await client.execute(uri: "/healthz", method: .delete)
            #expect(deleteHealth.status == .methodNotAllowed)
            #expect(deleteHealth.headers[.allow] == "GET, HEAD")
            #expect(try await client.execute(uri: "/no/such/route", method: .get).status == .notFound)
        }
    }

    @Test func headAnswersAsGetWithoutTheBody() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let cart = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 2}"#)
            let version = try #require(cart.json["version"] as? Int)
            let head = try await browser.send(.head, "/cart")
            #expect(head.status == .ok)
            #expect(head.headers[.eTag] == "\"\(version)\"")
            #expect(head.headers[.contentType] == "application/json")
            #expect(head.body.readableBytes == 0)
            for path in ["/healthz", "/products/1"] {
                let response = try await client.execute(uri: path, method: .head)
                #expect(response.status == .ok, "\(path)")
                #expect(response.body.readableBytes == 0, "\(path)")
            }
            #expect(try await client.execute(uri: "/products/99999", method: .head).status == .notFound)
        }
    }

    @Test func guestCartsDisabledAnswer401() async throws {
        try await withTestApp(
            settings: { $0.enableGuestCarts = false },
            test: { client, _ async throws in
                let response = try await client.execute(uri: "/cart", method: .get)
                #expect(response.status == .unauthorized)
                #expect(response.code == "CART_006")
            }
        )
    }
}
