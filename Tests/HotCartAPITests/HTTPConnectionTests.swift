import HotCartTestSupport
import Testing

/// Connections to a real `hotcart serve` that do not carry a well-formed request: with
/// `HTTP_IDLE_TIMEOUT_SECONDS`, one that sends nothing or stops halfway through a request is
/// closed, while a request being answered (a live stream) is never cut; a malformed body, and a
/// request the HTTP parser refuses, is 400 with the contract's CART_005 body; a request that
/// expects `100 Continue` gets it before it sends its body; an HTTP/1.0 connection closes after
/// its answer.
@Suite struct HTTPConnectionTests {
    static let environment = ["HTTP_IDLE_TIMEOUT_SECONDS": "1", "CART_EVENTS_KEEPALIVE_SECONDS": "5"]

    /// A `hotcart serve` (by default with a 1 s idle timeout); the caller stops it.
    static func startServer(environment: [String: String] = Self.environment) async throws -> ServerProcess {
        try await ServerProcess.start(redis: TestEnvironment.redis.description, environment: environment)
    }

    @Test func stalledConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let server = try await Self.startServer()
        defer { server.stop() }
        let stalled = [
            "nothing": "",
            "half a head": "GET /cart HTTP/1.1\r\nHost: 127.0.0.1\r\n",
            "half a body": "POST /cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 40\r\n\r\n{\"product_id\": 1,",
        ]
        try await withThrowingTaskGroup(of: (String, Duration?).self) { group in
            for (name, bytes) in stalled {
                group.addTask {
                    (name, try await TestHTTP.raw(bytes, port: server.port, limit: .seconds(4))?.closedAfter)
                }
            }
            for try await (name, closedAfter) in group {
                let elapsed = try #require(closedAfter, "a connection sending \(name) was still open after 4 s")
                #expect(elapsed >= .milliseconds(900), "a connection sending \(name) closed after \(elapsed)")
            }
        }
        let reply = try await TestHTTP.send(.GET, "/cart", port: server.port, timeout: .seconds(2))
        #expect(reply.status == 200)
    }

    @Test func aMalformedChunkedBodyIsABadRequest() async throws {
        let server = try await Self.startServer()
        defer { server.stop() }
        let request =
            "POST /cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n"
        let answer = try #require(try await TestHTTP.raw(request, port: server.port, limit: .seconds(4)))
        #expect(answer.received.hasPrefix("HTTP/1.1 400 "), "answered \(answer.received)")
        #expect(answer.received.contains(#""code":"CART_005""#))
    }

    /// Refused by NIO's parser before any route runs; Hummingbird answers after the request
    /// before it on the connection, and ``MalformedRequestResponder`` gives that answer its body.
    @Test func aRequestTheParserRefusesGetsTheContractsErrorAfterTheAnswerBeforeIt() async throws {
        let server = try await Self.startServer()
        defer { server.stop() }
        let oversized =
            "GET /cart HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=\(String(repeating: "b", count: 90_000))\r\n\r\n"
        let tooLarge = try #require(try await TestHTTP.raw(oversized, port: server.port, limit: .seconds(4)))
        #expect(tooLarge.received.hasPrefix("HTTP/1.1 400 "), "answered \(tooLarge.received.prefix(200))")
        #expect(tooLarge.received.contains("Content-Type: application/json"))
        #expect(
            tooLarge.received.hasSuffix(
                #"{"error":"INVALID_REQUEST","message":"The request's header fields are too large","field":null,"#
                    + #""code":"CART_005","detail":"The request's header fields are too large"}"#
            ),
            "answered \(tooLarge.received.prefix(400))"
        )

        let pipelined = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nNOT HTTP\u{1}\r\n\r\n"
        let answers = try #require(try await TestHTTP.raw(pipelined, port: server.port, limit: .seconds(4)))
        let parts = answers.received.components(separatedBy: "HTTP/1.1 ")
        #expect(parts.count == 3, "answered \(answers.received)")
        #expect(parts.dropFirst().first?.hasPrefix("200 ") == true)
        #expect(parts.last?.hasPrefix("400 ") == true)
        #expect(parts.last?.hasSuffix(#""code":"CART_005","detail":"The request could not be parsed"}"#) == true)

        // The server goes on answering.
        let reply = try await TestHTTP.send(.GET, "/healthz", port: server.port, timeout: .seconds(2))
        #expect(reply.status == 200)
    }

    /// A client that sends `Expect: 100-continue` holds its body back until told to go on.
    @Test func aRequestExpectingContinueIsToldToGoOnBeforeItsBodyIsSent() async throws {
        let product = try await CartEventsTests.insertProduct(price: "4.00")
        let server = try await Self.startServer()
        defer { server.stop() }
        let body = #"{"product_id": \#(product), "quantity": 2}"#
        let head =
            "POST /cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let exchange = try await TestHTTP.rawHeadThenBody(head, body: body, port: server.port, limit: .seconds(3))
        let (beforeBody, afterBody) = try #require(exchange, "no interim answer before the body")
        #expect(beforeBody == "HTTP/1.1 100 Continue\r\n\r\n")
        #expect(afterBody.hasPrefix("HTTP/1.1 201 "), "answered \(afterBody.prefix(200))")
        #expect(afterBody.contains(#""total_items":2"#))
    }

    /// HTTP/1.0 (ApacheBench) reads an answer to its end at the close; HTTP/1.1 keeps its
    /// connection. A 30 s idle timeout here, so only the close after the answer ends it in time.
    @Test func anHTTP10ConnectionClosesAfterItsAnswerAndAnHTTP11OneStaysOpen() async throws {
        let server = try await Self.startServer(environment: ["HTTP_IDLE_TIMEOUT_SECONDS": "30"])
        defer { server.stop() }
        for request in [
            "GET /healthz HTTP/1.0\r\n\r\n",
            "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n",
        ] {
            let answer = try #require(
                try await TestHTTP.raw(request, port: server.port, limit: .seconds(4)),
                "still open 4 s after \(request.debugDescription)"
            )
            #expect(answer.received.hasPrefix("HTTP/1.1 200 "))
            #expect(answer.received.hasSuffix(#"{"status":"ok"}"#))
        }
        let kept = try await TestHTTP.raw(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            port: server.port,
            limit: .seconds(2)
        )
        #expect(kept == nil, "an HTTP/1.1 connection was closed after its answer")
        // The marker leaves an HTTP/1.1 connection after its first request; a later request's
        // `Connection: close` still closes it after that request's answer.
        let closedLater = try #require(
            try await TestHTTP.raw(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                port: server.port,
                limit: .seconds(4)
            ),
            "still open 4 s after a second request that said Connection: close"
        )
        #expect(closedLater.received.components(separatedBy: "HTTP/1.1 200 ").count == 3)
    }

    @Test func aLiveCartStreamOutlastsTheIdleTimeout() async throws {
        let product = try await CartEventsTests.insertProduct(price: "4.00")
        let server = try await Self.startServer()
        defer { server.stop() }
        let cookie = try await CartEventsTests.guestCookie(port: server.port)
        try await TestHTTP.withEventStream(port: server.port, headers: [("Cookie", cookie)]) { stream in
            #expect(try await stream.nextEvent(within: .seconds(3)) != nil)
            // Nothing travels either way for twice the idle timeout (keep-alives come every 5 s).
            try await Task.sleep(for: .seconds(2))
            let changed = try await CartEventsTests.add(product, quantity: 1, cookie: cookie, port: server.port)
            let event = try #require(try await stream.nextEvent(within: .seconds(3)), "the stream was cut")
            #expect(event.id == String(changed))
        }
    }
}
