// Every error of every route answered as problem+json; unknown errors as a 500 that tells nothing of the inside.
import Hummingbird
import Logging

/// Answers what a route or an inner middleware throws: an ``APIProblem`` as itself, Hummingbird's own errors
/// (404, 405, 413) as problems of their status, and anything else as a 500 problem whose body says nothing
/// of the cause, which is logged (method, path, error; never headers or the body).
///
/// Add it to the router before any route, inside the CORS middleware (so problems carry the CORS headers).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            return try APIProblem.forStatus(error.status, detail: Self.detail(for: error.status, message: error.body, request: request))
                .responseKeeping(error.headers, from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try APIProblem.forStatus(error.status, detail: Self.detail(for: error.status, message: nil, request: request))
                .response(from: request, context: context)
        } catch {
            let requestID = context.logger[metadataKey: "hb.request.id"]?.description
            context.logger.error("request failed", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
            return try APIProblem.internalError(requestID: requestID).response(from: request, context: context)
        }
    }

    static func detail(for status: HTTPResponse.Status, message: String?, request: Request) -> String {
        if let message, !message.isEmpty { return message }
        switch status.code {
        case 404: return "nothing here: \(request.method) \(request.uri.path); the API lives under /api/v1 (docs/api/)"
        case 405: return "\(request.uri.path) does not take \(request.method)"
        case 413: return "the body is larger than this request takes; send less"
        default: return status.reasonPhrase
        }
    }
}

extension APIProblem {
    /// The problem's response with headers an `HTTPError` carried (e.g. `Allow`), beside its own.
    func responseKeeping(_ extra: HTTPFields, from request: Request, context: some RequestContext) throws -> Response {
        var response = try response(from: request, context: context)
        for field in extra where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}
