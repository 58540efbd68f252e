import AsyncHTTPClient
import CartDomain
import Crypto
import Database
import Deadline
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Delivers the outbox to `CART_WEBHOOK_URL`: each event is POSTed as JSON with
/// `X-HotCart-Event` (its type), `X-HotCart-Delivery` (its id) and `X-HotCart-Signature`
/// (`sha256=` and the hex HMAC-SHA256 of the body with `CART_WEBHOOK_SECRET`).
///
/// At least once, in order per cart: an event is sent only when no earlier event of its cart
/// is pending, and it is taken with `FOR UPDATE SKIP LOCKED`, so several flushers share the
/// outbox without sending one cart's events out of order. A refusal, an error or a timeout
/// retries the event with exponential back-off (capped at an hour) until it is 24 h old; then
/// it is `failed` and the cart's next event goes.
public struct WebhookDelivery: Service {
    /// Where and how to deliver.
    public struct Configuration: Sendable {
        public var url: String
        public var secret: String
        /// The pause between rounds when nothing was due.
        public var interval: Duration = .milliseconds(500)
        /// The first retry's delay; each later one doubles, up to an hour.
        public var firstRetry: Duration = .seconds(1)
        /// How long one POST may take.
        public var timeout: Duration = .seconds(5)
        /// How long an event is retried before it is `failed`.
        public var giveUpAfter: Duration = .seconds(24 * 3600)
        /// Events sent at once (one per cart).
        public var batchSize: Int = 50

        public init(url: String, secret: String) {
            self.url = url
            self.secret = secret
        }
    }

    private let configuration: Configuration
    private let postgres: DatabasePool
    private let logger: Logger

    public init(configuration: Configuration, postgres: DatabasePool, logger: Logger) {
        self.configuration = configuration
        self.postgres = postgres
        self.logger = logger
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var sent = 0
            do {
                // A round whose PostgreSQL calls never end is left behind (see `withDeadline`).
                let round = self.configuration.timeout + .seconds(30)
                sent = try await withDeadline(round, orThrow: RoundTimedOut()) {
                    try await self.deliverDue(with: client)
                }
                if failing { self.logger.info("webhook delivery recovered") }
                failing = false
            } catch {
                if !failing {
                    self.logger.warning("webhook delivery failing; retrying", metadata: ["error": "\(error)"])
                }
                failing = true
            }
            if sent == 0 { try? await Task.sleep(for: self.configuration.interval) }
        }
        try await client.shutdown()
    }

    /// A round of delivery that did not end within its deadline.
    struct RoundTimedOut: Error {}

    /// One round: takes the due events (the oldest pending one of each cart), sends them at
    /// once, records each outcome, and commits. Returns how many were sent.
    func deliverDue(with client: HTTPClient) async throws -> Int {
        let configuration = self.configuration
        let logger = self.logger
        do {
            return try await self.postgres.withTransaction(logger: logger) { connection in
                let events = try await Self.due(limit: configuration.batchSize, on: connection, logger: logger)
                guard !events.isEmpty else { return 0 }
                let outcomes = await withTaskGroup(of: (CartEvent, Bool).self) { group in
                    for event in events {
                        group.addTask { (event, await Self.send(event, with: client, configuration: configuration)) }
                    }
                    return await group.reduce(into: [(CartEvent, Bool)]()) { $0.append($1) }
                }
                for (event, delivered) in outcomes {
                    try await Self.record(
                        event,
                        delivered: delivered,
                        configuration: configuration,
                        on: connection,
                        logger: logger
                    )
                }
                return events.count
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// The event as its webhook body: the same bytes on every attempt.
    public static func body(of event: CartEvent) -> String {
        func quoted(_ text: String?) -> String {
            guard let text else { return "null" }
            let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        let subtotal = "\(event.subtotalCents / 100).\(String(format: "%02lld", event.subtotalCents % 100))"
        let occurred = ISO8601DateFormatter.string(
            from: Date(timeIntervalSince1970: Double(event.occurredAt) / 1000),
            timeZone: TimeZone(identifier: "UTC")!,
            formatOptions: [.withInternetDateTime, .withFractionalSeconds]
        )
        return """
            {"id":\(quoted(event.id)),"type":\(quoted(event.type)),"cart_id":\(quoted(event.cartID)),\
            "user_id":\(quoted(event.userID)),"email":\(quoted(event.email)),"items":\(event.itemsJSON),\
            "subtotal":\(subtotal),"occurred_at":\(quoted(occurred))}
            """
    }

    /// `sha256=` and the hex HMAC-SHA256 of `body` with `secret`.
    public static func signature(of body: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether the receiver took the event (any 2xx within the timeout).
    private static func send(_ event: CartEvent, with client: HTTPClient, configuration: Configuration) async -> Bool {
        let body = Self.body(of: event)
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-HotCart-Event", value: event.type)
        request.headers.add(name: "X-HotCart-Delivery", value: event.id)
        request.headers.add(name: "X-HotCart-Signature", value: Self.signature(of: body, secret: configuration.secret))
        request.body = .bytes(ByteBuffer(string: body))
        let (seconds, attoseconds) = configuration.timeout.components
        let timeout = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }

    /// The oldest pending event of each cart that is due, locked for this round.
    private static func due(limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [CartEvent] {
        let rows = try await connection.rows(
            """
            SELECT \(unescaped: CartEvent.columns)
            FROM cart_event AS event
            WHERE status = 'pending' AND next_attempt_at <= now()
              AND NOT EXISTS (
                  SELECT 1 FROM cart_event AS earlier
                  WHERE earlier.cart_id = event.cart_id AND earlier.status = 'pending'
                    AND earlier.sequence < event.sequence)
            ORDER BY sequence LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        return try CartEvent.events(in: rows)
    }

    /// Delivered, retried later (back-off doubling from `firstRetry`, capped at an hour), or
    /// failed once the event is older than `giveUpAfter`.
    private static func record(
        _ event: CartEvent,
        delivered: Bool,
        configuration: Configuration,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let firstRetry = configuration.firstRetry.wholeMilliseconds
        let delay = min(firstRetry << min(event.attempts, 40), 3_600_000)
        let giveUp = configuration.giveUpAfter.wholeMilliseconds
        try await connection.execute(
            """
            UPDATE cart_event SET attempts = attempts + 1,
                status = CASE WHEN \(delivered) THEN 'delivered'
                              WHEN occurred_at < now() - make_interval(secs => \(giveUp)::bigint / 1000.0) THEN 'failed'
                              ELSE 'pending' END,
                delivered_at = CASE WHEN \(delivered) THEN now() ELSE NULL END,
                next_attempt_at = now() + make_interval(secs => \(delay)::bigint / 1000.0)
            WHERE id = \(event.id)::uuid
            """,
            logger: logger
        )
    }
}
