import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs one statement that changes data and returns its rows (see `rows(_:logger:)`),
    /// committing it only if the calling task has not been cancelled meanwhile.
    ///
    /// A request that reaches its deadline is answered 503 and its task cancelled, but left to
    /// run: PostgresNIO does not stop a query in flight (see HotCartAPI's `DatabaseDeadline`).
    /// A statement held up by a lock or a slow server would then commit after the client was
    /// told it had failed, and the client's retry would find it done ("already exists"). Here
    /// it runs in a transaction whose cancellation is checked before `COMMIT`, and rolls back.
    /// An error is the statement's own (or, failing that, `BEGIN`'s or `COMMIT`'s), not
    /// PostgresNIO's wrapper around it.
    public func rowsCommittedUnlessCancelled(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        do {
            return try await self.withTransaction(logger: logger) { connection in
                let rows = try await connection.rows(query, logger: logger)
                try Task.checkCancellation()
                return rows
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
