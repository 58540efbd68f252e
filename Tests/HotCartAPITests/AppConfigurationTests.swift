import Foundation
import HotCartAPI
import HotCartConfiguration
import HotCartTestSupport
import RedisClient
import Testing
import WriteBehind

@Suite struct AppConfigurationTests {
    let base = ["SECRET_KEY": "s"]

    /// An operator reading `hotcart serve --help` and `hotcart flush --help` finds every variable
    /// config/defaults.env sets, and the ones without a default.
    @Test func theCommandsHelpNamesEveryVariable() throws {
        let help = try ["serve", "flush"].map { try ServerProcess.command([$0, "--help"]).output }.joined()
        let defaults = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/defaults.env")
        let variables = try String(contentsOf: defaults, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && $0.contains("=") }
            .map { String($0.prefix { $0 != "=" }) }
        #expect(variables.count > 30)
        let words = Set(help.split { !($0.isLetter || $0 == "_") }.map(String.init))
        for variable in variables + ["SECRET_KEY", "CART_WEBHOOK_URL", "CART_WEBHOOK_SECRET"] {
            #expect(words.contains(variable), "\(variable) is not in the commands' help")
        }
    }

    /// `hotcart user create` reads `PASSWORD_HASH_COST` as `serve` does: a bad value stops it
    /// before it hashes or reaches PostgreSQL (it took any other value as 12, and clamped).
    @Test(arguments: [("x", "must be a whole number, got 'x'"), ("3", "must be between 4 and 16, got 3")])
    func userCreateRefusesABadHashCost(value: String, reason: String) throws {
        let (status, _, said) = try ServerProcess.command(
            ["user", "create", "--email", "ops@example.com", "--password", "long enough"],
            environment: ["PASSWORD_HASH_COST": value, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"]
        )
        #expect(status == 2)
        #expect(said == "configuration error: PASSWORD_HASH_COST \(reason)\n")
    }

    /// Redis and PostgreSQL show the process's connections by its name, unless the URLs name them.
    @Test func theConnectionsAreNamedAfterTheProcess() throws {
        let serve = try AppConfiguration(environment: base, applicationName: "hotcart serve")
        #expect(serve.redis.map(\.clientName) == ["hotcart-serve"])
        #expect(
            serve.database.options.additionalStartupParameters.contains { $0 == ("application_name", "hotcart serve") }
        )
        let pyshop = try AppConfiguration(
            environment: base.merging([
                "REDIS_URL": "redis://a:7001?client_name=pyshop,redis://b:7002",
                "DATABASE_URL": "postgres://db.internal/hotcart?application_name=pyshop",
            ]) { $1 },
            applicationName: "hotcart flush"
        )
        #expect(pyshop.redis.map(\.clientName) == ["pyshop", "hotcart-flush"])
        #expect(pyshop.database.options.additionalStartupParameters.contains { $0 == ("application_name", "pyshop") })
    }

    @Test func defaultsFollowTheContract() throws {
        let configuration = try AppConfiguration(environment: base)
        #expect(configuration.port == 8000)
        #expect(configuration.cart.limits.maxItems == 100)
        #expect(configuration.cart.limits.maxQuantityPerItem == 99)
        #expect(configuration.cart.guestTTLMilliseconds == 7 * 86_400_000)
        #expect(configuration.cookieName == "pyshop_cart_session")
        #expect(configuration.cookieSecure)
        var redis = RedisEndpoint(host: "127.0.0.1", port: 6379)
        redis.clientName = "hotcart"
        #expect(configuration.redis == [redis])
        #expect(configuration.eventStreamsMaximum == 10_000)
        #expect(configuration.eventStreamKeepAlive == .seconds(15))
        #expect(configuration.idleTimeout == .seconds(75))
    }

    @Test func redisURLMayListTheSeedNodesOfACluster() throws {
        let cluster = "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003"
        let configuration = try AppConfiguration(environment: base.merging(["REDIS_URL": cluster]) { $1 })
        #expect(configuration.redis.map(\.port) == [7001, 7002, 7003])
    }

    @Test(arguments: [
        ("PORT", "eighty"), ("CART_MAX_ITEMS", "-1"), ("CART_COOKIE_NAME", "cart session"),
        ("CART_COOKIE_NAME", "cart;Path=/x"), ("CART_COOKIE_NAME", "cärt"), ("CART_MAX_QUANTITY_PER_ITEM", "100"),
        ("CART_SESSION_TTL_DAYS", "-1.5"),
        ("ENABLE_GUEST_CARTS", "maybe"), ("REDIS_URL", "http://x"), ("REDIS_URL", "redis://a:1,b:2"),
        ("REDIS_URL", "rediss://cache.internal?ssl_cert_reqs=sometimes"),
        ("REDIS_URL", "rediss://cache.internal?ssl_ca_certs=/nonexistent/ca.pem"),
        ("REDIS_URL", "rediss://cache.internal?ssl_certfile=/nonexistent/client.crt"),
        ("CART_WEBHOOK_URL", "ftp://x"), ("CART_CURRENCIES", "USD,EURO"), ("CART_RESERVATION_MINUTES", "-1"),
        ("CART_SHARE_TTL_DAYS", "x"), ("CART_EVENTS_MAX_STREAMS", "0"), ("CART_EVENTS_KEEPALIVE_SECONDS", "x"),
        ("DATABASE_URL", "nope"), ("DATABASE_URL", "postgres://db.internal/hotcart?sslmode=on"),
        ("DATABASE_URL", "postgres://db.internal/hotcart?sslmode=verify-ca&sslrootcert=/nonexistent/root.crt"),
        ("DATABASE_URL", "postgres://db.internal/hotcart?sslcert=/nonexistent/client.crt"),
        ("FLUSH_BATCH_SIZE", "x"), ("CART_CURRENCY", "DOLLARS"),
        ("CORS_ORIGINS", "notaurl"), ("CORS_ORIGINS", "http://localhost:3000,localhost:8080"),
        ("CORS_ORIGINS", "http://shop.example/cart"), ("HTTP_IDLE_TIMEOUT_SECONDS", "0"),
        // The flusher's settings, by the flusher's rules.
        ("FLUSH_BATCH_SIZE", "0"), ("FLUSH_INTERVAL_MS", "-3"), ("FLUSH_METRICS_PORT", "70000"),
        ("CART_CLEANUP_INTERVAL_HOURS", "-0.5"), ("CART_ARCHIVE_AFTER_DAYS", "x"),
        // A duration is a plain decimal number, at most its maximum; a lifetime is more than 0
        // and at least a second, an age 0 or more (never negative, not even -0).
        ("CART_USER_IDLE_DAYS", "1e3"), ("ACCESS_TOKEN_EXPIRE_MINUTES", "nan"), ("CART_SHARE_TTL_DAYS", "0x10"),
        ("CART_SESSION_TTL_DAYS", "3651"), ("CART_SESSION_TTL_DAYS", "0.00001"), ("CART_RESERVATION_MINUTES", "."),
        ("CART_ABANDONED_AFTER_DAYS", "1.5.2"), ("CART_SESSION_TTL_DAYS", "0.0"), ("CART_USER_IDLE_DAYS", "0"),
        ("CART_ABANDONED_AFTER_DAYS", "-0"), ("CART_SHARE_TTL_DAYS", "-0.001"), ("ACCESS_TOKEN_EXPIRE_MINUTES", "-5"),
    ])
    func aBadValueNamesItsVariable(variable: String, value: String) {
        #expect {
            try AppConfiguration(environment: base.merging([variable: value]) { $1 })
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }

    /// A test that cannot wait days sets a fraction of one (CONTRACT.md §2 asks for numbers).
    @Test func durationsMayBeFractionsOfTheirUnit() throws {
        let environment = base.merging([
            "CART_SESSION_TTL_DAYS": "0.5", "CART_USER_IDLE_DAYS": " 0.0001 ", "ACCESS_TOKEN_EXPIRE_MINUTES": "0.05",
            "CART_RESERVATION_MINUTES": "0.1", "CART_SHARE_TTL_DAYS": ".25", "CART_CLEANUP_INTERVAL_HOURS": "0.001",
            "CART_ABANDONED_AFTER_DAYS": "2.", "CART_ARCHIVE_AFTER_DAYS": "90",
        ]) { $1 }
        let configuration = try AppConfiguration(environment: environment)
        #expect(configuration.cart.guestTTLMilliseconds == 43_200_000)
        #expect(configuration.cart.userIdleMilliseconds == 8_640)
        #expect(configuration.accessTokenLifetime == .seconds(3))
        #expect(configuration.reservation == .seconds(6))
        #expect(configuration.shareLifetime == .seconds(21_600))
        let flusher = try FlusherConfiguration(environment: environment, consumerName: "test")
        #expect(flusher.cleanupIntervalMilliseconds == 3_600)
        #expect(flusher.abandonedAfterMilliseconds == 2 * 86_400_000)
        #expect(flusher.archiveAfterMilliseconds == 90 * 86_400_000)
    }

    /// An age past which something ends may be 0, for a test that wants it now; the sweep's
    /// period may be 0 too, and is then a second.
    @Test func agesMayBeZeroAndTheSweepRunsAtMostOnceASecond() throws {
        let environment = base.merging([
            "CART_ABANDONED_AFTER_DAYS": "0", "CART_ARCHIVE_AFTER_DAYS": "0.0", "CART_RESERVATION_MINUTES": "0",
            "CART_SHARE_TTL_DAYS": "0", "ACCESS_TOKEN_EXPIRE_MINUTES": "0.001", "CART_CLEANUP_INTERVAL_HOURS": "0",
        ]) { $1 }
        let configuration = try AppConfiguration(environment: environment)
        #expect(configuration.reservation == .zero)
        #expect(configuration.shareLifetime == .zero)
        #expect(configuration.accessTokenLifetime == .milliseconds(60))
        let flusher = try FlusherConfiguration(environment: environment, consumerName: "test")
        #expect(flusher.abandonedAfterMilliseconds == 0)
        #expect(flusher.archiveAfterMilliseconds == 0)
        #expect(flusher.cleanupIntervalMilliseconds == 1000)
        let subSecond = environment.merging(["CART_CLEANUP_INTERVAL_HOURS": "0.0001"]) { $1 }
        #expect(
            try FlusherConfiguration(environment: subSecond, consumerName: "test").cleanupIntervalMilliseconds == 1000
        )
    }

    @Test(arguments: [
        ("true", true), ("False", false), ("YES", true), ("no", false), ("on", true), ("OFF", false), ("1", true),
        ("0", false), ("t", true), ("F", false), ("y", true), ("n", false), (" true ", true),
    ])
    func flagsTakePydanticsWords(word: String, value: Bool) throws {
        let configuration = try AppConfiguration(environment: base.merging(["ENABLE_GUEST_CARTS": word]) { $1 })
        #expect(configuration.enableGuestCarts == value)
    }

    @Test func originsAreReadAsBrowsersSendThem() throws {
        let configuration = try AppConfiguration(
            environment: base.merging([
                "CORS_ORIGINS": "https://shop.example/, http://localhost:3000", "CART_CURRENCY": "eur",
            ]) { $1 }
        )
        #expect(configuration.corsOrigins == ["https://shop.example", "http://localhost:3000"])
        #expect(configuration.cart.currency == "EUR")
    }

    @Test func aMissingSecretStopsStartUp() {
        #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: [:]) }
    }
}
