import Periodic
import Testing

@Suite struct ReloadedTableTests {
    @Test func aReadThatStartedEarlierNeverPutsBackOlderRows() async throws {
        let table = ReloadedTable<Int, String>()
        #expect(!table.isLoaded)
        // A slow read starts first (it sees the old price) and comes in last.
        let (slowStarted, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        let slow = Task {
            try await table.reload {
                startedSignal.yield()
                for await _ in release { break }
                return [1: "old price"]
            }
        }
        for await _ in slowStarted { break }
        try await table.reload { [1: "new price"] }
        #expect(table.rows == [1: "new price"])
        releaseSignal.yield()
        try await slow.value
        #expect(table.rows == [1: "new price"])
        #expect(table.isLoaded)
        // A read that starts after both replaces them.
        try await table.reload { [2: "added"] }
        #expect(table.rows == [2: "added"])
    }

    @Test func aFailedReadKeepsTheLastRows() async throws {
        struct Down: Error {}
        let table = ReloadedTable<Int, String>()
        try await table.reload { [1: "kept"] }
        await #expect(throws: Down.self) { try await table.reload { throw Down() } }
        #expect(table.rows == [1: "kept"])
    }
}
