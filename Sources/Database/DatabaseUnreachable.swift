/// PostgreSQL does not answer: ``DatabasePool`` fails a call with this at once, without trying,
/// while its probes find PostgreSQL away, and says PostgresNIO's circuit breaker (its pool
/// stopped waiting for connections that keep failing) as this too.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public init() {}

    public var description: String { "PostgreSQL does not answer" }
}
