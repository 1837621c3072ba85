// Reading a JSON request body: the right media type, a bounded size, and errors that name the place or field.
import Foundation
import Hummingbird
import NIOCore

/// The size limits of JSON request bodies.
public enum JSONBodyLimit {
    /// 64 KiB: a notice with its materials checklist is a few KiB.
    public static let `default` = 64 * 1024
}

/// Decodes a request's JSON body into `T`, or answers why not.
///
/// - Parameters:
///   - type: what the body must be.
///   - request: the request; its body is read here (once).
///   - context: for the decoder (dates as ISO 8601).
///   - limit: the largest body accepted, in bytes.
/// - Returns: the decoded value.
/// - Throws: ``APIProblem``:
///   - 415 when the `Content-Type` is not `application/json` (a `charset` other than UTF-8 included);
///   - 413 when the body is larger than `limit`: refused by its `Content-Length` before reading, or as soon as
///     more than `limit` bytes have arrived; a large body is never held in memory;
///   - 400 when the body is empty or not JSON, with the line and column of the first mistake;
///   - 422 when it is JSON but does not fit `T`: a missing field, a wrong type, a value that cannot be, with the
///     field's path (`applicant.name`, `materials[2]`) in `detail` and in `field`.
///   Nothing has been stored when it throws: routes decode before they act.
public func decodeJSON<T: Decodable>(_ type: T.Type, from request: Request, context: HallRequestContext,
                                     limit: Int = JSONBodyLimit.default) async throws -> T {
    guard let value = try await JSONBodyReader.read(T.self, from: request, context: context, limit: limit, optional: false) else {
        throw APIProblem.badRequest("the body is empty; send a JSON object")
    }
    return value
}

/// Like ``decodeJSON(_:from:context:limit:)`` for a route whose body may be left out: nil when the request has
/// no body (no `Content-Length` or `Transfer-Encoding`, `Content-Length: 0`, or an empty chunked body).
/// A body that is there is checked exactly as by `decodeJSON`.
public func decodeJSONIfPresent<T: Decodable>(_ type: T.Type, from request: Request, context: HallRequestContext,
                                              limit: Int = JSONBodyLimit.default) async throws -> T? {
    let declaresBody = request.headers[.transferEncoding] != nil || (request.headers[.contentLength].map { $0 != "0" } ?? false)
    guard declaresBody else { return nil }
    return try await JSONBodyReader.read(T.self, from: request, context: context, limit: limit, optional: true)
}

enum JSONBodyReader {
    /// Reads and decodes the body; nil for an empty body when `optional`.
    static func read<T: Decodable>(_ type: T.Type, from request: Request, context: HallRequestContext, limit: Int, optional: Bool) async throws -> T? {
        // A client may send an empty chunked body without a Content-Type; only a body that is there must say it is JSON.
        let untyped = optional && request.headers[.contentType] == nil
        if !untyped { try checkContentType(request.headers[.contentType]) }
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            throw APIProblem.contentTooLarge(limit: limit)
        }
        var body = ByteBuffer()
        for try await part in request.body {
            guard body.readableBytes + part.readableBytes <= limit else { throw APIProblem.contentTooLarge(limit: limit) }
            body.writeImmutableBuffer(part)
        }
        guard body.readableBytes > 0 else {
            if optional { return nil }
            throw APIProblem.badRequest("the body is empty; send a JSON object")
        }
        if untyped { throw APIProblem.unsupportedMediaType(found: nil) }
        let bytes = Data(buffer: body)
        do {
            return try context.requestDecoder.decode(T.self, from: bytes)
        } catch let error as DecodingError {
            throw problem(for: error, body: bytes)
        } catch let problem as APIProblem {
            throw problem
        } catch {
            // A value's own check (a role, a window) refused it; its message says what is accepted.
            throw APIProblem.unprocessable(field: nil, "the body was refused: \(error)")
        }
    }

    /// Accepts `application/json` with no parameter but `charset=utf-8`.
    static func checkContentType(_ value: String?) throws {
        guard let value else { throw APIProblem.unsupportedMediaType(found: nil) }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { throw APIProblem.unsupportedMediaType(found: value) }
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
            guard pair.count == 2, pair[0] == "charset", pair[1] == "utf-8" || pair[1] == "utf8" else {
                throw APIProblem.unsupportedMediaType(found: value)
            }
        }
    }

    static func problem(for error: DecodingError, body: Data) -> APIProblem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            if let mistake = JSONSyntax.firstMistake(in: body) {
                return .badRequest("the body is not valid JSON: \(mistake)")
            }
            return .badRequest("the body is not valid JSON (\(context.debugDescription))")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return .unprocessable(field: field, "field `\(field)`: \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .unprocessable(field: field, "field `\(field)` is missing")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .unprocessable(field: field.isEmpty ? nil : field,
                                  "\(field.isEmpty ? "the body" : "field `\(field)`") is null; expected \(describe(type))")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            let found = foundKind(context.debugDescription).map { "; found \($0)" } ?? ""
            return .unprocessable(field: field.isEmpty ? nil : field,
                                  "\(field.isEmpty ? "the body" : "field `\(field)`") must be \(describe(type))\(found)")
        @unknown default:
            return .unprocessable(field: nil, "the body does not fit this request")
        }
    }

    /// `applicant.name`, `materials[2]`, `items[0].count`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is Int8.Type,
             is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type, is UInt8.Type: return "a whole number"
        case is Double.Type, is Float.Type, is Decimal.Type: return "a number"
        case is Date.Type: return "a date and time (ISO 8601, e.g. 2026-11-26T08:30:00+08:00)"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("Set<") { return "an array" }
            return "an object"
        }
    }

    /// What was there instead, from the decoder's "… but found a string instead."
    static func foundKind(_ debugDescription: String) -> String? {
        guard let range = debugDescription.range(of: "but found ") else { return nil }
        let rest = debugDescription[range.upperBound...]
        let kind = rest.replacingOccurrences(of: " instead.", with: "").trimmingCharacters(in: .whitespaces)
        return kind.isEmpty || kind.count > 40 ? nil : kind
    }
}
