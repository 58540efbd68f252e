import Synchronization
import _ConnectionPoolModule

/// One caller waiting for a pooled connection. The pool completes it exactly once: with a
/// connection, or with an error when the pool fails fast or the caller's deadline cancels it
/// (a deadline after the completion finds no request to cancel). So its continuation needs no
/// check, which would cost an allocation on every Redis call.
final class RedisLeaseRequest: ConnectionRequestProtocol, Sendable {
    typealias Connection = RedisConnection

    let id: Int
    private let continuation: UnsafeContinuation<ConnectionLease<RedisConnection>, any Error>
    private let completed = Atomic<Bool>(false)

    init(id: Int, continuation: UnsafeContinuation<ConnectionLease<RedisConnection>, any Error>) {
        self.id = id
        self.continuation = continuation
    }

    /// Whether the pool has answered already.
    var isCompleted: Bool { self.completed.load(ordering: .acquiring) }

    func complete(with result: Result<ConnectionLease<RedisConnection>, ConnectionPoolError>) {
        self.completed.store(true, ordering: .releasing)
        self.continuation.resume(with: result.mapError { _ in RedisError.unavailable })
    }
}
