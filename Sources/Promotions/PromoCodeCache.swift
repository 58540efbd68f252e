import CartDomain
import Logging
import Periodic
import ServiceLifecycle
import Synchronization

/// Every promotion code in process memory, so a cart request never waits on PostgreSQL.
///
/// Run as a `Service`, it reloads the codes every `refreshInterval` (500 ms by default), so a
/// change reaches carts within one second. While PostgreSQL is down it keeps the last codes read.
public final class PromoCodeCache: Service, Sendable {
    private let repository: PromoCodeRepository
    private let refreshInterval: Duration
    private let logger: Logger
    /// The codes by ``PromoCode/key(_:)``, and the number of the read they came from.
    private let table = Mutex<(codes: [String: PromoCode], read: Int)>(([:], 0))
    private let reads = Mutex(0)

    public init(repository: PromoCodeRepository, refreshInterval: Duration = .milliseconds(500), logger: Logger) {
        self.repository = repository
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// The code `code` (any case) as last read; `nil` when unknown.
    public func code(_ code: String) -> PromoCode? {
        let key = PromoCode.key(code)
        return self.table.withLock { $0.codes[key] }
    }

    /// Reads every code now. Of two reads that overlap, the one that started later wins.
    public func refresh() async throws {
        let read = self.reads.withLock { reads in
            reads += 1
            return reads
        }
        let fresh = try await self.repository.all()
        var codes: [String: PromoCode] = [:]
        codes.reserveCapacity(fresh.count)
        for code in fresh { codes[PromoCode.key(code.code)] = code }
        self.table.withLock { table in
            if read > table.read { table = (codes, read) }
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
