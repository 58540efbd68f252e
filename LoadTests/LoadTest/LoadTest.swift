import ArgumentParser
import AsyncHTTPClient
import Foundation
import LoadDriver

/// `loadtest`: drives a HotCart server with virtual shoppers and reports what it measured
/// and every check that failed. Loopback targets only; every run stops by itself.
@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load and correctness driver for HotCart (loopback only).",
        subcommands: [Run.self, HotCart.self, Fill.self, Chart.self],
        defaultSubcommand: Run.self
    )
}

/// Options every run shares.
struct TargetOptions: ParsableArguments {
    @Option(help: "The server under test (loopback only).")
    var url = "http://127.0.0.1:8000"

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    @Option(help: "Draw the latency percentile curves as SVG to this file.")
    var chart: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        if let problem = LoadConfiguration.problem(with: self.url) { throw ValidationError(problem) }
    }

    /// Prints the table, writes the JSON and the chart, and fails the command when the run did.
    func finish(_ report: Report) throws {
        print(report.table)
        if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
        if let chart {
            let svg = LatencyChart.svg([report], title: "HotCart \(report.scenario): latency by percentile")
            try Data(svg.utf8).write(to: URL(fileURLWithPath: chart))
        }
        if !report.passed { throw ExitCode(1) }
    }
}

extension LoadTest {
    /// `loadtest run`: a measured scenario for a duration or a request count.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a measured scenario.")

        @OptionGroup var target: TargetOptions

        @Option(help: "mix, healthz, get-cart or add-items.")
        var scenario: Scenario = .mix

        @Option(help: "Concurrent shoppers (connections).")
        var shoppers = 64

        @Option(help: "Seconds measured (after the warm-up).")
        var duration = 15.0

        @Option(help: "Stop after this many measured requests.")
        var requests: Int?

        @Option(help: "Seconds of unmeasured warm-up.")
        var warmup = 2.0

        @Option(name: .customLong("think-ms"), help: "Pause of each shopper between actions (0: full load).")
        var thinkMilliseconds = 0

        @Option(help: "Action weights, e.g. browse=15,view=10,add=30,change=10,remove=5,read=20,summary=5,login=5.")
        var mix: String?

        @Option(help: "Actions before a shopper leaves and a new session takes its place.")
        var actionsPerShopper = 200

        @Option(help: "get-cart: read carts named by these session cookies (one per line, from `loadtest fill`).")
        var cookies: String?

        @Option(help: "After the run, compare every finished cart with PostgreSQL (postgres:// URL).")
        var database: String?

        @Option(help: "Where the API's Prometheus metrics are (the flush backlog); default <url>/metrics.")
        var metricsURL: String?

        func validate() throws {
            guard self.shoppers > 0, self.duration > 0, self.duration <= 3600, self.warmup >= 0 else {
                throw ValidationError("--shoppers must be positive and --duration within (0, 3600] seconds")
            }
            if let mix, ShopperMix(parsing: mix) == nil {
                throw ValidationError("--mix: name=weight pairs of \(ShopperAction.allCases.map(\.rawValue))")
            }
        }

        func run() async throws {
            var configuration = LoadConfiguration(baseURL: self.target.url)
            configuration.concurrency = self.shoppers
            configuration.duration = .milliseconds(Int(self.duration * 1000))
            configuration.requestLimit = self.requests
            configuration.warmup = .milliseconds(Int(self.warmup * 1000))
            configuration.thinkTime = .milliseconds(self.thinkMilliseconds)
            configuration.mix = self.mix.flatMap(ShopperMix.init(parsing:)) ?? .storefront
            configuration.actionsPerShopper = self.actionsPerShopper
            configuration.showsProgress = !self.target.quiet
            if let cookies {
                configuration.cookies = try String(contentsOfFile: cookies, encoding: .utf8).split(separator: "\n").map(
                    String.init
                )
            }
            let client = LoadRun.makeClient(concurrency: self.shoppers)
            do {
                var result = try await LoadRun(configuration: configuration, client: client).run(self.scenario)
                if let database {
                    let check = DatabaseCheck(
                        databaseURL: database,
                        metricsURL: self.metricsURL ?? self.target.url + "/metrics"
                    )
                    let problems = try await check.mismatches(in: result.finishedCarts, client: client)
                    print("PostgreSQL: \(result.finishedCarts.count) carts compared, \(problems.count) differ")
                    for problem in problems { result.recorder.mismatch("PostgreSQL: " + problem) }
                }
                try await client.shutdown()
                try self.target.finish(Report(result))
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// `loadtest hot-cart`: many tasks, one cart, an exact check of the result.
    struct HotCart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hot-cart",
            abstract: "Hammer one cart from many concurrent tasks and check its exact contents."
        )

        @OptionGroup var target: TargetOptions

        @Option(help: "Concurrent tasks sharing the one cart.")
        var tasks = 300

        @Option(help: "Adds of one unit by each task.")
        var adds = 2

        func run() async throws {
            let client = LoadRun.makeClient(concurrency: self.tasks)
            do {
                let outcome = try await HotCartRun(baseURL: self.target.url, tasks: self.tasks, adds: self.adds).run(
                    client: client
                )
                try await client.shutdown()
                for (product, held) in outcome.final.sorted(by: { $0.key < $1.key }) {
                    let stock = outcome.stock[product].flatMap { $0.map(String.init) } ?? "untracked"
                    print(
                        "product \(product): \(outcome.successes[product] ?? 0) adds succeeded, cart holds \(held), stock \(stock)"
                    )
                }
                try self.target.finish(Report(outcome.result))
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// `loadtest fill`: many carts through the API, their cookies in a file.
    struct Fill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make guest carts of a few lines each; write their cookies."
        )

        @Option(help: "The server under test (loopback only).")
        var url = "http://127.0.0.1:8000"

        @Option(help: "Carts to make.")
        var carts = 1000

        @Option(help: "Lines per cart (one unit each).")
        var lines = 5

        @Option(help: "Append the session cookies to this file, one per line.")
        var cookies: String

        func validate() throws {
            if let problem = LoadConfiguration.problem(with: self.url) { throw ValidationError(problem) }
            guard self.carts > 0, (1...20).contains(self.lines) else {
                throw ValidationError("--carts > 0, --lines in 1...20")
            }
        }

        func run() async throws {
            let client = LoadRun.makeClient(concurrency: 64)
            do {
                let made = try await CartFill(baseURL: self.url, carts: self.carts, lines: self.lines).run(
                    client: client
                )
                try await client.shutdown()
                if !FileManager.default.fileExists(atPath: self.cookies) {
                    _ = FileManager.default.createFile(atPath: self.cookies, contents: nil)
                }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: self.cookies))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(made.map { $0 + "\n" }.joined().utf8))
                try handle.close()
                print("made \(made.count) carts of \(self.lines) lines")
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// `loadtest chart`: one SVG from several JSON reports.
    struct Chart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Draw several JSON reports into one SVG chart.")

        @Argument(help: "JSON reports written with --json.")
        var reports: [String]

        @Option(help: "The SVG file to write.")
        var output: String

        @Option(help: "The chart's title.")
        var title = "HotCart latency by percentile"

        func run() throws {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let reports = try self.reports.map {
                try decoder.decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
            }
            try Data(LatencyChart.svg(reports, title: self.title).utf8).write(to: URL(fileURLWithPath: self.output))
        }
    }
}

extension Scenario: ExpressibleByArgument {}
