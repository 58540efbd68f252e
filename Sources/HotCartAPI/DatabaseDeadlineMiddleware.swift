import CartDomain
import Hummingbird
import NIOCore
import NIOPosix

/// Answers 503 CART_010 when a request that needs PostgreSQL has no answer within `timeout`.
///
/// With PostgreSQL down, PostgresNIO keeps a query waiting for a connection while its pool
/// retries (for up to a minute), and the client would hang. The rest of the chain runs in a
/// child task raced against a timer on an event loop; whichever ends first cancels the other,
/// and a query waiting for a connection stops at once. (A query already sent to a PostgreSQL
/// that stopped answering without closing its connections is not cancelled by PostgresNIO; that
/// request still waits for it.) The hot cart routes, which never touch PostgreSQL, do not pass
/// through here.
struct DatabaseDeadlineMiddleware<Context: RequestContext>: RouterMiddleware {
    let timeout: Duration

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await withoutActuallyEscaping(next) { next in
            // The group returns only once both children have ended, so `next` is never used
            // after this call, and only ever by the one child task that runs it.
            nonisolated(unsafe) let next = next
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await next(request, context) }
                group.addTask {
                    try await Self.sleep(for: self.timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let response = try await group.next() ?? nil else { throw CartError.serviceUnavailable }
                return response
            }
        }
    }

    /// Waits on an event loop's timer, which a cancellation removes at once (a cancelled
    /// `Task.sleep` would keep its timer until the deadline).
    private static func sleep(for duration: Duration) async throws {
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(duration)) {}
        try await withTaskCancellationHandler {
            try await timer.futureResult.get()
        } onCancel: {
            timer.cancel()
        }
    }
}
