import Synchronization

/// Runs `operation` in a task of its own and answers with its result, or throws `timeoutError`
/// once `timeout` has passed, cancelling the operation but not waiting for it: PostgresNIO's
/// queries run to their end whatever their task's cancellation, and a caller with a deadline
/// (a cart request, a flusher that must retry or stop) must not wait on them.
func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    orThrow timeoutError: any Error,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let answer = FirstAnswer<Value>()
    return try await withCheckedThrowingContinuation { continuation in
        answer.continuation = continuation
        let work = Task {
            do {
                answer.resume(with: .success(try await operation()))
            } catch {
                answer.resume(with: .failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: timeout)
            answer.resume(with: .failure(timeoutError))
            work.cancel()
        }
    }
}

/// A continuation resumed by whichever racer answers first; later answers are dropped.
private final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    // Set once, before any racer starts; read only by the racer that wins `answered`.
    var continuation: CheckedContinuation<Value, any Error>?
    private let answered = Atomic<Bool>(false)

    func resume(with result: Result<Value, any Error>) {
        guard !self.answered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.continuation?.resume(with: result)
    }
}
