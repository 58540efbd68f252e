import Foundation
import HotCartAPI
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ProductAndOperationsTests {
    @Test func productsArePagedAndReadOne() async throws {
        try await withTestApp { client, _ async throws in
            let page = try await client.execute(uri: "/products/?limit=2&offset=1", method: .get)
            #expect(page.status == .ok)
            #expect(page.jsonArray.map { $0["id"] as? Int } == [2, 3])
            let one = try await client.execute(uri: "/products/1", method: .get)
            #expect(one.json["name"] as? String == "Classic Mug")
            #expect(String(buffer: one.body).contains(#""price":5.99"#))
            #expect(one.json["is_active"] as? Bool == true)
            let missing = try await client.execute(uri: "/products/987654", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.code == "CART_002")
            let badLimit = try await client.execute(uri: "/products/?limit=-1", method: .get)
            #expect(badLimit.code == "CART_005")
        }
    }

    @Test func aProductIsWrittenTheSameWayEveryTime() async throws {
        try await withTestApp { client, _ async throws in
            var bodies: Set<String> = []
            for _ in 0..<20 {
                bodies.insert(String(buffer: try await client.execute(uri: "/products/1", method: .get).body))
            }
            #expect(bodies.count == 1)
            #expect(bodies.first?.hasPrefix(#"{"created_at":"#) == true)
        }
    }

    @Test func aPriceChangeReachesNewAddsWithinOneSecond() async throws {
        try await withTestApp { client, services async throws in
            let productID = try await insertProduct(services, price: "10.00")
            try await services.products.refresh()
            let browser = Browser(client)
            try await browser.send(.post, "/cart/items", json: #"{"product_id": \#(productID), "quantity": 1}"#)
            for try await _ in try await services.postgres.query(
                "UPDATE product SET price = 12.50 WHERE id = \(productID)"
            ) {}
            // What the running cache does every 500 ms, done at once.
            try await services.products.refresh()
            #expect(services.products.product(id: productID)?.price.value == 1250)
            try await browser.send(.delete, "/cart")
            let cart = try await browser.send(
                .post,
                "/cart/items",
                json: #"{"product_id": \#(productID), "quantity": 1}"#
            )
            #expect(String(buffer: cart.body).contains(#""unit_price":12.5"#))
        }
    }

    @Test func healthReadinessAndMetricsAnswer() async throws {
        try await withTestApp { client, _ async throws in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.headers[.contentType] == "application/json")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.json["redis"] as? String == "ok")
            #expect(ready.json["postgres"] as? String == "ok")
            #expect(ready.json["catalog"] as? String == "ok")
            _ = try await client.execute(uri: "/cart", method: .get)
            _ = try await client.execute(uri: "/cart/items/nope", method: .delete)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"hotcart_http_requests_total{route="/cart",method="GET",status="200"} 1"#))
            #expect(
                text.contains(
                    #"hotcart_http_requests_total{route="/cart/items/{item_id}",method="DELETE",status="404"} 1"#
                )
            )
            #expect(
                text.contains(
                    #"hotcart_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 1"#
                )
            )
            #expect(text.contains("\nhotcart_flush_backlog "))
            #expect(text.contains("\nhotcart_flush_lag_current_seconds "))
            let openAPI = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(openAPI.json["openapi"] as? String == "3.1.0")
            #expect((openAPI.json["paths"] as? [String: Any])?["/cart/items/{item_id}"] != nil)
        }
    }

    /// The process's own counters (swift-metrics, exported by the server's Prometheus registry)
    /// count a cart made by an add and converted by a checkout.
    @Test func theServersMetricsCountCartsCreatedAndConverted() async throws {
        let product = try await CartEventsTests.insertProduct(price: "4.20")
        let server = try await ServerProcess.start(redis: TestEnvironment.redis.description)
        defer { server.stop() }
        try await Self.checkOutANewCart(of: product, on: server)
        let metrics = try await TestHTTP.send(.GET, "/metrics", port: server.port)
        #expect(metrics.body.contains("\nhotcart_carts_created_total 1\n"))
        #expect(metrics.body.contains("\nhotcart_carts_converted_total 1\n"))
        #expect(metrics.body.contains("\nhotcart_checkouts_started_total 1\n"))
    }

    /// A new guest's cart holding `product` (which was in the catalog when `server` started),
    /// checked out on `server`: the guest's cookie and the checkout's answer.
    @discardableResult
    private static func checkOutANewCart(
        of product: Int,
        on server: ServerProcess
    ) async throws -> (cookie: String, checkout: TestHTTP.Reply) {
        let added = try await TestHTTP.send(
            .POST,
            "/cart/items",
            port: server.port,
            headers: [("Content-Type", "application/json")],
            body: #"{"product_id": \#(product), "quantity": 2}"#
        )
        #expect(added.status == 201)
        let cookie = String(try #require(added.headers["Set-Cookie"].first?.split(separator: ";").first))
        let checkout = try await TestHTTP.send(
            .POST,
            "/cart/checkout",
            port: server.port,
            headers: [("Cookie", cookie)]
        )
        #expect(checkout.status == 201)
        return (cookie, checkout)
    }

    /// The Redis call, reservation and request histograms have buckets where their times fall
    /// (a Prometheus factory's usual ones run from 5 ms to 10 s): a local Redis call lands under
    /// 5 ms, a reservation held for less than a second in the first bucket, and a request's
    /// buckets start at 100 µs.
    @Test func theServersHistogramsHaveBucketsWhereTheirTimesFall() async throws {
        let product = try await CartEventsTests.insertProduct(price: "1.50")
        let server = try await ServerProcess.start(redis: TestEnvironment.redis.description)
        defer { server.stop() }
        let (cookie, checkout) = try await Self.checkOutANewCart(of: product, on: server)
        let id = try #require(checkout.body.firstMatch(of: /"checkout_id":"([0-9a-f-]+)"/)?.1)
        let completed = try await TestHTTP.send(
            .POST,
            "/checkouts/\(id)/complete",
            port: server.port,
            headers: [("Cookie", cookie)]
        )
        #expect(completed.status == 200)
        let metrics = try await TestHTTP.send(.GET, "/metrics", port: server.port).body

        /// A histogram's bucket bounds in order, and how many samples fell in each (cumulative).
        func buckets(_ name: String) -> [(bound: String, count: Int)] {
            metrics.split(separator: "\n").compactMap { line in
                guard let match = line.wholeMatch(of: /(\w+)_bucket\{le="([^"]+)"\} (\d+)/), match.1 == name else {
                    return nil
                }
                return (String(match.2), Int(match.3)!)
            }
        }
        let redis = buckets("hotcart_redis_call_duration_seconds")
        #expect(
            redis.map(\.bound) == [
                "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.002", "0.005", "0.01", "0.025", "0.05",
                "0.1", "0.25", "0.5", "1.0", "+Inf",
            ]
        )
        let calls = try #require(redis.last?.count)
        #expect(calls >= 3)
        #expect(redis.first { $0.bound == "0.005" }?.count ?? 0 > 0)
        let hold = buckets("hotcart_checkout_hold_seconds")
        #expect(
            hold.map(\.bound) == [
                "1.0", "5.0", "15.0", "30.0", "60.0", "120.0", "300.0", "600.0", "900.0", "1200.0", "1800.0",
                "3600.0", "7200.0", "+Inf",
            ]
        )
        #expect(hold.map(\.count) == Array(repeating: 1, count: 14))
        let route = #"route="/cart/checkout",method="POST",status="201""#
        #expect(metrics.contains("\nhotcart_http_request_duration_seconds_bucket{\(route),le=\"0.0001\"} "))
    }

    @Test func aServerWhoseLogCannotBeWrittenKeepsServing() async throws {
        // Every write to /dev/full fails (ENOSPC), as one to a closed pipe or a full disk does.
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let server = try await ServerProcess.start(redis: TestEnvironment.redis.description, output: full)
        defer { server.stop() }
        for _ in 0..<3 {
            let reply = try await TestHTTP.send(.GET, "/cart", port: server.port, timeout: .seconds(2))
            #expect(reply.status == 200)
        }
        let missing = try await TestHTTP.send(.GET, "/no-such-page", port: server.port, timeout: .seconds(2))
        #expect(missing.status == 404)
        #expect(server.isRunning)
    }

    /// The log says where the server points; `LOG_LEVEL=debug` shows what `info` leaves out (each service of the process starting,
    /// for one); `trace`, under which PostgresNIO would write its login's password, stops start-up.
    @Test func logLevelSetsWhatTheLogShows() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var lines: [String: String] = [:]
        for level in ["info", "Debug"] {
            FileManager.default.createFile(atPath: path, contents: nil)
            let log = try #require(FileHandle(forWritingAtPath: path))
            let server = try await ServerProcess.start(
                redis: TestEnvironment.redis.description,
                environment: ["LOG_LEVEL": level],
                output: log
            )
            let reply = try await TestHTTP.send(
                .POST,
                "/cart/items",
                port: server.port,
                headers: [("Content-Type", "application/json")],
                body: "{not json"
            )
            #expect(reply.status == 400)
            server.stop(signal: SIGTERM)
            try log.close()
            lines[level] = try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(lines["info"]?.contains(" debug ") == false)
        // Where it points is logged once at start, without the database's password.
        let database = TestEnvironment.database
        let configured =
            "info hotcart.serve: configured postgres=\(database.host ?? ""):\(database.port ?? 5432)/"
            + "\(database.database ?? "") redis=\(TestEnvironment.redis.description)\n"
        #expect(lines["info"]?.contains(configured) == true, "\(lines["info"] ?? "")")
        if let password = database.password {
            #expect(lines["info"]?.contains("\(database.username):\(password)@") == false)
            #expect(lines["info"]?.contains("password") == false)
        }
        #expect(lines["Debug"]?.contains("debug hotcart.serve: Starting service") == true)
        // SIGTERM: the log says the shutdown began, then that the process stopped, last.
        #expect(
            lines["info"]?.contains(
                "info hotcart.serve: shutting down: no new connections; finishing the requests in flight\n"
            ) == true
        )
        #expect(lines["info"]?.hasSuffix("info hotcart.serve: stopped\n") == true, "\(lines["info"] ?? "")")

        let (status, _, said) = try ServerProcess.command(
            ["serve"],
            environment: ["LOG_LEVEL": "trace", "SECRET_KEY": "s"]
        )
        #expect(status == 2)
        #expect(
            said
                == "configuration error: LOG_LEVEL must be one of debug, info, notice, warning, error, critical, got 'trace'\n"
        )
    }

    @Test func readinessNamesRedisWhenItIsDown() async throws {
        try await withTestApp(redis: .init(host: "127.0.0.1", port: 1)) { client, _ async throws in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["redis"] as? String == "down")
            #expect(ready.json["postgres"] as? String == "ok")
        }
    }
}
