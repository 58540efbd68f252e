import AsyncHTTPClient
import Database
import Foundation
import Logging
import PostgresNIO

/// Compares the carts a run finished with what the write-behind flusher wrote to PostgreSQL,
/// once the flush backlog the API reports on `/metrics` is zero.
public struct DatabaseCheck: Sendable {
    public let databaseURL: String
    public let metricsURL: String

    public init(databaseURL: String, metricsURL: String) {
        self.databaseURL = databaseURL
        self.metricsURL = metricsURL
    }

    /// Waits (up to `patience`) for the backlog to reach zero, then returns one line per cart
    /// whose PostgreSQL rows differ from what the run expects.
    public func mismatches(
        in carts: [FinishedCart],
        client http: HTTPClient,
        patience: Duration = .seconds(120)
    ) async throws -> [String] {
        let configuration: PostgresClient.Configuration
        do {
            configuration = try DatabaseURL(self.databaseURL, applicationName: "hotcart loadtest").client
        } catch {
            throw LoadError.setup("--database \(error)")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "loadtest.postgres"))
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                await client.run()
                return []
            }
            // The client starts running while the flusher drains (a query before that is
            // answered all the same, with a warning from PostgresNIO).
            try await self.waitForIdleFlusher(http, patience: patience)
            var problems: [String] = []
            for cart in carts {
                guard let id = UUID(uuidString: cart.id) else {
                    problems.append("cart \(cart.id): not a UUID")
                    continue
                }
                let rows = try await client.query(
                    "SELECT product_id, quantity FROM cart_item WHERE cart_id = \(id) AND NOT saved",
                    logger: Logger(label: "loadtest.postgres")
                )
                var stored: [Int: Int] = [:]
                for try await (product, quantity) in rows.decode((Int, Int).self) { stored[product] = quantity }
                if stored != cart.quantities {
                    problems.append(
                        "cart \(cart.id): PostgreSQL holds \(stored.sorted { $0.key < $1.key }), expected \(cart.quantities.sorted { $0.key < $1.key })"
                    )
                }
            }
            group.cancelAll()
            return problems
        }
    }

    private func waitForIdleFlusher(_ http: HTTPClient, patience: Duration) async throws {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if let backlog = try? await self.backlog(http), backlog == 0 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw LoadError.setup("the flush backlog did not reach zero within \(patience)")
    }

    private func backlog(_ http: HTTPClient) async throws -> Int? {
        let response = try await http.execute(HTTPClientRequest(url: self.metricsURL), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
        for line in text.split(separator: "\n") where line.hasPrefix("hotcart_flush_backlog ") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return nil
    }
}
