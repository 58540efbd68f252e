import Database
import HotCartTestSupport
import Logging
import PostgresNIO
import Testing

/// `rows(_:logger:)` against a connection that closes while a large result arrives: the read
/// fails, and the process goes on (PostgresNIO's row sequence stops the process there).
@Suite struct AllRowsTests {
    private let logger = Logger(label: "test.rows")

    @Test func aReadCutWhileRowsArriveFailsAndTheProcessGoesOn() async throws {
        let (proxy, throughProxy) = try await TestEnvironment.databaseProxy()
        defer { Task { try? await proxy.stop() } }
        var cutMidResult = 0
        for round in 0..<8 {
            // A client per round: no reconnection back-off carries over from the last cut.
            let client = PostgresClient(configuration: throughProxy)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                // Connected before the read starts, so the cut falls while rows arrive.
                _ = try await client.rows("SELECT 1", logger: self.logger)
                let reader = Task {
                    let rows = try await client.rows(
                        "SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g",
                        logger: self.logger
                    )
                    var read = 0
                    // A slow consumer: the old row sequence would pause the connection here.
                    for row in rows {
                        read += try row.decode((Int, String).self).0 > 0 ? 1 : 0
                        if read % 100 == 0 { await Task.yield() }
                    }
                    return read
                }
                try await Task.sleep(for: .milliseconds(2 + round * 3))
                proxy.cut()
                switch await reader.result {
                case .success(let read): #expect(read == 20000)
                case .failure(let error): #expect(error is PSQLError, "\(error)")
                }
                if case .failure = await reader.result { cutMidResult += 1 }
                proxy.restore()
            }
        }
        #expect(cutMidResult > 0)
    }
}
