import HTTPTypes
import Hummingbird

/// CORS for the configured origins only (`CORS_ORIGINS`), with credentials allowed; `*` among
/// them allows every origin (each answer names the request's own origin, as a browser demands of
/// an answer with credentials, and as Starlette's CORS middleware does for `*`).
///
/// A listed origin's preflight (`OPTIONS`) is answered by Hummingbird's `CORSMiddleware`, to be
/// cached for 10 minutes. Its other requests get, on whatever answer the routes gave (errors
/// included), the origin and credentials allowed and `ETag`, `Retry-After` and
/// `X-HotCart-Catalog` exposed: a browser reads response headers of another origin only when the
/// answer itself exposes them. Any other origin gets no CORS headers, so browsers refuse it.
/// Every answer to a request with an `Origin` varies by it.
///
/// Added outside the error middleware, so errors reach it as answers: Hummingbird's
/// `CORSMiddleware` wraps a thrown error in a type of its own that nothing else can render.
struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    /// `*` is among the origins.
    private let allowsAnyOrigin: Bool
    private let preflight = CORSMiddleware<Context>(
        allowOrigin: .originBased,
        allowHeaders: [
            .accept, .contentType, .authorization, .ifMatch, .ifNoneMatch, HTTPField.Name("Idempotency-Key")!,
        ],
        allowMethods: [.get, .post, .put, .patch, .delete, .options],
        allowCredentials: true,
        exposedHeaders: exposedHeaders,
        // A browser asks once per 10 minutes, not before every change (its default is 5 s).
        maxAge: .minutes(10)
    )

    init(origins: Set<String>) {
        self.origins = origins
        self.allowsAnyOrigin = origins.contains("*")
    }

    @concurrent func handle(
        _ request: Request,
        context: Context,
        next: @concurrent (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard self.allowsAnyOrigin || self.origins.contains(origin) else {
            var response = try await next(request, context)
            response.headers.append(varyByOrigin)
            return response
        }
        if request.method == .options {
            return try await self.preflight.handle(request, context: context, next: next)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers.append(exposedHeadersField)
        response.headers.append(varyByOrigin)
        return response
    }
}

/// The response headers a page of an allowed origin may read.
private let exposedHeaders = ["ETag", "Retry-After", "X-HotCart-Catalog"]
private let exposedHeadersField = HTTPField(
    name: .accessControlExposeHeaders,
    value: exposedHeaders.joined(separator: ", ")
)
private let varyByOrigin = HTTPField(name: .vary, value: "Origin")
