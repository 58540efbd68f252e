import CartDomain
import Logging
import Periodic
import ServiceLifecycle
import Synchronization

/// The catalog in process memory, so adding to a cart never waits on PostgreSQL.
///
/// Run as a `Service`, it reloads the catalog every `refreshInterval` (500 ms by default), so
/// a price change, a deactivation or a deletion reaches new adds within one second. While
/// PostgreSQL is down it keeps serving the last catalog it read.
public final class ProductCache: Service, Sendable {
    private let repository: ProductRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The catalog, and the number of the read it came from.
    private let table = Mutex<(products: [Int: ProductSnapshot], read: Int)>(([:], 0))
    /// Numbers the reads in the order they start.
    private let reads = Mutex(0)

    public init(repository: ProductRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The product as last read from PostgreSQL; `nil` when unknown or deleted.
    public func product(id: Int) -> ProductSnapshot? {
        self.table.withLock { $0.products[id] }
    }

    /// Whether the cache has read the catalog at least once.
    public var isLoaded: Bool { self.table.withLock { $0.read > 0 } }

    /// Reads the whole catalog now. Of two reads that overlap, the one that started later
    /// wins, so a slow read never puts back an older catalog.
    public func refresh() async throws {
        let read = self.reads.withLock { reads in
            reads += 1
            return reads
        }
        let fresh = try await self.repository.all()
        var products: [Int: ProductSnapshot] = [:]
        products.reserveCapacity(fresh.count)
        for product in fresh { products[product.id] = product.snapshot }
        self.table.withLock { table in
            if read > table.read { table = (products, read) }
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
