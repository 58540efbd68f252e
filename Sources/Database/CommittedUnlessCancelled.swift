import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction that commits only if the calling task has not been
    /// cancelled meanwhile.
    ///
    /// A request that reaches its deadline is answered 503 and its task cancelled, but left to
    /// run: PostgresNIO does not stop a query in flight (see HotCartAPI's `DatabaseDeadline`).
    /// Work held up by a lock or a slow server would then commit after the client was told it
    /// had failed, and the client's retry would find it done ("already exists", a converted
    /// cart). Here the cancellation is checked after `body`, before `COMMIT`, and rolls back.
    /// An error is `body`'s own (or, failing that, `BEGIN`'s or `COMMIT`'s), not PostgresNIO's
    /// wrapper around it.
    public func withTransactionCommittedUnlessCancelled<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await self.withTransaction(logger: logger, isolation: isolation) { connection in
                let result = try await body(connection)
                try Task.checkCancellation()
                return result
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    /// Runs one statement that changes data and returns its rows (see `rows(_:logger:)`), in a
    /// transaction committed only if the calling task has not been cancelled meanwhile (see
    /// ``withTransactionCommittedUnlessCancelled(logger:isolation:_:)``).
    public func rowsCommittedUnlessCancelled(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.withTransactionCommittedUnlessCancelled(logger: logger) { connection in
            try await connection.rows(query, logger: logger)
        }
    }
}
