import CartDomain
import Database
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// Cart line ids decoded from PostgreSQL's own columns: `uuid` in its binary form, and UUID
/// text; anything else is a decoding error, never a wrong id.
@Suite struct CartItemIDColumnTests {
    private let logger = Logger(label: "test.item-ids")

    @Test func aUUIDColumnAndUUIDTextReadAsTheSameId() async throws {
        let text = "019abf3c-5a1e-7c4d-9e2f-0b6a1d3c8e47"
        let rows = try await self.read("SELECT \(text)::uuid, upper(\(text)), g, g::text FROM gen_random_uuid() AS g")
        let (column, upperText, random, randomText) = try #require(rows.first).decode(
            (CartItemID, CartItemID, CartItemID, String).self
        )
        #expect(column == CartItemID(high: 0x019a_bf3c_5a1e_7c4d, low: 0x9e2f_0b6a_1d3c_8e47))
        #expect(upperText == column)
        #expect(random.description == randomText)
    }

    @Test func otherColumnsAreDecodingErrors() async throws {
        let rows = try await self.read("SELECT 'not-a-uuid', 42")
        let row = try #require(rows.first)
        #expect(throws: PostgresDecodingError.self) { try row.decode(CartItemID.self) }
        #expect(throws: PostgresDecodingError.self) { try row.decode((String, CartItemID).self) }
    }

    private func read(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let client = PostgresClient(configuration: TestEnvironment.database)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await client.rows(query, logger: self.logger)
        }
    }
}
