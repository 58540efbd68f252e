import ArgumentParser

/// `hotcart`: the HotCart cart tier's one executable.
@main
struct HotCart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotcart",
        abstract: "A Redis-backed, high-throughput shopping-cart tier.",
        subcommands: [Serve.self, Flush.self, Migrate.self, Seed.self, UserCommand.self]
    )
}
