import CartDomain
import Logging
import Periodic
import ServiceLifecycle

/// Every promotion code in process memory, so a cart request never waits on PostgreSQL.
///
/// Run as a `Service`, it reloads the codes every `refreshInterval` (500 ms by default), so a
/// change reaches carts within one second. While PostgreSQL is down it keeps the last codes read.
public final class PromoCodeCache: Service, Sendable {
    private let repository: PromoCodeRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The codes by ``PromoCode/key(_:)``.
    private let table = ReloadedTable<String, PromoCode>()

    public init(repository: PromoCodeRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The code `code` (any case) as last read; `nil` when unknown.
    public func code(_ code: String) -> PromoCode? {
        self.table.rows[PromoCode.key(code)]
    }

    /// Whether the cache has read the codes at least once.
    public var isLoaded: Bool { self.table.isLoaded }

    /// Throws ``CartError/serviceUnavailable`` until the codes have been read once (a process
    /// started while PostgreSQL was away): no code is called unknown for want of them.
    public func requireLoaded() throws {
        guard self.isLoaded else { throw CartError.serviceUnavailable }
    }

    /// Reads every code now (see ``ReloadedTable`` for reads that overlap).
    public func refresh() async throws {
        try await self.table.reload {
            let fresh = try await self.repository.all()
            var codes: [String: PromoCode] = [:]
            codes.reserveCapacity(fresh.count)
            for code in fresh { codes[PromoCode.key(code.code)] = code }
            return codes
        }
    }

    public func run() async {
        await Periodic.run(
            every: self.refreshInterval,
            what: "promotion code refresh",
            meanwhile: "serving the last codes read",
            logger: self.logger
        ) { try await self.refresh() }
    }
}
