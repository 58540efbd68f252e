import ArgumentParser
import Catalog
import Logging

/// `hotcart seed`: inserts the demo products (idempotent).
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Insert the 100 demo products (idempotent).",
        discussion: "Reaches PostgreSQL at DATABASE_URL; logs at LOG_LEVEL (info)."
    )

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "hotcart.seed")
        let inserted = try await withPostgres(as: "hotcart seed", logger: logger) { client in
            try await DemoCatalog.seed(into: ProductRepository(client: client, logger: logger))
        }
        print("inserted \(inserted) demo product(s)")
    }
}
