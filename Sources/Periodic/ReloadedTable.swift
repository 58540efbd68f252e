import Synchronization

/// A table an in-process cache reloads whole, now and then and after a write of its own.
///
/// Of two reloads that overlap, the one that started later wins: a slow periodic read that
/// began before a write never puts back what the reload after that write brought in.
public final class ReloadedTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The rows, and the number of the read they came from (0: none yet).
    @usableFromInline let state = Mutex<(rows: [Key: Value], read: Int)>(([:], 0))
    /// Numbers the reads in the order they start.
    private let reads = Mutex(0)

    public init() {}

    /// Every row as last read (inlinable, so that a cache's lookup on a request's path is
    /// specialized for its types).
    @inlinable public var rows: [Key: Value] {
        self.state.withLock { $0.rows }
    }

    /// Whether a read has come in yet.
    public var isLoaded: Bool {
        self.state.withLock { $0.read > 0 }
    }

    /// Reads the whole table with `read` and keeps it, unless a read that started later has
    /// already come in.
    public func reload(_ read: () async throws -> [Key: Value]) async throws {
        let number = self.reads.withLock { reads in
            reads += 1
            return reads
        }
        let rows = try await read()
        self.state.withLock { state in
            if number > state.read { state = (rows, number) }
        }
    }
}
