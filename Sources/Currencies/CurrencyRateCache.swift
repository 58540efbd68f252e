import CartDomain
import Logging
import Periodic
import ServiceLifecycle
import Synchronization

/// The display-currency rates in process memory, so a cart answer in another currency never
/// waits on PostgreSQL. Run as a `Service`, it reloads every `refreshInterval` (500 ms by
/// default): a rate change reaches carts within a second.
public final class CurrencyRateCache: Service, Sendable {
    private let repository: CurrencyRateRepository
    private let refreshInterval: Duration
    private let logger: Logger
    private let table = Mutex<[String: CurrencyRateRepository.Rate]>([:])

    public init(repository: CurrencyRateRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The rate of `code` as last read; `nil` when none is set.
    public func rate(_ code: String) -> CurrencyRateRepository.Rate? {
        self.table.withLock { $0[code] }
    }

    /// Reads every rate now.
    public func refresh() async throws {
        let rates = try await self.repository.all()
        let table = Dictionary(rates.map { ($0.currency.code, $0) }) { _, last in last }
        self.table.withLock { $0 = table }
    }

    public func run() async {
        await Periodic.run(
            every: self.refreshInterval,
            what: "currency rate refresh",
            meanwhile: "serving the last rates read",
            logger: self.logger
        ) { try await self.refresh() }
    }
}
