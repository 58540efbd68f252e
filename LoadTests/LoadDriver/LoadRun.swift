import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The measured scenarios of a run.
public enum Scenario: String, CaseIterable, Sendable {
    /// The shopper mix: browse, add, change, remove, read, summary, sign up and log in.
    case mix
    /// `GET /healthz`: the server without Redis or PostgreSQL (the framework ceiling).
    case healthz
    /// `GET /cart` of carts holding 5 lines each.
    case getCart = "get-cart"
    /// `POST /cart/items`: one unit at a time until the cart is full, then a new shopper.
    case addItems = "add-items"
}

/// What a run measured and found.
public struct RunResult: Sendable {
    public var scenario: String
    public var recorder: Recorder
    /// Length of the measured part.
    public var seconds: Double
    /// Requests answered in each second of the measured part.
    public var timeline: [Int]
    public var finishedCarts: [FinishedCart]

    public init(scenario: String, recorder: Recorder, seconds: Double, timeline: [Int], finishedCarts: [FinishedCart]) {
        self.scenario = scenario
        self.recorder = recorder
        self.seconds = seconds
        self.timeline = timeline
        self.finishedCarts = finishedCarts
    }

    /// A run passes with no 5xx, no transport failure and no mismatch.
    public var passed: Bool { self.recorder.failures == 0 && self.recorder.mismatches.isEmpty }
}

/// Runs a scenario against a server: many concurrent workers until the duration or the request
/// limit, each with its own recorder, merged at the end.
public struct LoadRun: Sendable {
    public let configuration: LoadConfiguration
    private let client: HTTPClient

    public init(configuration: LoadConfiguration, client: HTTPClient) {
        self.configuration = configuration
        self.client = client
    }

    /// An HTTP client sized for `concurrency` connections to one host.
    public static func makeClient(concurrency: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30),
            concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency
        )
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(10))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run(_ scenario: Scenario) async throws -> RunResult {
        let catalog = try await Catalog.load(from: self.configuration.baseURL, client: self.client)
        let runID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let live = LiveCounters()
        let clock = ContinuousClock()
        let measureFrom = clock.now + self.configuration.warmup
        let measureUntil = measureFrom + self.configuration.duration
        let budget = self.configuration.requestLimit.map { RequestBudget($0) }
        let progress = Progress(live: live, measureFrom: measureFrom, shows: self.configuration.showsProgress)
        let window = Window(measureFrom: measureFrom, measureUntil: measureUntil, budget: budget)

        var merged = Recorder()
        var finished: [FinishedCart] = []
        let progressTask = Task { await progress.run(until: measureUntil) }
        try await withThrowingTaskGroup(of: (Recorder, [FinishedCart]).self) { group in
            for worker in 0..<self.configuration.concurrency {
                group.addTask {
                    var recorder = Recorder(live: live)
                    let carts = try await self.work(
                        scenario,
                        worker: worker,
                        runID: runID,
                        catalog: catalog,
                        window: window,
                        recorder: &recorder
                    )
                    return (recorder, carts)
                }
            }
            for try await (recorder, carts) in group {
                merged.merge(recorder)
                finished += carts
            }
        }
        progressTask.cancel()
        let timeline = await progressTask.value
        let measured = min(clock.now, measureUntil) - measureFrom
        return RunResult(
            scenario: scenario.rawValue,
            recorder: merged,
            seconds: Double(measured.components.seconds) + Double(measured.components.attoseconds) / 1e18,
            timeline: timeline,
            finishedCarts: finished
        )
    }

    /// One worker's loop for a scenario; returns the carts it finished.
    private func work(
        _ scenario: Scenario,
        worker: Int,
        runID: String,
        catalog: Catalog,
        window: Window,
        recorder: inout Recorder
    ) async throws -> [FinishedCart] {
        var finished: [FinishedCart] = []
        var visit = 0
        func newShopper() -> Shopper {
            visit += 1
            return Shopper(
                client: self.client,
                baseURL: self.configuration.baseURL,
                catalog: catalog,
                limits: self.configuration.limits,
                email: "shopper-\(runID)-\(worker)-\(visit)@loadtest.example"
            )
        }
        switch scenario {
        case .mix:
            var shopper = newShopper()
            var actions = 0
            var generator = SystemRandomNumberGenerator()
            while window.proceed(&recorder) {
                await shopper.perform(self.configuration.mix.next(using: &generator), recorder: &recorder)
                actions += 1
                if actions == self.configuration.actionsPerShopper {
                    if let cart = await shopper.finish(recorder: &recorder) { finished.append(cart) }
                    shopper = newShopper()
                    actions = 0
                }
                try await self.think()
            }
            if let cart = await shopper.finish(recorder: &recorder) { finished.append(cart) }
        case .healthz:
            var session = HTTPSession(client: self.client, baseURL: self.configuration.baseURL)
            while window.proceed(&recorder) {
                let answer = await session.send(.GET, "/healthz", endpoint: "GET /healthz", into: &recorder)
                if let answer, answer.status != 200 { recorder.mismatch("GET /healthz answered \(answer.status)") }
                try await self.think()
            }
        case .getCart:
            var shopper = newShopper()
            let measuring = recorder.isMeasuring
            recorder.isMeasuring = false
            for product in catalog.products.prefix(5) { _ = await shopper.add(product, recorder: &recorder) }
            recorder.isMeasuring = measuring
            var generator = SystemRandomNumberGenerator()
            while window.proceed(&recorder) {
                await shopper.readWithoutDecoding(
                    as: self.configuration.cookies.randomElement(using: &generator),
                    recorder: &recorder
                )
                try await self.think()
            }
            if let cart = await shopper.finish(recorder: &recorder) { finished.append(cart) }
        case .addItems:
            // Five products per worker, one unit at a time: a 5-line cart grows until a cap
            // stops it, then a new shopper starts a new cart.
            let products = (0..<5).map { catalog.products[(worker * 5 + $0) % catalog.products.count] }
            var shopper = newShopper()
            var next = 0
            while window.proceed(&recorder) {
                let product = products[next % products.count]
                next += 1
                if !(await shopper.add(product, recorder: &recorder)) {
                    if let cart = await shopper.finish(recorder: &recorder) { finished.append(cart) }
                    shopper = newShopper()
                }
                try await self.think()
            }
            if let cart = await shopper.finish(recorder: &recorder) { finished.append(cart) }
        }
        return finished
    }

    private func think() async throws {
        if self.configuration.thinkTime > .zero { try await Task.sleep(for: self.configuration.thinkTime) }
    }
}

/// Why a run could not start.
public enum LoadError: Error, CustomStringConvertible {
    case setup(String)

    public var description: String {
        switch self {
        case .setup(let reason): reason
        }
    }
}

/// The measured window of a run and its request budget.
struct Window: Sendable {
    let measureFrom: ContinuousClock.Instant
    let measureUntil: ContinuousClock.Instant
    let budget: RequestBudget?

    /// Whether the worker sends another request; switches measuring on after the warm-up.
    func proceed(_ recorder: inout Recorder) -> Bool {
        let now = ContinuousClock.now
        guard now < self.measureUntil else { return false }
        recorder.isMeasuring = now >= self.measureFrom
        guard recorder.isMeasuring, let budget = self.budget else { return true }
        return budget.take()
    }
}

/// A shared count of measured requests still allowed.
final class RequestBudget: Sendable {
    private let left: Atomic<Int>

    init(_ count: Int) {
        self.left = Atomic(count)
    }

    func take() -> Bool {
        self.left.subtract(1, ordering: .relaxed).newValue >= 0
    }
}
