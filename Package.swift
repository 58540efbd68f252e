// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "HotCart",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hotcart", targets: ["hotcart"]),
        .executable(name: "loadtest", targets: ["loadtest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // hiredis (Debian libhiredis-dev): RESP command formatting and reply parsing.
        .systemLibrary(
            name: "CHiredis",
            path: "Sources/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // Asynchronous, pipelined Redis client: hiredis for the protocol, SwiftNIO for I/O.
        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ]
        ),
        // Reading configuration from the environment with the contract's rules.
        .target(name: "HotCartConfiguration"),
        // The cart domain: money, limits, carts, errors with their contract codes.
        .target(name: "CartDomain"),
        // A deadline that never waits on the work it gives up on (PostgreSQL calls that may never end).
        .target(
            name: "Deadline",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Work a service repeats at a fixed pace (cache reloads, sweeps), stopped by shutdown, and
        // the table a cache reloads whole.
        .target(
            name: "Periodic",
            dependencies: [
                "Deadline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Hot carts in Redis: key layout, the Lua scripts that change a cart atomically, and the
        // feed that tells every server process of those changes.
        .target(
            name: "CartStore",
            dependencies: [
                "CartDomain", "Periodic", "RedisClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Scripts")]
        ),
        // PostgreSQL: the versioned schema migrations and their runner, the URL, reading rows safely.
        .target(
            name: "Database",
            dependencies: [
                "CartDomain", "Deadline",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")]
        ),
        // The product catalog: products in PostgreSQL, demo data, and the in-process cache.
        .target(
            name: "Catalog",
            dependencies: [
                "CartDomain", "Database", "Periodic",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Promotion codes: their rules in PostgreSQL and the in-process cache carts price from.
        .target(
            name: "Promotions",
            dependencies: [
                "CartDomain", "Database", "Periodic",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Checkout handoff: stock and promotion uses reserved in PostgreSQL, the cart converted in Redis.
        .target(
            name: "Checkout",
            dependencies: [
                "CartDomain", "CartEvents", "CartStore", "Database", "Periodic", "Promotions",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Cart events: the outbox written beside the changes it reports, and its delivery.
        .target(
            name: "CartEvents",
            dependencies: [
                "CartDomain", "Database", "Deadline", "Periodic",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Display currencies: rates in PostgreSQL and the in-process cache cart answers convert with.
        .target(
            name: "Currencies",
            dependencies: [
                "CartDomain", "Database", "Periodic",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Shared carts: read-only snapshots of a cart's lines behind unguessable ids.
        .target(
            name: "Sharing",
            dependencies: [
                "CartDomain", "Database", "Periodic",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Accounts: users in PostgreSQL, bcrypt passwords, HS256 access tokens and their revocation.
        .target(
            name: "Accounts",
            dependencies: [
                "CartDomain", "CartStore", "Database", "RedisClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP API (Hummingbird 2): configuration, identity, controllers, error rendering.
        .target(
            name: "HotCartAPI",
            dependencies: [
                "Accounts", "CartDomain", "CartEvents", "CartStore", "Catalog", "Checkout", "Currencies", "Database",
                "Deadline", "HotCartConfiguration",
                "Promotions", "RedisClient", "Sharing", "WriteBehind",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Pages")]
        ),
        // The write-behind flusher: cart snapshots from Redis streams to PostgreSQL, in batches.
        .target(
            name: "WriteBehind",
            dependencies: [
                "CartDomain", "CartEvents", "CartStore", "Database", "Deadline", "HotCartConfiguration", "RedisClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `hotcart` command line: argument parsing on top of HotCartAPI and Catalog.
        .executableTarget(
            name: "hotcart",
            dependencies: [
                "Accounts", "CartEvents", "HotCartAPI", "Catalog", "Checkout", "Database", "HotCartConfiguration",
                "RedisClient", "Sharing",
                "WriteBehind",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: where the test Redis and PostgreSQL are, a Redis server a
        // test can start and kill itself, and `hotcart serve` processes with a small HTTP client.
        .target(
            name: "HotCartTestSupport",
            dependencies: [
                "RedisClient", "Database", "Deadline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/HotCartTestSupport"
        ),
        // Benchmark ceilings for LoadTests/wrk-cart.sh: a plain "ok" route and one Redis PING.
        .executableTarget(
            name: "plain-server",
            dependencies: [
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "LoadTests/PlainServer"
        ),
        // The load driver: virtual shoppers with a model of their carts, latency histograms,
        // the report, its JSON and its SVG chart.
        .target(
            name: "LoadDriver",
            dependencies: [
                "Database",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "LoadTests/LoadDriver"
        ),
        // `loadtest`: the command line of the load driver.
        .executableTarget(
            name: "loadtest",
            dependencies: [
                "LoadDriver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "LoadTests/LoadTest"
        ),
        .testTarget(name: "LoadDriverTests", dependencies: ["LoadDriver"]),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient", "HotCartTestSupport",
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "CartDomainTests", dependencies: ["CartDomain"]),
        .testTarget(
            name: "DeadlineTests",
            dependencies: [
                "Deadline", "Periodic",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WriteBehindTests",
            dependencies: ["WriteBehind", "CartStore", "Database", "RedisClient", "HotCartTestSupport"]
        ),
        .testTarget(name: "CartStoreTests", dependencies: ["CartStore", "RedisClient", "HotCartTestSupport"]),
        .testTarget(
            name: "DatabaseTests",
            dependencies: [
                "CartDomain", "Database", "Deadline", "HotCartTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "HotCartAPITests",
            dependencies: [
                "Accounts", "CartEvents", "CartStore", "HotCartAPI", "HotCartConfiguration", "HotCartTestSupport",
                "WriteBehind", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)

// Every module of the package runs a nonisolated async function on its caller's executor
// (Swift 6.2's `nonisolated(nonsending)` as the default): a call no longer hops to the global
// executor and back, which each `await` on the hot path otherwise pays (`swift_task_switch`:
// 80 -> 72 per `GET /cart`, 2 us less CPU). All modules, tests too: a call into such a module
// from one built without the setting crashed (Swift 6.3.1, debug build). Middleware keep
// `@concurrent` on `handle` and its `next`, as Hummingbird's `MiddlewareProtocol` (built
// without the setting) has them.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
}
