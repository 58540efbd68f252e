import CartDomain
import Database
import Foundation
import HTTPTypes
import HotCartConfiguration
import PostgresNIO
import RedisClient
import WriteBehind

/// Everything `hotcart serve` is configured with, read once from the environment at start.
///
/// A bad value throws a ``ConfigurationError`` naming the variable; nothing reads the
/// environment after start-up.
public struct AppConfiguration: Sendable {
    /// One Redis server, or seed nodes of a Redis Cluster (`REDIS_URL`, comma-separated).
    public var redis: [RedisEndpoint]
    public var database: PostgresClient.Configuration
    public var host: String
    public var port: Int
    /// Signs access tokens (as FastAPI-Users does) and, through a derived key, guest session
    /// cookies. Never logged.
    public var secretKey: String
    public var cart: CartSettings
    public var cookieName: String
    public var cookieSecure: Bool
    /// Origins whose pages may call the API with credentials; `*` among them allows any origin.
    public var corsOrigins: [String]
    public var enableGuestCarts: Bool
    public var enableCartMerge: Bool
    public var enableCartValidation: Bool
    /// `GET /admin/analytics` answers (`ENABLE_CART_ANALYTICS`); otherwise 404.
    public var enableCartAnalytics: Bool
    /// How long an access token lives (`ACCESS_TOKEN_EXPIRE_MINUTES`).
    public var accessTokenLifetime: Duration
    /// bcrypt cost for new password hashes (`PASSWORD_HASH_COST`, not in the contract; 12).
    public var passwordHashCost: Int
    /// How long a checkout holds its stock before the sweep releases it (`CART_RESERVATION_MINUTES`).
    public var reservation: Duration
    /// How long a shared cart can be read (`CART_SHARE_TTL_DAYS`).
    public var shareLifetime: Duration
    /// Live cart streams (`GET /cart/events`) one process holds at most (`CART_EVENTS_MAX_STREAMS`).
    public var eventStreamsMaximum: Int
    /// How often an idle live cart stream gets a comment line (`CART_EVENTS_KEEPALIVE_SECONDS`,
    /// not in the contract; 15).
    public var eventStreamKeepAlive: Duration
    /// How long one live cart stream lasts before the server ends it and the client reconnects
    /// with `Last-Event-ID` (`CART_EVENTS_STREAM_SECONDS`, not in the contract; one hour).
    public var eventStreamLifetime: Duration
    /// How long a connection may sit without a byte of a request before the server closes it
    /// (`HTTP_IDLE_TIMEOUT_SECONDS`, not in the contract; 75 s as in nginx, so that a client pool
    /// dropping idle connections after 60 s, as AsyncHTTPClient's does, closes first): an idle
    /// keep-alive connection, or a client that stops halfway through its headers or body. A
    /// request being answered (a live cart stream) is never cut.
    public var idleTimeout: Duration
    /// How long a request that needs PostgreSQL (the catalog, accounts, checkouts, shares,
    /// promotion codes, rates, the admin's reports) may wait for its answer before it is answered
    /// 503 CART_010 (not in the contract; 5 s). Cart reads and changes never wait on PostgreSQL.
    public var databaseTimeout: Duration
    /// Where the flusher POSTs cart events (`CART_WEBHOOK_URL`); `nil`: no delivery.
    public var webhookURL: String?
    /// Signs each webhook body (`CART_WEBHOOK_SECRET`). Never logged.
    public var webhookSecret: String
    /// The currencies a cart may be shown in with `?currency=` (`CART_CURRENCIES`; the base
    /// currency, `CART_CURRENCY`, always among them).
    public var displayCurrencies: [String]

    /// A configuration for tests and tools: loopback services, a fixed secret.
    public init(redis: RedisEndpoint, database: PostgresClient.Configuration, secretKey: String) {
        self.redis = [redis]
        self.database = database
        self.host = "127.0.0.1"
        self.port = 8000
        self.secretKey = secretKey
        self.cart = CartSettings()
        self.cookieName = "pyshop_cart_session"
        self.cookieSecure = false
        self.corsOrigins = ["http://localhost:3000", "http://localhost:8080"]
        self.enableGuestCarts = true
        self.enableCartMerge = true
        self.enableCartValidation = true
        self.enableCartAnalytics = true
        self.accessTokenLifetime = .seconds(30 * 60)
        self.passwordHashCost = 12
        self.reservation = .seconds(15 * 60)
        self.shareLifetime = .seconds(30 * 86_400)
        self.eventStreamsMaximum = 10_000
        self.eventStreamKeepAlive = .seconds(15)
        self.eventStreamLifetime = .seconds(3600)
        self.idleTimeout = .seconds(75)
        self.databaseTimeout = .seconds(5)
        self.displayCurrencies = ["USD"]
        self.webhookURL = nil
        self.webhookSecret = ""
    }

    /// `PASSWORD_HASH_COST` as every command reads it (`hotcart user create` too).
    public static func passwordHashCost(in environment: [String: String]) throws(ConfigurationError) -> Int {
        try EnvironmentReader(environment).integer("PASSWORD_HASH_COST", default: 12, range: 4...16)
    }

    /// Reads the contract's variables; defaults as in `config/defaults.env`. `SECRET_KEY` is
    /// required unless `requiresSecret` is false (the flusher signs nothing). PostgreSQL and Redis
    /// show the process's connections as `applicationName` unless `DATABASE_URL` or `REDIS_URL`
    /// names them (`application_name`, `client_name`; in Redis with `-` for spaces).
    public init(
        environment: [String: String],
        requiresSecret: Bool = true,
        applicationName: String = "hotcart"
    ) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment)
        let redisURL = reader.string("REDIS_URL", default: "redis://127.0.0.1:6379/0")
        guard let redis = RedisEndpoint.seeds(url: redisURL) else {
            throw ConfigurationError(
                variable: "REDIS_URL",
                reason: "is not a redis://, rediss:// or unix:// URL (or a comma-separated list of them)"
            )
        }
        for endpoint in redis {
            do {
                _ = try endpoint.tls?.context()
            } catch {
                throw ConfigurationError(variable: "REDIS_URL", reason: error.description)
            }
        }
        let databaseURL = reader.string("DATABASE_URL", default: "postgres://hotcart:hotcart@127.0.0.1:5432/hotcart")
        let database: PostgresClient.Configuration
        do {
            database = try DatabaseURL(databaseURL, applicationName: applicationName).client
        } catch {
            throw ConfigurationError(variable: "DATABASE_URL", reason: error.description)
        }
        let secretKey = environment["SECRET_KEY"] ?? ""
        if requiresSecret && secretKey.isEmpty {
            throw ConfigurationError(variable: "SECRET_KEY", reason: "must be set (scripts/run sets a development key)")
        }
        self.init(redis: redis[0], database: database, secretKey: secretKey)
        // Redis shows the process's connections by its name too, unless REDIS_URL names them.
        self.redis = redis.map { endpoint in
            var named = endpoint
            named.clientName = endpoint.clientName ?? applicationName.replacingOccurrences(of: " ", with: "-")
            return named
        }
        self.host = reader.string("HOST", default: "127.0.0.1")
        self.port = try reader.integer("PORT", default: 8000, range: 0...65535)
        let limits = CartLimits(
            // At most 99: PostgreSQL's `cart_item.quantity` is checked 1..99 (CONTRACT.md §5), so a
            // longer line could never be written behind.
            maxQuantityPerItem: try reader.integer("CART_MAX_QUANTITY_PER_ITEM", default: 99, range: 1...99),
            maxItems: try reader.integer("CART_MAX_ITEMS", default: 100, range: 1...100_000)
        )
        self.cart = CartSettings(
            limits: limits,
            guestTTLMilliseconds: try reader.milliseconds(
                "CART_SESSION_TTL_DAYS",
                default: 7,
                in: .days,
                maximum: 3650
            ),
            userIdleMilliseconds: try reader.milliseconds("CART_USER_IDLE_DAYS", default: 30, in: .days, maximum: 3650),
            mutationsPerMinute: try reader.integer("CART_RATE_LIMIT_PER_MINUTE", default: 600, range: 0...100_000_000),
            currency: reader.string("CART_CURRENCY", default: "USD").trimmingCharacters(in: .whitespaces).uppercased()
        )
        guard DisplayCurrency.isWellFormed(self.cart.currency) else {
            throw ConfigurationError(variable: "CART_CURRENCY", reason: "must be an ISO 4217 code such as USD")
        }
        self.cookieName = reader.string("CART_COOKIE_NAME", default: "pyshop_cart_session")
            .trimmingCharacters(in: .whitespaces)
        guard Self.isCookieName(self.cookieName) else {
            throw ConfigurationError(
                variable: "CART_COOKIE_NAME",
                reason: "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~), got '\(self.cookieName)'"
            )
        }
        self.cookieSecure = try reader.flag("CART_COOKIE_SECURE", default: true)
        self.corsOrigins = try reader.string("CORS_ORIGINS", default: "http://localhost:3000,http://localhost:8080")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { entry throws(ConfigurationError) in
                if entry == "*" { return entry }
                guard let origin = Self.origin(entry) else {
                    throw ConfigurationError(
                        variable: "CORS_ORIGINS",
                        reason: "must list origins such as http://localhost:3000, got '\(entry)'"
                    )
                }
                return origin
            }
        self.enableGuestCarts = try reader.flag("ENABLE_GUEST_CARTS", default: true)
        self.enableCartMerge = try reader.flag("ENABLE_CART_MERGE", default: true)
        self.enableCartValidation = try reader.flag("ENABLE_CART_VALIDATION", default: true)
        self.accessTokenLifetime = .milliseconds(
            try reader.milliseconds(
                "ACCESS_TOKEN_EXPIRE_MINUTES",
                default: 30,
                in: .minutes,
                maximum: 525_600,
                mayBeZero: true
            )
        )
        self.passwordHashCost = try Self.passwordHashCost(in: environment)
        self.reservation = .milliseconds(
            try reader.milliseconds(
                "CART_RESERVATION_MINUTES",
                default: 15,
                in: .minutes,
                maximum: 10_080,
                mayBeZero: true
            )
        )
        self.shareLifetime = .milliseconds(
            try reader.milliseconds("CART_SHARE_TTL_DAYS", default: 30, in: .days, maximum: 3650, mayBeZero: true)
        )
        self.eventStreamsMaximum = try reader.integer("CART_EVENTS_MAX_STREAMS", default: 10_000, range: 1...1_000_000)
        let keepAlive = try reader.integer("CART_EVENTS_KEEPALIVE_SECONDS", default: 15, range: 1...3600)
        self.eventStreamKeepAlive = .seconds(keepAlive)
        let streamSeconds = try reader.integer("CART_EVENTS_STREAM_SECONDS", default: 3600, range: 1...86_400)
        self.eventStreamLifetime = .seconds(streamSeconds)
        self.idleTimeout = .seconds(try reader.integer("HTTP_IDLE_TIMEOUT_SECONDS", default: 75, range: 1...86_400))
        let currencies = reader.string("CART_CURRENCIES", default: "USD").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        guard currencies.allSatisfy(DisplayCurrency.isWellFormed) else {
            throw ConfigurationError(
                variable: "CART_CURRENCIES",
                reason: "must list ISO 4217 codes such as USD,EUR,JPY"
            )
        }
        self.displayCurrencies = [self.cart.currency] + currencies.filter { $0 != self.cart.currency }
        let webhook = reader.string("CART_WEBHOOK_URL", default: "")
        if !webhook.isEmpty {
            guard let url = URL(string: webhook), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(variable: "CART_WEBHOOK_URL", reason: "is not an http(s) URL")
            }
            self.webhookURL = webhook
        }
        self.webhookSecret = environment["CART_WEBHOOK_SECRET"] ?? ""
        // The flusher's settings are checked here too, by the flusher's own rules, so a value
        // `hotcart flush` would refuse stops the server as well.
        _ = try FlusherConfiguration(environment: environment, consumerName: "serve")
        self.enableCartAnalytics = try reader.flag("ENABLE_CART_ANALYTICS", default: true)
    }

    /// Whether `name` may name a cookie: an HTTP token (RFC 6265), as a header's name is, so
    /// that no space, `;` or `=` breaks the `Set-Cookie` header it is written into.
    static func isCookieName(_ name: String) -> Bool {
        HTTPField.Name(name) != nil
    }

    /// `text` as a browser writes it in `Origin` (`scheme://host[:port]`, a trailing `/`
    /// dropped), or `nil` when it is not an http(s) origin.
    static func origin(_ text: String) -> String? {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.path.isEmpty, url.query == nil, url.fragment == nil,
            url.user == nil
        else { return nil }
        return trimmed
    }
}
