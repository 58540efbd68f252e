import CartDomain
import Logging
import Periodic
import ServiceLifecycle

/// The display-currency rates in process memory, so a cart answer in another currency never
/// waits on PostgreSQL. Run as a `Service`, it reloads every `refreshInterval` (500 ms by
/// default): a rate change reaches carts within a second.
public final class CurrencyRateCache: Service, Sendable {
    private let repository: CurrencyRateRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The rates, by currency code.
    private let table = ReloadedTable<String, CurrencyRateRepository.Rate>()

    public init(repository: CurrencyRateRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The rate of `code` as last read; `nil` when none is set.
    public func rate(_ code: String) -> CurrencyRateRepository.Rate? {
        self.table.rows[code]
    }

    /// Every rate as last read, by code.
    public var rates: [CurrencyRateRepository.Rate] {
        self.table.rows.values.sorted { $0.currency.code < $1.currency.code }
    }

    /// Throws ``CartError/serviceUnavailable`` until the rates have been read once (a process
    /// started while PostgreSQL was away): no rate is called unset for want of them.
    public func requireLoaded() throws {
        guard self.table.isLoaded else { throw CartError.serviceUnavailable }
    }

    /// Reads every rate now (see ``ReloadedTable`` for reads that overlap).
    public func refresh() async throws {
        try await self.table.reload {
            let fresh = try await self.repository.all()
            return Dictionary(fresh.map { ($0.currency.code, $0) }) { _, last in last }
        }
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
