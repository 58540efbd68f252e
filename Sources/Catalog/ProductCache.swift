import CartDomain
import Logging
import Periodic
import ServiceLifecycle

/// The catalog in process memory, so adding to a cart never waits on PostgreSQL.
///
/// Run as a `Service`, it reloads the catalog every `refreshInterval` (500 ms by default), so
/// a price change, a deactivation or a deletion reaches new adds within one second. While
/// PostgreSQL is down it keeps serving the last catalog it read, to adds and to the catalog's
/// own reads.
public final class ProductCache: Service, Sendable {
    private let repository: ProductRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The catalog, by product id.
    private let table = ReloadedTable<Int, Product>()

    public init(repository: ProductRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// What a cart line needs of the product, as last read from PostgreSQL; `nil` when unknown
    /// or deleted.
    public func product(id: Int) -> ProductSnapshot? {
        self.table.rows[id]?.snapshot
    }

    /// The product as last read from PostgreSQL; `nil` when unknown or deleted. Throws
    /// ``CartError/serviceUnavailable`` until the catalog has been read once.
    public func lastRead(id: Int) throws -> Product? {
        try self.requireLoaded()
        return self.table.rows[id]
    }

    /// A page of the catalog as last read from PostgreSQL, in the order of `id` (as
    /// ``ProductRepository/list(limit:offset:)`` reads it). Throws
    /// ``CartError/serviceUnavailable`` until the catalog has been read once.
    public func lastRead(limit: Int, offset: Int) throws -> [Product] {
        try self.requireLoaded()
        // Sorted here, on a path taken only while PostgreSQL cannot answer, so that the reloads
        // and the adds' lookups keep to one table.
        return Array(self.table.rows.values.sorted { $0.id < $1.id }.dropFirst(offset).prefix(limit))
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
            var products: [Int: Product] = [:]
            products.reserveCapacity(fresh.count)
            for product in fresh { products[product.id] = product }
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
