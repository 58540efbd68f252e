import Deadline
import Logging
import NIOCore
import NIOPosix
import Periodic
import Synchronization
import Testing

@Suite struct DeadlineTests {
    struct TimedOut: Error {}
    struct Failed: Error {}

    /// A future nobody fulfils until the test says so, like a query PostgresNIO lost: awaiting
    /// it ignores cancellation.
    private static func neverEnding() -> EventLoopPromise<Int> {
        MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Int.self)
    }

    @Test func anAnswerBeforeTheDeadlineIsReturnedAndAnErrorThrown() async throws {
        let answer = try await withDeadline(.seconds(5), orThrow: TimedOut()) { 42 }
        #expect(answer == 42)
        await #expect(throws: Failed.self) {
            try await withDeadline(.seconds(5), orThrow: TimedOut()) { () async throws -> Int in throw Failed() }
        }
    }

    @Test func workThatIgnoresCancellationIsLeftBehindAtTheDeadline() async throws {
        let stuck = Self.neverEnding()
        defer { stuck.succeed(0) }
        let start = ContinuousClock.now
        await #expect(throws: TimedOut.self) {
            try await withDeadline(.milliseconds(100), orThrow: TimedOut()) { try await stuck.futureResult.get() }
        }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    /// The work is cancelled before its caller hears of the deadline, every time: a caller may
    /// act at once on the timeout (a request answered 503, the client's retry), and work that
    /// checks its cancellation just before it commits must see it by then. (While the caller was
    /// resumed first, a sign-up answered 503 in a loaded CI run committed its account all the
    /// same.)
    @Test func theWorkIsCancelledBeforeTheCallerHearsOfTheDeadline() async throws {
        for _ in 0..<200 {
            let stuck = Self.neverEnding()
            defer { stuck.succeed(0) }
            let workCancelled = Atomic<Bool>(false)
            await #expect(throws: TimedOut.self) {
                try await withDeadline(.milliseconds(1), orThrow: TimedOut()) {
                    try await withTaskCancellationHandler {
                        try await stuck.futureResult.get()
                    } onCancel: {
                        workCancelled.store(true, ordering: .relaxed)
                    }
                }
            }
            let seen = workCancelled.load(ordering: .relaxed)
            #expect(seen)
            if !seen { break }
        }
    }

    @Test func cancellingTheCallerCancelsTheWorkAndAnswersAtOnce() async throws {
        let stuck = Self.neverEnding()
        defer { stuck.succeed(0) }
        let workCancelled = Atomic<Bool>(false)
        let caller = Task {
            try await withDeadline(.seconds(30), orThrow: TimedOut()) {
                try await withTaskCancellationHandler {
                    try await stuck.futureResult.get()
                } onCancel: {
                    workCancelled.store(true, ordering: .relaxed)
                }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - start < .seconds(1))
        let workWasCancelled = workCancelled.load(ordering: .relaxed)
        #expect(workWasCancelled)
    }

    @Test func anAlreadyCancelledCallerNeverStartsTheWork() async throws {
        let started = Atomic<Bool>(false)
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(30), orThrow: TimedOut()) {
                started.store(true, ordering: .relaxed)
                return 1
            }
        }
        await #expect(throws: CancellationError.self) { try await caller.value }
        let workStarted = started.load(ordering: .relaxed)
        #expect(!workStarted)
    }

    @Test func periodicWorkThatNeverEndsIsAbandonedAndTheNextRunHappens() async throws {
        let stuck = Self.neverEnding()
        defer { stuck.succeed(0) }
        let runs = Atomic<Int>(0)
        let periodic = Task {
            await Periodic.run(
                every: .milliseconds(10),
                deadline: .milliseconds(100),
                what: "test",
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            ) {
                // The first run never ends; the later ones do.
                if runs.add(1, ordering: .relaxed).newValue == 1 { _ = try await stuck.futureResult.get() }
            }
        }
        defer { periodic.cancel() }
        var seen = 0
        for _ in 0..<100 where seen < 3 {
            try await Task.sleep(for: .milliseconds(20))
            seen = runs.load(ordering: .relaxed)
        }
        #expect(seen >= 3)
    }
}
