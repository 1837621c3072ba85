// CORS, closed unless configured: only the origins in `[http] cors_origins` get Access-Control-* headers.
import Hummingbird

/// Lets the pages of the listed origins call the API from a browser; every other origin gets no
/// `Access-Control-*` header at all, so browsers keep their same-origin rule.
///
/// Installed only when `[http] cors_origins` lists origins (none by default). Credentials (cookies) are never
/// allowed: the API takes bearer tokens, which a page sends itself. Add it to the router first, before
/// ``ProblemMiddleware``, so that error answers carry the headers too.
public struct CORSAllowlistMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let allowMethods = "GET, POST, PUT, PATCH, DELETE"
    let allowHeaders = "Authorization, Content-Type, Idempotency-Key"
    let exposeHeaders = "Retry-After, Location"

    /// - Parameter origins: `scheme://host[:port]` exactly as browsers send them in `Origin`.
    public init(origins: [String]) {
        self.origins = Set(origins)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            var response = try await next(request, context)
            // The answer depends on Origin: a cache must not hand a listed origin's answer to another one.
            response.headers[values: .vary].append("Origin")
            return response
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin,
                .accessControlAllowMethods: allowMethods,
                .accessControlAllowHeaders: allowHeaders,
                .accessControlMaxAge: "600",
                .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = exposeHeaders
        response.headers[values: .vary].append("Origin")
        return response
    }
}
