// The request context of the gateway's HTTP server: who is calling (from the bearer token) and from where.
import CounterCore
import Hummingbird
import NIOCore

/// What the gateway knows about a request besides the request itself.
///
/// `caller` is set by ``BearerTokenMiddleware`` on the `/api/v1` group; a route states what it needs with
/// ``require(_:)``, which turns a missing caller into 401 and a role without the permission into 403.
public struct HallRequestContext: RequestContext, Sendable {
    public var coreContext: CoreRequestContextStorage
    /// The client behind the request's bearer token; nil without a token (and outside `/api/v1`).
    public var caller: APICaller?
    /// The peer's IP address, without the port (nil when the transport has none).
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies decoded through Hummingbird's own decoders stop here too (``decodeJSON(_:from:context:limit:)``
    /// takes its own limit).
    public var maxUploadSize: Int { JSONBodyLimit.default }

    /// The caller, for a route that any valid token may use.
    /// - Throws: ``APIProblem`` 401 when the request carries no token.
    public func requireCaller() throws -> APICaller {
        guard let caller else {
            throw APIProblem.unauthorized(
                "this needs an API token: send the header `Authorization: Bearer cg_…` with the token ops created for this client (countergate token create)")
        }
        return caller
    }

    /// The caller, if its role may do `permission`.
    /// - Throws: ``APIProblem`` 401 without a token (an unknown or revoked token was already refused by
    ///   ``BearerTokenMiddleware``), 403 when the token's role does not allow `permission`, naming both.
    @discardableResult
    public func require(_ permission: APIPermission) throws -> APICaller {
        let caller = try requireCaller()
        guard caller.role.allows(permission) else {
            let roles = permission.allowedRoles.map(\.text)
            let who = roles.isEmpty ? "no role may" : "role\(roles.count == 1 ? "" : "s") \(roles.joined(separator: ", ")) may"
            throw APIProblem.forbidden(
                "the token \"\(caller.name)\" has role \(caller.role.text) (\(caller.role.chineseLabel)), which may not \(permission.summary); "
                    + "this needs \(permission) (\(who)); ask ops for a token with such a role")
        }
        return caller
    }
}
