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
    /// The rates, and the number of the read they came from.
    private let table = Mutex<(rates: [String: CurrencyRateRepository.Rate], read: Int)>(([:], 0))
    /// Numbers the reads in the order they start.
    private let reads = Mutex(0)

    public init(repository: CurrencyRateRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The rate of `code` as last read; `nil` when none is set.
    public func rate(_ code: String) -> CurrencyRateRepository.Rate? {
        self.table.withLock { $0.rates[code] }
    }

    /// Every rate as last read, by code.
    public var rates: [CurrencyRateRepository.Rate] {
        self.table.withLock { $0.rates.values.sorted { $0.currency.code < $1.currency.code } }
    }

    /// Reads every rate now. Of two reads that overlap, the one that started later wins, so a
    /// slow read never puts back a rate changed since it started.
    public func refresh() async throws {
        let read = self.reads.withLock { reads in
            reads += 1
            return reads
        }
        let fresh = try await self.repository.all()
        let rates = Dictionary(fresh.map { ($0.currency.code, $0) }) { _, last in last }
        self.table.withLock { table in
            if read > table.read { table = (rates, read) }
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
