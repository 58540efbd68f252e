import CartDomain
import Logging
import Periodic
import ServiceLifecycle

/// The catalog in process memory, so adding to a cart never waits on PostgreSQL.
///
/// Run as a `Service`, it reloads the catalog every `refreshInterval` (500 ms by default), so
/// a price change, a deactivation or a deletion reaches new adds within one second. While
/// PostgreSQL is down it keeps serving the last catalog it read.
public final class ProductCache: Service, Sendable {
    private let repository: ProductRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The catalog, by product id.
    private let table = ReloadedTable<Int, ProductSnapshot>()

    public init(repository: ProductRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The product as last read from PostgreSQL; `nil` when unknown or deleted.
    public func product(id: Int) -> ProductSnapshot? {
        self.table.rows[id]
    }

    /// Whether the cache has read the catalog at least once.
    public var isLoaded: Bool { self.table.isLoaded }

    /// Throws ``CartError/serviceUnavailable`` until the catalog has been read once (a process
    /// started while PostgreSQL was away): no product is called unknown for want of a catalog.
    public func requireLoaded() throws {
        guard self.isLoaded else { throw CartError.serviceUnavailable }
    }

    /// Reads the whole catalog now (see ``ReloadedTable`` for reads that overlap).
    public func refresh() async throws {
        try await self.table.reload {
            let fresh = try await self.repository.all()
            var products: [Int: ProductSnapshot] = [:]
            products.reserveCapacity(fresh.count)
            for product in fresh { products[product.id] = product.snapshot }
            return products
        }
    }

    public func run() async {
        await Periodic.run(
            every: self.refreshInterval,
            what: "catalog refresh",
            meanwhile: "serving the last catalog read",
            logger: self.logger
        ) { try await self.refresh() }
    }
}
