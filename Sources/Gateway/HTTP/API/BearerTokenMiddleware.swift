// Who is calling the API: the bearer token of the request, looked up in the store, becomes context.caller.
import CounterCore
import CounterStore
import Hummingbird

/// Reads `Authorization: Bearer cg_…` and sets ``HallRequestContext/caller``. Applied to the `/api/v1` group only.
///
/// - No `Authorization` header: the request goes on without a caller; the route's
///   ``HallRequestContext/require(_:)`` answers 401.
/// - A header that is not `Bearer <token>`, or a token that is unknown or revoked: 401 at once; the route never runs.
///
/// The token is never logged, never put in an error, and never kept beyond the lookup; the log names the caller
/// by token id (`api.token`). Responses behind a token are the caller's own and are marked `Cache-Control: no-store`.
public struct BearerTokenMiddleware: RouterMiddleware {
    public typealias Context = HallRequestContext

    let lookup: @Sendable (String) async throws -> APICaller?

    /// Looks tokens up in the store (``HallStore/caller(forToken:at:)``), with `clock` for when it was last used.
    public init(store: HallStore, clock: any HallClock) {
        lookup = { token in try await store.caller(forToken: token, at: clock.now()) }
    }

    /// Looks tokens up with `lookup` (tests, another source of callers).
    public init(lookup: @escaping @Sendable (String) async throws -> APICaller?) {
        self.lookup = lookup
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let values = request.headers[values: .authorization]
        guard !values.isEmpty else {
            return try await Self.uncached(next(request, context))
        }
        guard values.count == 1, let token = Self.bearerToken(in: values[0]) else {
            throw APIProblem.unauthorized(
                "the Authorization header must be one `Bearer cg_…` with the token ops created for this client (countergate token create)",
                invalidToken: true)
        }
        guard let caller = try await lookup(token) else {
            throw APIProblem.unauthorized(
                "this token is not known or was revoked; ask ops for a new one (countergate token create, countergate token list)",
                invalidToken: true)
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "api.token"] = "\(caller.tokenID)"
        return try await Self.uncached(next(request, context))
    }

    /// The token of an `Authorization` value `Bearer <token>` (the scheme in any case, RFC 6750), or nil.
    static func bearerToken(in value: String) -> String? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    private static func uncached(_ response: Response) -> Response {
        var response = response
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
