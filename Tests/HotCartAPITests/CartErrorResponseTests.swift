import Database
import Foundation
import HTTPTypes
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import HotCartAPI

@Suite struct CartErrorResponseTests {
    @Test func anErrorBodyHasEveryContractField() async throws {
        try await withTestApp { client, _ async throws in
            let response = try await Browser(client).send(
                .post,
                "/cart/items",
                json: #"{"product_id": 1, "quantity": 0}"#
            )
            #expect(response.status == .badRequest)
            let body = response.json
            #expect(body["error"] as? String == "INVALID_QUANTITY")
            #expect(body["code"] as? String == "CART_001")
            #expect(body["message"] as? String == "Quantity must be between 1 and 99")
            #expect(body["detail"] as? String == "Quantity must be between 1 and 99")
            #expect(body["field"] as? String == "quantity")
        }
    }

    /// A server started while PostgreSQL is away has read no catalog, codes or rates: what needs
    /// them is 503 `CART_010` with `Retry-After` (an add is not told its product is unknown, a
    /// code that it does not exist, the catalog has no last read to show), a cart is still read from Redis (its code kept, with no
    /// discount and a warning saying why), and once PostgreSQL is there both work again.
    @Test func aServerStartedWithoutPostgreSQLAnswers503ForWhatNeedsTheCatalogUntilItIsRead() async throws {
        let code = "NOPG\(Int.random(in: 100_000...999_999))"
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await postgres.execute(
                "INSERT INTO promo_code (code, percent_off) VALUES (\(code), 10)",
                logger: Logger(label: "test")
            )
        }
        // A cart holding the code, made through a server that has PostgreSQL.
        let ready = try await ServerProcess.start(redis: TestEnvironment.redis.description)
        defer { ready.stop() }
        let made = try await TestHTTP.send(.GET, "/cart", port: ready.port)
        let cookie = String(try #require(made.headers["Set-Cookie"].first).prefix { $0 != ";" })
        let json = [("Cookie", cookie), ("Content-Type", "application/json")]
        let add = #"{"product_id": 1, "quantity": 1}"#
        #expect(try await TestHTTP.send(.POST, "/cart/items", port: ready.port, headers: json, body: add).status == 201)
        let applied = #"{"code": "\#(code)"}"#
        #expect(
            try await TestHTTP.send(.POST, "/cart/promo", port: ready.port, headers: json, body: applied).status == 200
        )
        ready.stop()

        let database = TestEnvironment.database
        let proxy = try await TestTCPProxy.start(to: database.host ?? "127.0.0.1", port: database.port ?? 5432)
        defer { Task { try? await proxy.stop() } }
        proxy.cut()
        let url =
            "postgres://\(database.username):\(database.password ?? "")@127.0.0.1:\(proxy.port)/\(database.database ?? "")"
        let server = try await ServerProcess.start(
            redis: TestEnvironment.redis.description,
            environment: ["DATABASE_URL": url, "CART_CURRENCIES": "USD,EUR"],
            untilReady: false
        )
        defer { server.stop() }
        let shown = try await TestHTTP.send(.GET, "/cart", port: server.port, headers: json)
        #expect(shown.status == 200)
        #expect(shown.body.contains(#""promo_code":"\#(code)""#) && shown.body.contains(#""discount":0,"#))
        #expect(shown.body.contains("cannot be read right now"), "\(shown.body)")
        let refused = [
            ("POST", "/cart/items", add),
            ("POST", "/cart/validate", ""),
            ("POST", "/cart/promo", applied),
            ("GET", "/cart?currency=EUR", ""),
            ("GET", "/products/1", ""),
        ]
        for (method, path, body) in refused {
            let answer = try await TestHTTP.send(
                method == "GET" ? .GET : .POST,
                path,
                port: server.port,
                headers: json,
                body: body.isEmpty ? nil : body
            )
            #expect(answer.status == 503, "\(method) \(path): \(answer.status) \(answer.body)")
            #expect(answer.body.contains(#""code":"CART_010""#), "\(method) \(path): \(answer.body)")
            #expect(answer.headers["Retry-After"].first != nil, "\(method) \(path)")
        }
        proxy.restore()
        var added = 0
        for _ in 0..<100 where added != 200 {
            try await Task.sleep(for: .milliseconds(100))
            added = try await TestHTTP.send(.POST, "/cart/items", port: server.port, headers: json, body: add).status
        }
        #expect(added == 200)
        let discounted = try await TestHTTP.send(.GET, "/cart", port: server.port, headers: json)
        #expect(!discounted.body.contains(#""discount":0,"#), "\(discounted.body)")
        #expect(!discounted.body.contains("cannot be read right now"), "\(discounted.body)")
    }

    /// PostgreSQL saying it cannot serve the request now (a statement past its
    /// `statement_timeout`, a lock not had within `lock_timeout`) is 503 CART_010 with
    /// `Retry-After`, not a 500, logged once per kind however many requests meet it; what it
    /// refuses as data is not.
    @Test func postgresSayingNotNowIs503AndARefusalAsDataIsNot() async throws {
        let logged = LoggedMessages()
        let logger = Logger(label: "test") { _ in logged.handler }
        let refusals = RepeatedLogLine(interval: .seconds(3600))
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            let key = Int64.random(in: 1...Int64.max)
            let timedOut = await #expect(throws: PSQLError.self) {
                try await postgres.withConnection { connection in
                    try await connection.execute("SET statement_timeout = '20ms'", logger: logger)
                    _ = try await connection.rows("SELECT pg_sleep(2)", logger: logger)
                }
            }
            let lockNotHad = await #expect(throws: PSQLError.self) {
                try await postgres.withConnection { holder in
                    _ = try await holder.rows("SELECT pg_advisory_lock(\(key))", logger: logger)
                    var waited: (any Error)?
                    do {
                        try await postgres.withConnection { waiter in
                            try await waiter.execute("SET lock_timeout = '20ms'", logger: logger)
                            _ = try await waiter.rows("SELECT pg_advisory_lock(\(key))", logger: logger)
                        }
                    } catch {
                        waited = error
                    }
                    _ = try await holder.rows("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    if let waited { throw waited }
                }
            }
            let refused = await #expect(throws: PSQLError.self) {
                try await postgres.execute("SELECT 'not-a-uuid'::uuid", logger: logger)
            }
            for error in [timedOut, lockNotHad, timedOut, lockNotHad].compactMap({ $0 }) {
                let response = ErrorResponder.response(for: error, logger: logger, refusals: refusals)
                #expect(response.status == .serviceUnavailable, "\(String(reflecting: error))")
                #expect(response.headers[.retryAfter] != nil)
            }
            let lines = logged.messages.withLock { $0 }.filter { $0.hasPrefix("postgresql cannot answer now ") }
            #expect(lines.map { $0.firstMatch(of: /sqlstate=(\w+)/).map { String($0.1) } } == ["57014", "55P03"])
            let refusal = ErrorResponder.response(for: try #require(refused), logger: logger)
            #expect(refusal.status == .internalServerError)
        }
    }

    @Test func aHugeIdOrCodeIsNotRepeatedWholeInTheError() async throws {
        let huge = String(repeating: "A", count: 5000)
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let answers = [
                try await browser.send(.get, "/products/\(huge)"),
                try await browser.send(.get, "/cart?currency=\(huge)"),
                try await browser.send(.get, "/checkouts/\(huge)"),
                try await browser.send(.post, "/cart/promo", json: #"{"code": "\#(huge)"}"#),
            ]
            for answer in answers {
                let message = try #require(answer.json["message"] as? String)
                #expect(message.contains(String(repeating: "A", count: 40) + "…"))
                #expect(answer.body.readableBytes < 500, "\(answer.status) \(message.prefix(80))")
            }
        }
    }

    @Test func anErrorBodyIsWrittenInTheContractsFieldOrder() async throws {
        try await withTestApp { client, _ async throws in
            let response = try await Browser(client).send(.post, "/cart/items", json: #"{"product_id": 1}"#)
            #expect(
                String(buffer: response.body)
                    == #"{"error":"INVALID_REQUEST","message":"Field 'quantity' is required","field":"quantity","#
                    + #""code":"CART_005","detail":"Field 'quantity' is required"}"#
            )
        }
    }

    @Test(arguments: [
        (#"{"product_id": 1, "quantity": 0}"#, "CART_001", 400, "quantity"),
        (#"{"product_id": 1, "quantity": 100}"#, "CART_001", 400, "quantity"),
        (#"{"product_id": 1, "quantity": -3}"#, "CART_001", 400, "quantity"),
        (#"{"product_id": 1, "quantity": 1.5}"#, "CART_001", 400, "quantity"),
        (#"{"product_id": 1, "quantity": "two"}"#, "CART_001", 400, "quantity"),
        (#"{"product_id": 999999, "quantity": 1}"#, "CART_002", 404, "product_id"),
        (#"{"product_id": "one", "quantity": 1}"#, "CART_005", 400, "product_id"),
        // A fraction is not an id; a whole number past any id's range is an id no product has.
        (#"{"product_id": 1.5, "quantity": 1}"#, "CART_005", 400, "product_id"),
        (#"{"product_id": 1e20, "quantity": 1}"#, "CART_002", 404, "product_id"),
        (#"{"product_id": -238025625620443926888448, "quantity": 1}"#, "CART_002", 404, "product_id"),
        (#"{"product_id": null, "quantity": 1}"#, "CART_005", 400, "product_id"),
        (#"{"quantity": 1}"#, "CART_005", 400, "product_id"),
        (#"{"product_id": 1}"#, "CART_005", 400, "quantity"),
        (#"{"product_id": 1, "quantity": 1"#, "CART_005", 400, nil),
        // A comma before `}` or `]` is not JSON, though Foundation's parser takes it;
        (#"{"product_id": 1, "quantity": 1,}"#, "CART_005", 400, nil),
        (#"{"product_id": 1, "quantity": 1 , }"#, "CART_005", 400, nil),
        // So are numbers JSON does not have, which it reads as a quantity out of range.
        (#"{"product_id": 1, "quantity": 01}"#, "CART_005", 400, nil),
        (#"{"product_id": 1, "quantity": 1.}"#, "CART_005", 400, nil),
        (#"{"product_id": 08, "quantity": 1}"#, "CART_005", 400, nil),
        (#"[1, 2]"#, "CART_005", 400, nil),
        ("", "CART_005", 400, nil),
    ])
    func aBadAddIsRefusedWithItsCodeAndField(body: String, code: String, status: Int, field: String?) async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let response = try await browser.send(.post, "/cart/items", json: body)
            #expect(response.status.code == status)
            #expect(response.code == code)
            #expect(response.json["field"] as? String == field)
            #expect(try await browser.send(.get, "/cart").json["version"] as? Int == 1)
        }
    }

    /// Every route a guest may send a body to, whatever the body was meant to be.
    @Test(arguments: [
        (HTTPRequest.Method.post, "/cart/items"), (.put, "/cart/items/0190f3a2-7b1c-7d4e-8f00-000000000001"),
        (.put, "/cart/bulk"), (.post, "/cart/save-for-later"), (.post, "/cart/promo"), (.post, "/auth/register"),
        (.post, "/auth/jwt/login"),
    ])
    func aBodyOver64KiBIs413WithCART005(method: HTTPRequest.Method, path: String) async throws {
        try await withTestApp { client, _ async throws in
            let padding = String(repeating: " ", count: 70 * 1024)
            let response = try await Browser(client).send(
                method,
                path,
                json: #"{"product_id": 1,\#(padding) "quantity": 1}"#
            )
            #expect(response.status == .contentTooLarge)
            #expect(response.code == "CART_005")
        }
    }

    @Test func addsPastTheLineCapAreCART001AndPastTheCartCapCART004() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 20}"#)
            let overLine = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 80}"#)
            #expect(overLine.status == .badRequest)
            #expect(overLine.code == "CART_001")
            try await browser.send(.post, "/cart/items", json: #"{"product_id": 5, "quantity": 70}"#)
            let overCart = try await browser.send(.post, "/cart/items", json: #"{"product_id": 9, "quantity": 11}"#)
            #expect(overCart.status == .conflict)
            #expect(overCart.code == "CART_004")
            #expect(try await browser.send(.get, "/cart").json["total_items"] as? Int == 90)
        }
    }

    @Test func inactiveAndOutOfStockProductsAreCART009() async throws {
        try await withTestApp { client, services async throws in
            let inactive = try await insertProduct(services, price: "5.00", stock: 10, isActive: false)
            let soldOut = try await insertProduct(services, price: "5.00", stock: 0)
            let fewLeft = try await insertProduct(services, price: "5.00", stock: 2)
            try await services.products.refresh()
            let browser = Browser(client)
            for (product, quantity) in [(inactive, 1), (soldOut, 1), (fewLeft, 3)] {
                let response = try await browser.send(
                    .post,
                    "/cart/items",
                    json: #"{"product_id": \#(product), "quantity": \#(quantity)}"#
                )
                #expect(response.status == .conflict)
                #expect(response.code == "CART_009")
            }
        }
    }

    @Test func aLineGrowsPastTheStockOrWhileOffSaleByNoRouteButIsAlwaysLowered() async throws {
        try await withTestApp { client, services async throws in
            let scarce = try await insertProduct(services, price: "5.00", stock: 4)
            let browser = Browser(client)
            let added = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(scarce), "quantity": 2}"#
            )
            let item = try #require(added.items.first?["id"] as? String)
            let refused = [
                try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 5}"#),
                try await browser.send(.put, "/cart/bulk", json: #"{"items": [{"id": "\#(item)", "quantity": 5}]}"#),
            ]
            for response in refused {
                #expect(response.status == .conflict)
                #expect(response.code == "CART_009")
                #expect(response.json["field"] as? String == "quantity")
                #expect(response.json["message"] as? String == "Only 4 of product \(scarce) left in stock")
            }
            #expect(try await browser.send(.get, "/cart").json["version"] as? Int == added.json["version"] as? Int)
            let grown = try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 4}"#)
            #expect(grown.status == .ok && grown.items.first?["quantity"] as? Int == 4)

            // Saved for later, a line is outside the stock; back in the cart, within it again.
            try await browser.send(.post, "/cart/save-for-later", json: #"{"item_id": "\#(item)"}"#)
            try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 6}"#)
            let moved = try await browser.send(.post, "/cart/saved/\(item)/move-to-cart")
            #expect(moved.status == .conflict && moved.code == "CART_009")
            #expect(moved.json["field"] as? String == "item_id")
            try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 3}"#)
            #expect(try await browser.send(.post, "/cart/saved/\(item)/move-to-cart").status == .ok)

            for try await _ in try await services.postgres.query(
                "UPDATE product SET is_active = false WHERE id = \(scarce)"
            ) {}
            try await services.products.refresh()
            let offSale = try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 4}"#)
            #expect(offSale.status == .conflict && offSale.code == "CART_009")
            #expect(offSale.json["message"] as? String == "Product \(scarce) is not available")
            let lowered = try await browser.send(.put, "/cart/items/\(item)", json: #"{"quantity": 1}"#)
            #expect(lowered.status == .ok && lowered.items.first?["quantity"] as? Int == 1)
        }
    }

    @Test(arguments: ["/cart/items/not-a-uuid", "/cart/items/\(UUID().uuidString)"])
    func anUnknownOrMalformedItemIdIsCART003(path: String) async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            #expect(try await browser.send(.put, path, json: #"{"quantity": 1}"#).code == "CART_003")
            #expect(try await browser.send(.delete, path).code == "CART_003")
        }
    }

    @Test func aBadBulkChangesNothing() async throws {
        try await withTestApp { client, _ async throws in
            let browser = Browser(client)
            let cart = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
            let id = try #require(cart.items.first?["id"] as? String)
            let cases: [(String, String)] = [
                (#"{"items": []}"#, "CART_005"),
                (
                    #"{"items": [{"id": "\#(id)", "quantity": 2}, {"id": "\#(UUID().uuidString)", "quantity": 1}]}"#,
                    "CART_003"
                ),
                (#"{"items": [{"id": "\#(id)", "quantity": 120}]}"#, "CART_001"),
                (#"{"items": [{"id": "\#(id)", "quantity": 2}, {"id": "\#(id)", "quantity": 3}]}"#, "CART_005"),
                (#"{"items": "all"}"#, "CART_005"),
            ]
            for (body, code) in cases {
                #expect(try await browser.send(.put, "/cart/bulk", json: body).code == code)
            }
            let after = try await browser.send(.get, "/cart")
            #expect(after.items.first?["quantity"] as? Int == 1)
            #expect(after.json["version"] as? Int == cart.json["version"] as? Int)
        }
    }

    @Test func redisDownAnswers503Within1sAndRecoversWithoutARestart() async throws {
        try await TestRedisServer.with { server in
            try await withTestApp(redis: server.endpoint) { client, _ async throws in
                let browser = Browser(client)
                #expect(try await browser.send(.get, "/cart").status == .ok)
                server.kill()
                for _ in 0..<3 {
                    let start = ContinuousClock.now
                    let response = try await browser.send(.get, "/cart")
                    #expect(ContinuousClock.now - start < .seconds(1))
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.code == "CART_010")
                    #expect(response.headers[.retryAfter] != nil)
                }
                try await server.start()
                var status = HTTPResponse.Status.serviceUnavailable
                for _ in 0..<100 where status != .ok {
                    status = try await browser.send(.get, "/cart").status
                    if status != .ok { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(status == .ok)
            }
        }
    }

    /// PostgreSQL down: sign-in answers 503 within the deadline, the catalog answers from the
    /// catalog last read (marked so), and carts keep working.
    @Test func postgresDownAnswers503WithinTheDeadlineWhileTheCatalogAndCartsKeepWorking() async throws {
        try await Self.withAppBehindDatabaseProxy { client, proxy, _ in
            let browser = Browser(client)
            #expect(
                try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#).status
                    == .created
            )
            let before = try await Self.catalogAsRead(browser)
            proxy.cut()
            try await Self.expectCatalogFromTheLastRead(browser, before: before)
            try await Self.expectLoginAnswers503(client)
            // The cart never waits on PostgreSQL.
            let cart = try await browser.send(.get, "/cart")
            #expect(cart.status == .ok)
            #expect(cart.items.count == 1)
            proxy.restore()
            try await Self.expectCatalogAnswersAgain(browser)
        }
    }

    @Test func aPostgresThatStopsAnsweringGets503WithinTheDeadline() async throws {
        try await Self.withAppBehindDatabaseProxy { client, proxy, _ in
            let browser = Browser(client)
            let before = try await Self.catalogAsRead(browser)
            // Connections stay open; queries sent on them are never answered.
            proxy.freeze()
            try await Self.expectCatalogFromTheLastRead(browser, before: before)
            try await Self.expectLoginAnswers503(client)
            #expect(try await browser.send(.get, "/cart").status == .ok)
            // The silent connections close, and new ones are answered again.
            proxy.cut()
            proxy.restore()
            try await Self.expectCatalogAnswersAgain(browser)
        }
    }

    @Test func whilePostgresIsAwayItsRoutesAnswer503AtOnceRatherThanAtTheDeadline() async throws {
        try await Self.withAppBehindDatabaseProxy(databaseTimeout: .seconds(30)) { client, proxy, services in
            let browser = Browser(client)
            proxy.cut()
            // The pool's probes (one a second or so) find PostgreSQL away.
            let cut = ContinuousClock.now
            while !services.postgres.isAway, ContinuousClock.now - cut < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(services.postgres.isAway)
            // Each within 2 s, though the deadline is 30 s (and the catalog's wait for a fresh
            // read 1 s): the pool fails their calls at once.
            for path in ["/products/?limit=1", "/products/1"] {
                let start = ContinuousClock.now
                let response = try await browser.send(.get, path)
                #expect(ContinuousClock.now - start < .milliseconds(500), "\(path)")
                #expect(response.status == .ok && response.headers[Self.catalogSource] == "cached", "\(path)")
            }
            try await Self.expectLoginAnswers503(client)
            let ready = try await browser.send(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["postgres"] as? String == "down")
            #expect(try await browser.send(.get, "/cart").status == .ok)
            proxy.restore()
            try await Self.expectCatalogAnswersAgain(browser)
            #expect(!services.postgres.isAway)
        }
    }

    /// Runs `test` against an app that reaches PostgreSQL through a fault proxy, with a 500 ms
    /// deadline unless told otherwise, once the catalog has answered through it.
    private static func withAppBehindDatabaseProxy(
        databaseTimeout: Duration = .milliseconds(500),
        _ test: @escaping @Sendable (any TestClientProtocol, TestTCPProxy, HotCartServices) async throws -> Void
    ) async throws {
        let (proxy, throughProxy) = try await TestEnvironment.databaseProxy()
        defer { Task { try? await proxy.stop() } }
        try await withTestApp(
            settings: { configuration in
                configuration.database = throughProxy
                configuration.databaseTimeout = databaseTimeout
            },
            test: { client, services async throws in
                #expect(try await Browser(client).send(.get, "/products/?limit=1").status == .ok)
                try await test(client, proxy, services)
            }
        )
    }

    /// The header that marks a catalog read answered from the catalog last read.
    private static let catalogSource = HTTPField.Name("X-HotCart-Catalog")!

    /// Catalog reads, and what each shows: its products' ids and names (which the other tests,
    /// running meanwhile, leave alone), in order.
    private static let catalogReads = ["/products/?limit=3&offset=2", "/products/1"]

    private static func catalogShown(_ response: TestResponse) -> [String] {
        let products = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]]
        return (products ?? [response.json]).map { "\($0["id"] ?? "-") \($0["name"] ?? "-")" }
    }

    /// What `catalogReads` show while PostgreSQL answers.
    private static func catalogAsRead(_ browser: Browser) async throws -> [String: [String]] {
        var shown: [String: [String]] = [:]
        for path in Self.catalogReads {
            let response = try await browser.send(.get, path)
            try #require(response.status == .ok && response.headers[Self.catalogSource] == nil)
            shown[path] = Self.catalogShown(response)
        }
        #expect(shown["/products/?limit=3&offset=2"]?.map { $0.prefix { $0 != " " } } == ["3", "4", "5"])
        return shown
    }

    /// `catalogReads`, read while PostgreSQL cannot answer, come within 2 s from the catalog last
    /// read, marked as such, showing what PostgreSQL did (`before`); an unknown product is
    /// still 404.
    private static func expectCatalogFromTheLastRead(_ browser: Browser, before: [String: [String]]) async throws {
        for path in Self.catalogReads {
            let start = ContinuousClock.now
            let response = try await browser.send(.get, path)
            #expect(ContinuousClock.now - start < .seconds(2), "\(path)")
            #expect(response.status == .ok, "\(path): \(response.status)")
            #expect(response.headers[Self.catalogSource] == "cached", "\(path)")
            #expect(Self.catalogShown(response) == before[path], "\(path)")
        }
        let unknown = try await browser.send(.get, "/products/2147483000")
        #expect(unknown.status == .notFound && unknown.code == "CART_002")
    }

    /// A login (which reads the user from PostgreSQL) answers 503 CART_010 within 2 s.
    private static func expectLoginAnswers503(_ client: any TestClientProtocol) async throws {
        let start = ContinuousClock.now
        let login = try await client.execute(
            uri: "/auth/jwt/login",
            method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "username=nobody%40example.com&password=whatever-it-is")
        )
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(login.status == .serviceUnavailable)
        #expect(login.code == "CART_010")
    }

    /// The catalog answers from PostgreSQL again (not marked as the last read) within about 10 s.
    private static func expectCatalogAnswersAgain(_ browser: Browser) async throws {
        var fresh = false
        for _ in 0..<100 where !fresh {
            let response = try await browser.send(.get, "/products/?limit=1")
            fresh = response.status == .ok && response.headers[Self.catalogSource] == nil
            if !fresh { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(fresh)
    }

    @Test func mutationsPastTheRateLimitAre429WithRetryAfter() async throws {
        try await withTestApp(
            settings: { $0.cart.mutationsPerMinute = 2 },
            test: { client, _ async throws in
                let browser = Browser(client)
                for _ in 0..<2 {
                    #expect(
                        try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#).status
                            .code < 300
                    )
                }
                let limited = try await browser.send(.post, "/cart/items", json: #"{"product_id": 1, "quantity": 1}"#)
                #expect(limited.status == .tooManyRequests)
                #expect(limited.code == "CART_007")
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
                // Reads are not mutations: the cart still answers, unchanged.
                let cart = try await browser.send(.get, "/cart")
                #expect(cart.json["total_items"] as? Int == 2)
            }
        )
    }

    @Test func anUnknownRouteOrMethodAnswersInTheContractsShapeWithFastAPIsDetail() async throws {
        try await withTestApp(
            settings: { $0.enableCartValidation = false },
            test: { client, _ async throws in
                let unknown = try await client.execute(uri: "/nowhere", method: .get)
                #expect(unknown.status == .notFound)
                #expect(
                    String(buffer: unknown.body)
                        == #"{"error":"NOT_FOUND","message":"Not Found","field":null,"code":"CART_014","detail":"Not Found"}"#
                )
                // A route turned off is a route that is not there.
                let off = try await client.execute(uri: "/cart/validate", method: .post)
                #expect(off.status == .notFound && off.code == "CART_014")
                let wrongMethod = try await client.execute(uri: "/healthz", method: .delete)
                #expect(wrongMethod.status == .methodNotAllowed)
                #expect(wrongMethod.code == "CART_005")
                #expect(wrongMethod.json["detail"] as? String == "Method Not Allowed")
                #expect(wrongMethod.headers[.allow] == "GET, HEAD")
            }
        )
    }
}
