import Accounts
import CartDomain
import Checkout
import Database
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import RedisClient

/// Turns any error into the contract's JSON error body; the only place errors are rendered.
///
/// ``CartError``s keep their code, status, message and field; ``AccountError``s answer as
/// FastAPI-Users does; Redis trouble, and PostgreSQL out of reach, is CART_010; a request that cannot be parsed (one cut
/// short halfway through its body) is CART_005;
/// Hummingbird's own HTTP errors (unknown route, wrong method) answer FastAPI-style
/// `{"detail": …}`; anything else is logged and answered with a bare 500, with no internals.
enum ErrorResponder {
    /// Redis refusing calls (out of memory, a script's error) or PostgreSQL saying it cannot
    /// answer now (in recovery, out of connections) is usually met by every request until an
    /// operator acts: one line of each kind each 10 s, with the count of those held back.
    private static let refusals = RepeatedLogLine(interval: .seconds(10))

    /// The answer to `error`; refusals are logged through `refusals` (the process's own unless
    /// a test gives one).
    static func response(
        for error: any Error,
        logger: Logger,
        refusals: RepeatedLogLine = Self.refusals
    ) -> Response {
        switch error {
        case let error as CartError:
            return self.response(for: error)
        case let error as AccountError:
            return self.response(for: error)
        case let error as RedisError:
            if error.isConnectivityFailure {
                // The client said so once, when Redis went away; a line per request would bury it.
                logger.debug("redis unreachable", metadata: ["error": "\(error)"])
            } else if let heldBack = refusals.admit("redis \(error.serverErrorCode ?? "other")") {
                logger.error("redis refused a call", metadata: ["error": "\(error)", "held_back": "\(heldBack)"])
            }
            return self.response(for: .serviceUnavailable)
        case is DatabaseUnreachable:
            // The pool said so once, when PostgreSQL went away; a line per request would bury it.
            logger.debug("postgresql away")
            return self.response(for: .serviceUnavailable)
        case let error as PSQLError where error.saysDatabaseCannotAnswerNow:
            // Which a retry may cure: CART_010, as for Redis, whose `Retry-After` fits it.
            let sqlState = error.serverInfo?[.sqlState] ?? ""
            if let heldBack = refusals.admit("postgresql \(error.code) \(sqlState)") {
                logger.warning(
                    "postgresql cannot answer now",
                    metadata: ["error": "\(error.code)", "sqlstate": "\(sqlState)", "held_back": "\(heldBack)"]
                )
            }
            return self.response(for: .serviceUnavailable)
        case let error as HTTPError:
            return self.response(for: error)
        case is NIOTooManyBytesError:
            return self.response(for: .bodyTooLarge)
        case let refused as HTTPParserError:
            // The client sent a request that ends early or cannot be parsed (a connection closed,
            // or closed for idling, halfway through its body): its fault, not the server's.
            logger.debug("malformed request", metadata: ["error": "\(error)"])
            return self.response(for: self.refusal(refused))
        default:
            var metadata: Logger.Metadata = ["error": "\(String(reflecting: type(of: error)))"]
            if let error = error as? PSQLError {
                metadata["code"] = "\(error.code)"
                metadata["sqlstate"] = "\(error.serverInfo?[.sqlState] ?? "")"
            }
            logger.error("unhandled error", metadata: metadata)
            return self.detail("Internal Server Error", status: .internalServerError)
        }
    }

    /// The contract's error body, its fields in the contract's order:
    /// `{"error", "message", "field", "code", "detail"}`.
    static func response(for error: CartError) -> Response {
        var headers: HTTPFields = [:]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return self.body(for: error).response(status: HTTPResponse.Status(code: error.status), headers: headers)
    }

    /// The contract's error body of `error` alone; ``MalformedRequestResponder``, below
    /// Hummingbird's router, writes its bytes itself.
    static func body(for error: CartError) -> JSONWriter {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        self.writeFields(of: error.kind, message: error.message, field: error.field, into: &writer)
        writer.endObject()
        return writer
    }

    /// CART_005 for a request NIO's HTTP parser refused, saying why when it is the size of the
    /// header block.
    static func refusal(_ error: HTTPParserError) -> CartError {
        .invalidRequest(
            error == .headerOverflow ? "The request's header fields are too large" : "The request could not be parsed"
        )
    }

    /// 409 CART_013 for a cart that cannot be checked out as it is, with its validation
    /// against the catalog as the checkout saw it (`validation`, as `POST /cart/validate`),
    /// its money shown as `display` says. `POST /cart/checkout` answers it, as the one that
    /// knows the request's display currency.
    static func response(for conflict: CheckoutConflict, display: MoneyDisplay) -> Response {
        var validation = CartValidation(cart: conflict.cart, display: display) { conflict.products[$0] }
        let message: String
        if conflict.cart.items.isEmpty {
            message = "The cart is empty"
            validation.errors.append(CartWarning(code: "CART_EMPTY", message: message, productID: nil, itemID: nil))
        } else {
            message = "The cart cannot be bought as it is; see validation"
        }
        var writer = JSONWriter(capacity: 512 + conflict.cart.items.count * 400)
        writer.beginObject()
        self.writeFields(of: .checkoutConflict, message: message, field: "cart", into: &writer)
        writer.key("validation")
        validation.write(into: &writer)
        writer.endObject()
        return writer.response(status: .conflict)
    }

    /// Hummingbird's own refusals (no such route, a route without this method, a feature
    /// turned off) in the contract's shape: a 404 is `NOT_FOUND` (CART_014), any other client
    /// error `INVALID_REQUEST` (CART_005) with its own status. `detail` is FastAPI's text for it.
    static func response(for error: HTTPError) -> Response {
        let message = error.body ?? error.status.reasonPhrase
        let kind: CartError.Kind
        switch error.status.code {
        case 404: kind = .notFound
        case 400..<500: kind = .invalidRequest
        default: return self.detail(message, status: error.status)
        }
        var response = self.response(for: CartError(kind, message, status: error.status.code))
        response.headers.append(contentsOf: error.headers)
        return response
    }

    /// FastAPI-Users' answers: `{"detail": "<CODE>"}`, `{"detail": {"code", "reason"}}` for a
    /// refused password, and FastAPI's 422 validation list for a malformed email.
    static func response(for error: AccountError) -> Response {
        let status = HTTPResponse.Status(code: error.status)
        switch error {
        case .invalidPassword(let reason), .invalidUpdatedPassword(let reason):
            return JSONBody.response(["detail": ["code": error.code, "reason": reason]], status: status)
        case .invalidEmail:
            struct Problem: Encodable {
                var type = "value_error"
                var loc = ["body", "email"]
                var msg = "value is not a valid email address"
            }
            return JSONBody.response(["detail": [Problem()]], status: status)
        case .userAlreadyExists, .emailAlreadyExists, .badCredentials:
            return self.detail(error.code, status: status)
        }
    }

    private static func detail(_ message: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: JSONBody.encode(["detail": message]))
        )
    }

    /// The five fields every error body starts with, in the contract's order.
    private static func writeFields(
        of kind: CartError.Kind,
        message: String,
        field: String?,
        into writer: inout JSONWriter
    ) {
        writer.key("error")
        writer.string(kind.name)
        writer.key("message")
        writer.string(message)
        writer.key("field")
        writer.string(field)
        writer.key("code")
        writer.string(kind.rawValue)
        writer.key("detail")
        writer.string(message)
    }
}

/// Renders every error thrown below it with ``ErrorResponder``.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorResponder.response(for: error, logger: context.logger)
        }
    }
}
