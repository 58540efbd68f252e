import CartDomain
import Deadline
import Hummingbird

/// Routes whose answers need PostgreSQL: each answers 503 CART_010 when it has no answer within
/// `timeout`, and never waits on PostgreSQL past it.
///
/// With PostgreSQL down, PostgresNIO keeps a query waiting for a connection while its pool
/// retries, and it can lose a query written to a connection that closed before the pool learned
/// of it (the query never ends, whatever its task's cancellation). So the handler, with the
/// middleware of the groups inside this one, runs in a task of its own raced against the
/// deadline (see ``Deadline/withDeadline(_:orThrow:_:)``); at the deadline it is cancelled and
/// left behind. A router middleware could not do this: the rest of its chain may not outlive
/// it. The hot cart routes, which never touch PostgreSQL, are not among these.
///
/// Use it as the parent of a group: `DatabaseDeadline(parent: router.group("products"),
/// timeout: timeout).group()`.
struct DatabaseDeadline<Context: RequestContext>: RouterMethods {
    let parent: RouterGroup<Context>
    let timeout: Duration

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath,
        method: HTTPRequest.Method,
        responder: Responder
    ) -> Self where Responder.Context == Context {
        self.parent.on(path, method: method, responder: DeadlineResponder(handler: responder, timeout: self.timeout))
        return self
    }

    /// Adds `middleware` to the parent group: it runs outside the deadline.
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        self.parent.add(middleware: middleware)
        return self
    }
}

/// Runs `handler` raced against the deadline.
private struct DeadlineResponder<Handler: HTTPResponder>: HTTPResponder where Handler.Context: RequestContext {
    let handler: Handler
    let timeout: Duration

    func respond(to request: Request, context: Handler.Context) async throws -> Response {
        let handler = self.handler
        return try await withDeadline(self.timeout, orThrow: CartError.serviceUnavailable) {
            try await handler.respond(to: request, context: context)
        }
    }
}
