import Logging
import PostgresNIO

// Every statement goes through `rows(_:logger:)` (or `execute(_:logger:)` when its rows are not
// needed) rather than iterating PostgresNIO's `PostgresRowSequence`.
//
// The row sequence reads with back-pressure: a result larger than one socket read pauses the
// connection until its consumer asks for more. If the connection closes in that pause (a
// PostgreSQL restart, a failover), PostgresNIO's `RowStreamStateMachine` receives
// `channelReadComplete` with no read outstanding and stops the process with a
// `preconditionFailure` ("How can we receive a body part, after a channelReadComplete, but no read
// has been forwarded yet"). Its future-based query collects the rows as they come, never pausing,
// and fails the query instead.

extension PostgresClient {
    /// Every row of `query`, collected as they arrive (see the note above).
    public func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.withConnection { connection in try await connection.rows(query, logger: logger) }
    }

    /// Runs `query` to its end, its rows (if any) not needed (see the note above).
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        try await self.withConnection { connection in try await connection.execute(query, logger: logger) }
    }
}

extension PostgresConnection {
    /// Every row of `query`, collected as they arrive (see the note above).
    public func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        let result: PostgresQueryResult = try await self.query(query, logger: logger).get()
        return result.rows
    }

    /// Runs `query` to its end, its rows (if any) not needed (see the note above).
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).get()
    }
}

extension Array where Element == PostgresRow {
    /// Each row's columns decoded as `columns`, e.g. `rows.decode((Int, String).self)`.
    public func decode<each Column: PostgresDecodable>(
        _ columns: (repeat each Column).Type
    ) throws -> [(
        repeat each Column
    )] {
        try self.map { try $0.decode(columns) }
    }

    /// Each row's one column decoded as `column`.
    public func decode<Column: PostgresDecodable>(_ column: Column.Type) throws -> [Column] {
        try self.map { try $0.decode(column) }
    }
}
