import NIOCore
import NIOPosix
import Synchronization

/// Runs `operation` in a task of its own and answers with its result, or throws `timeoutError`
/// once `timeout` has passed, cancelling the operation but not waiting for it.
///
/// A caller with a deadline (a request, a cache reload, a flusher that must retry) must not wait
/// on work that may never end: PostgresNIO loses a query written to a connection that closed
/// before its pool learned of it (the query's promise is never fulfilled, whatever its task's
/// cancellation), and a query already sent to a server that stopped answering runs on. Such an
/// operation is left behind, cancelled; it ends when its call does, if ever.
///
/// The deadline is an event-loop timer, removed as soon as the race is over (a `Task.sleep`
/// would hold its timer until the deadline). Cancelling the caller cancels the operation and
/// throws `CancellationError` at once.
public func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    orThrow timeoutError: any Error,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = Race<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            guard race.wait(continuation) else { return }
            let work = Task {
                do {
                    race.answer(.success(try await operation()))
                } catch {
                    race.answer(.failure(error))
                }
            }
            // The work is tracked before the timer exists, so that the deadline always finds it
            // to cancel (before the caller hears, see ``Race/answer(_:)``).
            race.track(work: work)
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
                race.answer(.failure(timeoutError))
            }
            race.track(timer: timer)
        }
    } onCancel: {
        race.answer(.failure(CancellationError()))
    }
}

/// One caller waiting for the first of its operation, its deadline and its cancellation; the
/// first answer resumes the caller and stops the other racers, later answers are dropped.
private final class Race<Value: Sendable>: Sendable {
    private struct State {
        var caller: CheckedContinuation<Value, any Error>?
        /// The answer, once there is one (kept for a caller not yet waiting).
        var answer: Result<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: Scheduled<Void>?
    }

    private let state = Mutex(State())

    /// Makes `caller` the continuation to resume. Returns false (and resumes it) when the race
    /// is already over, the caller having been cancelled before it began.
    func wait(_ caller: CheckedContinuation<Value, any Error>) -> Bool {
        let early = self.state.withLock { state in
            if state.answer == nil { state.caller = caller }
            return state.answer
        }
        guard let early else { return true }
        caller.resume(with: early)
        return false
    }

    /// Keeps the work to cancel when the race ends (at once, if it already has).
    func track(work: Task<Void, Never>) {
        let over = self.state.withLock { state in
            state.work = work
            return state.answer != nil
        }
        if over { Self.stop(work, nil) }
    }

    /// Keeps the deadline's timer to cancel when the race ends (at once, if it already has).
    func track(timer: Scheduled<Void>) {
        let over = self.state.withLock { state in
            state.timer = timer
            return state.answer != nil
        }
        if over { Self.stop(nil, timer) }
    }

    /// Ends the race with `answer` unless it has ended: stops the other racers, then resumes
    /// the caller.
    func answer(_ answer: Result<Value, any Error>) {
        let won = self.state.withLock {
            state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, Scheduled<Void>?)? in
            guard state.answer == nil else { return nil }
            state.answer = answer
            defer {
                state.caller = nil
                state.work = nil
                state.timer = nil
            }
            return (state.caller, state.work, state.timer)
        }
        guard let (caller, work, timer) = won else { return }
        // The work is cancelled before the caller hears the answer: a caller told of its deadline
        // may act at once (answer 503, the client retry), and work that checks its cancellation
        // before committing must see it by then.
        Self.stop(work, timer)
        caller?.resume(with: answer)
    }

    private static func stop(_ work: Task<Void, Never>?, _ timer: Scheduled<Void>?) {
        work?.cancel()
        timer?.cancel()
    }
}
