import HTTPTypes
import Hummingbird

/// CORS for the configured origins only (`CORS_ORIGINS`), with credentials allowed:
/// Hummingbird's `CORSMiddleware` answers for a listed origin; any other origin gets no
/// CORS headers, so browsers refuse it.
struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    private let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased,
        allowHeaders: [
            .accept, .contentType, .authorization, .ifMatch, .ifNoneMatch, HTTPField.Name("Idempotency-Key")!,
        ],
        allowMethods: [.get, .post, .put, .patch, .delete, .options],
        allowCredentials: true,
        exposedHeaders: ["ETag", "Retry-After"]
    )

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin], self.origins.contains(origin) else {
            return try await next(request, context)
        }
        return try await self.cors.handle(request, context: context, next: next)
    }
}
