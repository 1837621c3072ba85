// Errors of the HTTP API as problem details (RFC 9457, application/problem+json), each saying what to do.
import Foundation
import Hummingbird

/// An error answered as `application/problem+json`:
/// `{"type": …, "title": …, "status": …, "detail": …}`, plus `field` for a body that names a bad field and
/// `chinese` for a message to show the person at the window or kiosk.
///
/// Throw one from a route or middleware; ``ProblemMiddleware`` (on every route) answers it, and turns any other
/// error into a 500 problem without internals. `detail` is for the person who meets the error: what was wrong and
/// what to do. It never contains a token or anything else secret.
public struct APIProblem: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// What kind of problem: `tag:countergate,2026:problem:<slug>`, listed in docs/api/security.md.
    public let type: String
    /// The kind's short name, the same for every occurrence (English, the Chinese term in brackets).
    public let title: String
    /// This occurrence: what was wrong and what to do.
    public let detail: String
    /// For a body that was understood but is wrong: the path of the field (`applicant.name`, `materials[2]`).
    public let field: String?
    /// The message for the person at the window or the kiosk (Simplified Chinese), when the page shows one.
    public let chinese: String?
    /// Headers answered with the problem (`WWW-Authenticate`, `Retry-After`).
    public let headers: HTTPFields

    /// The prefix of every problem type.
    public static let typePrefix = "tag:countergate,2026:problem:"

    /// A problem of any status. Prefer the named constructors below.
    /// - Parameters:
    ///   - slug: the kind of problem (`forbidden`); becomes the `type` URI.
    public init(status: HTTPResponse.Status, slug: String, title: String, detail: String, field: String? = nil,
                chinese: String? = nil, headers: HTTPFields = [:]) {
        self.init(status: status, type: Self.typePrefix + slug, title: title, detail: detail, field: field, chinese: chinese, headers: headers)
    }

    private init(status: HTTPResponse.Status, type: String, title: String, detail: String, field: String?, chinese: String?, headers: HTTPFields) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.field = field
        self.chinese = chinese
        self.headers = headers
    }

    /// The same problem with a message for the person at the window or kiosk (`chinese`).
    public func withChinese(_ message: String) -> APIProblem {
        APIProblem(status: status, type: type, title: title, detail: detail, field: field, chinese: message, headers: headers)
    }

    /// 400: the request cannot be read at all (e.g. the body is not JSON).
    public static func badRequest(_ detail: String) -> APIProblem {
        APIProblem(status: .badRequest, slug: "bad-request", title: "Bad request (请求有误)", detail: detail)
    }

    /// 401: no token, or a token that is unknown or revoked. Answered with `WWW-Authenticate: Bearer` (RFC 6750).
    /// - Parameter invalidToken: a token was sent but refused (`error="invalid_token"`).
    public static func unauthorized(_ detail: String, invalidToken: Bool = false) -> APIProblem {
        let challenge = invalidToken ? "Bearer realm=\"countergate\", error=\"invalid_token\"" : "Bearer realm=\"countergate\""
        return APIProblem(status: .unauthorized, slug: "unauthorized", title: "Unauthorized (未授权)", detail: detail,
                          headers: [.wwwAuthenticate: challenge])
    }

    /// 403: the token is valid, its role may not do this.
    public static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(status: .forbidden, slug: "forbidden", title: "Forbidden (无权限)", detail: detail)
    }

    /// 404: what the request names does not exist.
    public static func notFound(_ detail: String) -> APIProblem {
        APIProblem(status: .notFound, slug: "not-found", title: "Not found (不存在)", detail: detail)
    }

    /// 409: the request contradicts the stored state (a key reused for another request, a notice already void).
    public static func conflict(_ detail: String) -> APIProblem {
        APIProblem(status: .conflict, slug: "conflict", title: "Conflict (冲突)", detail: detail)
    }

    /// 503: what the request needs is not running in this process (the mode is kept by the running gateway).
    public static func unavailable(_ detail: String) -> APIProblem {
        APIProblem(status: .serviceUnavailable, slug: "unavailable", title: "Unavailable (暂不可用)", detail: detail)
    }

    /// 413: the body is larger than the route takes.
    public static func contentTooLarge(limit: Int) -> APIProblem {
        APIProblem(status: .contentTooLarge, slug: "content-too-large", title: "Content too large (内容过大)",
                   detail: "the body is larger than \(limit) bytes, the most this request takes; send less (no files inside JSON)")
    }

    /// 415: the body is not in a format the route reads.
    /// - Parameter found: the request's `Content-Type`, nil when it had none.
    public static func unsupportedMediaType(found: String?, expected: String = "application/json") -> APIProblem {
        let what = found.map { "`Content-Type: \($0)`" } ?? "no Content-Type"
        return APIProblem(status: .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type (格式不支持)",
                          detail: "the request has \(what); send the body as UTF-8 JSON with `Content-Type: \(expected)`",
                          headers: [.accept: expected])
    }

    /// 422: the body is JSON, but a field is missing, of the wrong type, or has a value that cannot be.
    /// - Parameter field: the field's path (`applicant.name`), nil for the body as a whole.
    public static func unprocessable(field: String? = nil, _ detail: String) -> APIProblem {
        APIProblem(status: .unprocessableContent, slug: "unprocessable-content", title: "Unprocessable content (内容无效)",
                   detail: detail, field: field)
    }

    /// 429: too many requests of this kind from this client; answered with `Retry-After`.
    public static func tooManyRequests(retryAfter seconds: Int, _ detail: String) -> APIProblem {
        APIProblem(status: .tooManyRequests, slug: "too-many-requests", title: "Too many requests (请求过于频繁)",
                   detail: detail, headers: [.retryAfter: String(max(1, seconds))])
    }

    /// 500: something failed inside the gateway. Says nothing of what; the log has it under `requestID`.
    public static func internalError(requestID: String?) -> APIProblem {
        let reference = requestID.map { " under request id \($0)" } ?? ""
        return APIProblem(status: .internalServerError, slug: "internal-error", title: "Internal error (内部错误)",
                          detail: "the gateway could not complete this request; nothing was changed unless the answer says so. "
                              + "Try again; if it keeps failing, ops find the cause in the gateway's log\(reference)")
    }

    /// The problem for a status that came from elsewhere (Hummingbird's own 404, 405, 413), with `detail`.
    public static func forStatus(_ status: HTTPResponse.Status, detail: String) -> APIProblem {
        switch status.code {
        case 400: return .badRequest(detail)
        case 401: return .unauthorized(detail)
        case 403: return .forbidden(detail)
        case 404: return .notFound(detail)
        case 409: return .conflict(detail)
        case 413: return APIProblem(status: status, slug: "content-too-large", title: "Content too large (内容过大)", detail: detail)
        case 415: return APIProblem(status: status, slug: "unsupported-media-type", title: "Unsupported media type (格式不支持)", detail: detail)
        case 422: return .unprocessable(field: nil, detail)
        case 503: return .unavailable(detail)
        case 500...: return APIProblem(status: status, slug: "internal-error", title: "Internal error (内部错误)", detail: detail)
        default:
            let slug = status.reasonPhrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
            return APIProblem(status: status, slug: slug.isEmpty ? "http-\(status.code)" : slug, title: status.reasonPhrase, detail: detail)
        }
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    /// The problem as its JSON document, as answered.
    public struct Document: Codable, Sendable, Equatable {
        public let type: String
        public let title: String
        public let status: Int
        public let detail: String
        public let field: String?
        public let chinese: String?
    }

    public var document: Document {
        Document(type: type, title: title, status: status.code, detail: detail, field: field, chinese: chinese)
    }

    public static let mediaType = "application/problem+json"

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(document)
        var fields: HTTPFields = [.contentType: Self.mediaType, .cacheControl: "no-store"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
