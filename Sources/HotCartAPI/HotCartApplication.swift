import Accounts
import CartDomain
import CartEvents
import CartStore
import Catalog
import Checkout
import Currencies
import Database
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import Promotions
import RedisClient
import ServiceLifecycle
import Sharing
import WriteBehind

/// The long-lived parts of a HotCart server, built once and shared by every request.
public struct HotCartServices: Sendable {
    public let redis: RedisClient
    public let postgres: DatabasePool
    public let products: ProductCache
    public let promotions: PromoCodeCache
    public let rates: CurrencyRateCache
    public let store: RedisCartStore
    /// Tells this process's live cart streams of changes made by any process.
    public let changes: CartChangeFeed
    public let checkouts: CheckoutService
    /// Says when Redis may evict carts that PostgreSQL does not yet hold.
    public let evictions: RedisEvictionWatch
    public let users: UserRepository
    public let passwords: PasswordHasher
    public let tokens: AccessTokens
    public let metrics: PrometheusCollectorRegistry

    public init(configuration: AppConfiguration, metrics: PrometheusCollectorRegistry, logger: Logger) async {
        self.redis = RedisClient(configuration: .init(seeds: configuration.redis))
        self.postgres = DatabasePool(configuration: configuration.database, logger: logger)
        self.products = ProductCache(
            repository: ProductRepository(client: self.postgres, logger: logger),
            logger: logger
        )
        self.promotions = PromoCodeCache(
            repository: PromoCodeRepository(client: self.postgres, logger: logger),
            logger: logger
        )
        self.rates = CurrencyRateCache(
            repository: CurrencyRateRepository(postgres: self.postgres, logger: logger),
            logger: logger
        )
        self.store = RedisCartStore(
            redis: self.redis,
            settings: configuration.cart,
            durable: PostgresCartSource(postgres: self.postgres, logger: logger)
        )
        self.changes = CartChangeFeed(
            redis: self.redis,
            maximumWatchers: configuration.eventStreamsMaximum,
            keepAliveInterval: configuration.eventStreamKeepAlive,
            logger: logger
        )
        self.checkouts = CheckoutService(
            postgres: self.postgres,
            store: self.store,
            reservation: configuration.reservation,
            currency: configuration.cart.currency,
            logger: logger
        )
        self.evictions = RedisEvictionWatch(redis: self.redis, logger: logger)
        self.users = UserRepository(client: self.postgres, logger: logger)
        self.passwords = PasswordHasher(cost: UInt8(configuration.passwordHashCost))
        self.tokens = await AccessTokens(secret: configuration.secretKey, lifetime: configuration.accessTokenLifetime)
        self.metrics = metrics
    }

    /// The services to run beside the HTTP server, in start order.
    public var runnable: [any Service] {
        [self.redis, self.postgres, self.products, self.promotions, self.rates, self.changes, self.evictions]
    }
}

/// Builds the router with every HotCart route and middleware; the server and the tests use it.
public func buildRouter(
    configuration: AppConfiguration,
    services: HotCartServices,
    logger: Logger
) -> Router<CartRequestContext> {
    // HEAD answers as GET without the body (RFC 9110: a general-purpose server supports both).
    let router = Router(context: CartRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestMetricsMiddleware(registry: services.metrics))
    router.add(middleware: AllowedOriginsMiddleware(origins: Set(configuration.corsOrigins)))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BearerTokenMiddleware(tokens: services.tokens))
    OperationsController(
        redis: services.redis,
        postgres: services.postgres,
        products: services.products,
        metrics: services.metrics,
        displayCurrencies: configuration.displayCurrencies
    ).addRoutes(to: router)
    PagesController().addRoutes(to: router)
    // Routes that need PostgreSQL answer 503 CART_010 rather than wait on it past the deadline.
    func database(_ group: RouterGroup<CartRequestContext>) -> RouterGroup<CartRequestContext> {
        DatabaseDeadline(parent: group, timeout: configuration.databaseTimeout).group()
    }
    let authenticator = Authenticator(users: services.users, revocations: TokenRevocations(redis: services.redis))
    PromoCodeController(
        repository: PromoCodeRepository(client: services.postgres, logger: logger),
        cache: services.promotions,
        authenticator: authenticator
    ).addRoutes(to: database(router.group("promo-codes")))
    let cookies = GuestSessionCookies(
        signer: GuestSessionSigner(secret: configuration.secretKey),
        name: configuration.cookieName,
        secure: configuration.cookieSecure,
        maxAgeSeconds: Int(configuration.cart.guestTTLMilliseconds / 1000)
    )
    let merger = GuestCartMerger(store: services.store, cookies: cookies, enabled: configuration.enableCartMerge)
    AccountController(
        users: services.users,
        hasher: services.passwords,
        tokens: services.tokens,
        revocations: TokenRevocations(redis: services.redis),
        authenticator: authenticator,
        merger: merger
    ).addRoutes(to: database(router.group()))
    // Every route that acts on the caller's cart resolves its owner the same way.
    let owner = CartOwnerMiddleware(cookies: cookies, guestCartsEnabled: configuration.enableGuestCarts)
    let display = DisplayCurrencyMiddleware(
        base: configuration.cart.currency,
        offered: Set(configuration.displayCurrencies),
        rates: services.rates
    )
    let cart = router.group("cart").add(middleware: owner).add(middleware: display)
    let catalog = ProductController(
        repository: ProductRepository(client: services.postgres, logger: logger),
        authenticator: authenticator,
        products: services.products,
        // Half the deadline, so that the cache's answer comes well within it.
        freshReadTimeout: min(.seconds(1), configuration.databaseTimeout / 2)
    )
    catalog.addReadRoutes(to: database(router.group("products").add(middleware: display)))
    catalog.addWriteRoutes(to: database(router.group("products")))
    let checkouts = CheckoutController(
        service: services.checkouts,
        products: services.products,
        promotions: services.promotions
    )
    checkouts.addCartRoutes(to: database(cart.group()))
    checkouts.addRoutes(to: database(router.group("checkouts").add(middleware: owner).add(middleware: display)))
    let sharing = ShareController(
        repository: CartShareRepository(postgres: services.postgres, logger: logger),
        store: services.store,
        products: services.products,
        promotions: services.promotions,
        currency: configuration.cart.currency,
        lifetime: configuration.shareLifetime
    )
    sharing.addCartRoutes(to: database(cart.group()))
    sharing.addPublicRoutes(to: database(router.group("shared-carts").add(middleware: display)))
    sharing.addCopyRoutes(
        to: database(router.group("shared-carts").add(middleware: owner).add(middleware: display))
    )
    AdminController(
        events: CartEventLog(postgres: services.postgres, logger: logger),
        analytics: CartAnalytics(postgres: services.postgres, logger: logger),
        analyticsEnabled: configuration.enableCartAnalytics,
        authenticator: authenticator
    ).addRoutes(to: database(router.group("admin")))
    CurrencyController(
        repository: CurrencyRateRepository(postgres: services.postgres, logger: logger),
        cache: services.rates,
        base: configuration.cart.currency,
        offered: configuration.displayCurrencies,
        authenticator: authenticator
    ).addRoutes(to: database(router.group("currencies")))
    CartEventsController(
        store: services.store,
        feed: services.changes,
        promotions: services.promotions,
        lifetime: configuration.eventStreamLifetime
    ).addRoutes(to: cart)
    CartController(
        store: services.store,
        products: services.products,
        promotions: services.promotions,
        settings: configuration.cart,
        merger: merger,
        validationEnabled: configuration.enableCartValidation
    ).addRoutes(to: cart)
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// Builds the HotCart HTTP application: the router, the server address and every service
/// it needs, so `hotcart serve` only has to run it.
public func buildApplication(
    configuration: AppConfiguration,
    services: HotCartServices,
    logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(configuration: configuration, services: services, logger: logger),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionCloseMarker.Installer(), MalformedRequestResponder(), ContinueResponder(),
                ],
                idleTimeout: .init(configuration.idleTimeout)
            )
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "HotCart"),
        services: services.runnable,
        logger: logger
    )
}
