import PostgresNIO

/// PostgreSQL does not answer: ``DatabasePool`` fails a call with this at once, without trying,
/// while its probes find PostgreSQL away, and says PostgresNIO's circuit breaker (its pool
/// stopped waiting for connections that keep failing) as this too.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public init() {}

    public var description: String { "PostgreSQL does not answer" }

    /// Whether `error` says that PostgreSQL cannot answer now, which a retry may cure, rather
    /// than refusing a request as data: this error, or a `PSQLError` of a passing state (see
    /// `PSQLError.saysDatabaseCannotAnswerNow`).
    public static func describes(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseUnreachable: true
        case let error as PSQLError: error.saysDatabaseCannotAnswerNow
        default: false
        }
    }
}

extension PSQLError {
    /// Whether this error says PostgreSQL could not be reached, went away or cannot serve the
    /// request now (not what it refused as data). Besides the client's own, the SQLSTATE classes
    /// of a passing state: connection exceptions (08), a transaction rolled back for a deadlock or
    /// a serialization failure (40), resources short (53: too many connections, disk full, out of
    /// memory), a lock not had in time (55P03, under a `lock_timeout`) and an operator's
    /// intervention (57: a statement cancelled or past its `statement_timeout`, the server
    /// shutting down or starting).
    public var saysDatabaseCannotAnswerNow: Bool {
        switch self.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            let state = self.serverInfo?[.sqlState] ?? ""
            return ["08", "40", "53", "57"].contains { state.hasPrefix($0) } || state == "55P03"
        default:
            return false
        }
    }
}
