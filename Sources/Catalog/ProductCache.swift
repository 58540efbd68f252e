import CartDomain
import Logging
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
    private let products = Mutex<[Int: ProductSnapshot]>([:])
    private let loaded = Mutex(false)

    public init(repository: ProductRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The product as last read from PostgreSQL; `nil` when unknown or deleted.
    public func product(id: Int) -> ProductSnapshot? {
        self.products.withLock { $0[id] }
    }

    /// Whether the cache has read the catalog at least once.
    public var isLoaded: Bool { self.loaded.withLock { $0 } }

    /// Reads the whole catalog now.
    public func refresh() async throws {
        let fresh = try await self.repository.all()
        var table: [Int: ProductSnapshot] = [:]
        table.reserveCapacity(fresh.count)
        for product in fresh { table[product.id] = product.snapshot }
        self.products.withLock { $0 = table }
        self.loaded.withLock { $0 = true }
    }

    public func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await self.refresh()
                if failing { self.logger.info("catalog refresh recovered") }
                failing = false
            } catch {
                if !failing { self.logger.warning("catalog refresh failing; serving the last catalog read") }
                failing = true
            }
            try? await Task.sleep(for: self.refreshInterval)
        }
    }
}
