import CartEvents
import Database
import Foundation
import HTTPTypes
import HotCartTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Webhook delivery against a real receiver on loopback that refuses, times out and recovers:
/// every event arrives, signed, in order per cart; an event past its 24 h is `failed` and its
/// cart's next event goes.
@Suite(.serialized) struct WebhookDeliveryTests {
    /// What the receiver saw, in arrival order.
    final class Receiver: Sendable {
        struct Arrival: Sendable {
            var delivery: String
            var cart: String
            var type: String
            var signed: Bool
            var accepted: Bool
        }

        let arrivals = Mutex<[Arrival]>([])
        /// Events always refused; carts whose events are refused once, then left without an
        /// answer once, then accepted.
        let refused = Mutex<Set<String>>([])
        let flaky: Set<String>

        init(flaky: Set<String>) {
            self.flaky = flaky
        }
    }

    @Test func theSignatureIsTheHexHMACSHA256OfTheBody() {
        // The example every HMAC library reproduces (e.g. Python: hmac.new(b"key", …, sha256)).
        #expect(
            WebhookDelivery.signature(of: "The quick brown fox jumps over the lazy dog", secret: "key")
                == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
    }

    @Test func aReceiverThatFailsAndRecoversGetsEveryEventInOrderPerCartSigned() async throws {
        let logger = {
            var logger = Logger(label: "hotcart.test")
            logger.logLevel = .critical
            return logger
        }()
        let secret = "webhook-secret-\(TestEnvironment.uniqueID())"
        let postgres = DatabasePool(configuration: TestEnvironment.database, logger: logger)
        let carts = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let stale = UUID().uuidString.lowercased()
        let receiver = Receiver(flaky: Set(carts))

        let router = Router()
        router.post("hook") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            let cart = json["cart_id"] as? String ?? ""
            let delivery = request.headers[HTTPField.Name("X-HotCart-Delivery")!] ?? ""
            var arrival = Receiver.Arrival(
                delivery: delivery,
                cart: cart,
                type: request.headers[HTTPField.Name("X-HotCart-Event")!] ?? "",
                signed: request.headers[HTTPField.Name("X-HotCart-Signature")!]
                    == WebhookDelivery.signature(of: text, secret: secret)
                    && json["id"] as? String == delivery,
                accepted: false
            )
            let earlier = receiver.arrivals.withLock { arrivals in arrivals.filter { $0.delivery == delivery }.count }
            let refused = receiver.refused.withLock { $0.contains(delivery) }
            if refused || (receiver.flaky.contains(cart) && earlier == 0) {
                receiver.arrivals.withLock { $0.append(arrival) }
                return Response(status: .serviceUnavailable)
            }
            if receiver.flaky.contains(cart) && earlier == 1 {
                receiver.arrivals.withLock { $0.append(arrival) }
                // Longer than the sender waits: it counts as a failure and is sent again.
                try await Task.sleep(for: .seconds(1))
                return Response(status: .ok)
            }
            arrival.accepted = true
            receiver.arrivals.withLock { $0.append(arrival) }
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            // Three events for each of three carts, and for a fourth cart an event 25 h old
            // (past retrying) followed by a new one.
            var inserted: [String: [String]] = [:]
            for cart in carts {
                for type in ["cart.abandoned", "cart.converted", "cart.expired"] {
                    inserted[cart, default: []].append(
                        try await self.insertEvent(postgres, cart: cart, type: type, hoursAgo: 0)
                    )
                }
            }
            let expected = inserted
            let old = try await self.insertEvent(postgres, cart: stale, type: "cart.abandoned", hoursAgo: 25)
            receiver.refused.withLock { _ = $0.insert(old) }
            let after = try await self.insertEvent(postgres, cart: stale, type: "cart.expired", hoursAgo: 0)

            try await app.test(.live) { client in
                let port = try #require(client.port)
                var configuration = WebhookDelivery.Configuration(url: "http://127.0.0.1:\(port)/hook", secret: secret)
                configuration.interval = .milliseconds(50)
                configuration.firstRetry = .milliseconds(100)
                configuration.timeout = .milliseconds(300)
                let delivery = WebhookDelivery(configuration: configuration, postgres: postgres, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { deliveries in
                    deliveries.addTask { try await delivery.run() }
                    defer { deliveries.cancelAll() }
                    let mine = expected.values.flatMap { $0 } + [old, after]
                    for _ in 0..<300 {
                        if try await self.statuses(postgres, mine).values.allSatisfy({ $0 != "pending" }) { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let statuses = try await self.statuses(postgres, mine)
                    for id in expected.values.flatMap({ $0 }) + [after] { #expect(statuses[id] == "delivered") }
                    #expect(statuses[old] == "failed")
                }
            }

            let arrivals = receiver.arrivals.withLock { $0 }
            for cart in carts {
                let ofCart = arrivals.filter { $0.cart == cart }
                // Each event was refused once, left unanswered once, then accepted once, in order.
                #expect(ofCart.filter(\.accepted).map(\.delivery) == expected[cart])
                #expect(ofCart.count == 9)
                #expect(ofCart.allSatisfy { $0.signed })
            }
            // The stale event was tried once, refused and given up; the cart's next one went.
            #expect(arrivals.filter { $0.cart == stale }.map(\.delivery) == [old, after])
            #expect(arrivals.filter { $0.cart == stale }.map(\.accepted) == [false, true])
        }
    }

    /// Inserts a pending event and returns its id.
    func insertEvent(_ postgres: DatabasePool, cart: String, type: String, hoursAgo: Int) async throws -> String {
        let id = UUID().uuidString.lowercased()
        for try await _ in try await postgres.query(
            """
            INSERT INTO cart_event (id, type, cart_id, items, subtotal, occurred_at)
            VALUES (\(id)::uuid, \(type), \(cart)::uuid,
                    '[{"product_id": 1, "product_name": "Mug", "quantity": 2, "unit_price": 5.99}]'::jsonb, 11.98,
                    now() - make_interval(hours => \(hoursAgo)::int))
            """
        ) {}
        return id
    }

    func statuses(_ postgres: DatabasePool, _ ids: [String]) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        for try await (id, status) in try await postgres.query(
            "SELECT id::text, status FROM cart_event WHERE id = ANY(\(ids)::uuid[])"
        ).decode((String, String).self) {
            statuses[id] = status
        }
        return statuses
    }
}
