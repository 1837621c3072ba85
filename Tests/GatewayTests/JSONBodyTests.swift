// Request bodies: the wrong media type (415), too large (413, without reading it all), not JSON (400, where), the wrong
// shape (422, which field); nothing is stored when a body is refused.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOEmbedded
import Synchronization
import Testing
@testable import Gateway

/// A body like a notice request.
struct SampleRequest: Codable, Sendable {
    struct Applicant: Codable, Sendable { let name: String; let phone: String? }
    let applicant: Applicant
    let window: Int
    let materials: [String]
    let role: APIRole?
}

@Suite struct JSONBodyTests {
    static let small = 1024

    /// A route that decodes, then stores (an audit entry): a refused body must store nothing.
    static func routes(store: HallStore, clock: any HallClock) -> (RouterGroup<HallRequestContext>) -> Void {
        { group in
            group.post("test/samples") { request, context -> Response in
                let sample = try await decodeJSON(SampleRequest.self, from: request, context: context, limit: small)
                try await store.audit(at: clock.now(), actor: "test", action: "sample.stored", subject: sample.applicant.name, detail: "")
                return Response(status: .created)
            }
            group.post("test/optional") { request, context -> String in
                let sample = try await decodeJSONIfPresent(SampleRequest.self, from: request, context: context, limit: small)
                return sample.map { "got \($0.applicant.name)" } ?? "no body"
            }
        }
    }

    let json: HTTPFields = [.contentType: "application/json"]

    func post(_ client: some TestClientProtocol, _ body: String, headers: HTTPFields? = nil, uri: String = "/api/v1/test/samples") async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers ?? json, body: ByteBuffer(string: body))
    }

    @Test func aGoodBodyIsDecodedAndStored() async throws {
        let hall = try APITestHall()
        try await hall.app(routes: Self.routes(store: hall.store, clock: hall.clock)).test(.live) { client in
            let response = try await post(client, #"{"applicant": {"name": "李堃"}, "window": 3, "materials": ["营业执照副本"], "role": "clerk:3"}"#,
                                          headers: [.contentType: "application/json; charset=UTF-8"])
            #expect(response.status == .created)
        }
        #expect(try await hall.store.auditEntries().map(\.action) == ["sample.stored"])
    }

    @Test func refusedBodiesSayWhyAndStoreNothing() async throws {
        let hall = try APITestHall()
        try await hall.app(routes: Self.routes(store: hall.store, clock: hall.clock)).test(.live) { client in
            let good = #"{"applicant": {"name": "李堃"}, "window": 3, "materials": []}"#
            // 415: not JSON, or JSON in another charset.
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=gbk", "application/jsonx"] {
                let response = try await post(client, good, headers: [.contentType: contentType])
                #expect(response.status == .unsupportedMediaType, "\(contentType)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(try problem(response).detail.contains("`Content-Type: \(contentType)`"))
            }
            let none = try await client.execute(uri: "/api/v1/test/samples", method: .post, body: ByteBuffer(string: good))
            #expect(none.status == .unsupportedMediaType)
            #expect(try problem(none).detail.contains("no Content-Type"))

            // 413: more than the route takes.
            let big = try await post(client, #"{"applicant": {"name": ""# + String(repeating: "字", count: 2000) + #""}}"#)
            #expect(big.status == .contentTooLarge)
            #expect(try problem(big).detail.contains("larger than 1024 bytes"))

            // 400: not JSON, with where.
            let cases: [(String, String)] = [
                ("{\n  \"applicant\": {\"name\": \"李堃\"},\n  \"window\": 3,,\n}", "unexpected `,`; expected a key in double quotes at line 3, column 15"),
                (#"{"applicant": {"name": "李堃"}"#, "the body ends too early; expected `,` or `}` at line 1, column 29"),
                (#"{"window": 3 4}"#, "unexpected `4`; expected `,` or `}` at line 1, column 14"),
                (#"{"applicant": 'x'}"#, "unexpected `'`; expected a value (an object, array, string, number, true, false or null) at line 1, column 15"),
                (#"{"a": "x"} {"b": 1}"#, "unexpected text after the JSON value; send one JSON value at line 1, column 12"),
                (#"{"a": "never closed}"#, "a string that is never closed (a `\"` is missing) at line 1, column 7"),
                (#"{"a": tru}"#, "unexpected `}`; expected `true` at line 1, column 10"),
                (" ", "the body ends too early; expected a value at line 1, column 2"),
            ]
            for (body, expected) in cases {
                let response = try await post(client, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try problem(response).detail == "the body is not valid JSON: \(expected)", "\(body)")
            }
            let empty = try await post(client, "")
            #expect(empty.status == .badRequest)
            #expect(try problem(empty).detail == "the body is empty; send a JSON object")

            // 422: JSON of the wrong shape, naming the field.
            let shapes: [(String, String, String)] = [
                (#"{"window": 3, "materials": []}"#, "applicant", "field `applicant` is missing"),
                (#"{"applicant": {}, "window": 3, "materials": []}"#, "applicant.name", "field `applicant.name` is missing"),
                (#"{"applicant": {"name": 7}, "window": 3, "materials": []}"#, "applicant.name", "field `applicant.name` must be a string; found number"),
                (#"{"applicant": {"name": "李堃"}, "window": "3", "materials": []}"#, "window", "field `window` must be a whole number; found a string"),
                (#"{"applicant": {"name": "李堃"}, "window": 3, "materials": ["a", 2]}"#, "materials[1]", "field `materials[1]` must be a string; found number"),
                (#"{"applicant": {"name": "李堃"}, "window": null, "materials": []}"#, "window", "field `window` is null; expected a whole number"),
                (#"{"applicant": {"name": "李堃"}, "window": 3, "materials": {}}"#, "materials", "field `materials` must be an array; found a dictionary"),
                (#"[1, 2]"#, "", "the body must be an object; found an array"),
            ]
            for (body, field, detail) in shapes {
                let response = try await post(client, body)
                #expect(response.status == .unprocessableContent, "\(body)")
                let document = try problem(response)
                #expect(document.detail == detail, "\(body)")
                #expect(document.field == (field.isEmpty ? nil : field), "\(body)")
            }
            let role = try await post(client, #"{"applicant": {"name": "李堃"}, "window": 3, "materials": [], "role": "root"}"#)
            #expect(role.status == .unprocessableContent)
            let document = try problem(role)
            #expect(document.field == "role")
            #expect(document.detail.contains("\"root\" is not a role"))
        }
        #expect(try await hall.store.auditEntries().isEmpty, "a refused body stored something")
    }

    @Test func anOptionalBodyMayBeLeftOut() async throws {
        let hall = try APITestHall()
        try await hall.app(routes: Self.routes(store: hall.store, clock: hall.clock)).test(.live) { client in
            let none = try await client.execute(uri: "/api/v1/test/optional", method: .post)
            #expect(String(buffer: none.body) == "no body")
            let some = try await post(client, #"{"applicant": {"name": "李堃"}, "window": 3, "materials": []}"#, uri: "/api/v1/test/optional")
            #expect(String(buffer: some.body) == "got 李堃")
            let wrong = try await post(client, #"{"window": 3}"#, uri: "/api/v1/test/optional")
            #expect(wrong.status == .unprocessableContent)
        }
    }

    /// A body without Content-Length (chunked) is cut off once it passes the limit, not read to its end.
    @Test func aLargeStreamedBodyIsRefusedWithoutReadingItAll() async throws {
        let pulled = PulledBytes()
        let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: 16 * 1024)
        let stream = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<1024 { continuation.yield(chunk) }  // 16 MiB offered
            continuation.finish()
        }.map { buffer in pulled.add(buffer.readableBytes); return buffer }
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/api/v1/x",
                                                headerFields: [.contentType: "application/json", .transferEncoding: "chunked"]),
                              body: RequestBody(asyncSequence: stream))
        let context = HallRequestContext(source: .init(channel: EmbeddedChannel(), logger: .init(label: "test")))
        await #expect(throws: APIProblem.contentTooLarge(limit: 64 * 1024)) {
            _ = try await decodeJSON(SampleRequest.self, from: request, context: context)
        }
        #expect(pulled.total <= 64 * 1024 + chunk.readableBytes)
    }

    @Test("the syntax check accepts what JSON allows", arguments: [
        #"{}"#, #"[]"#, #"{"a": [1, -2.5e+3, 0, 0.5, true, false, null, "\u00e9\n\"\\/"]}"#, " \n\t{\"a\" : {\"b\": []}}\r\n", #""text""#, "3",
    ])
    func wellFormed(text: String) {
        #expect(JSONSyntax.firstMistake(in: Data(text.utf8)) == nil)
    }

    @Test func theSyntaxCheckIsStricterThanTheDecoder() {
        // Foundation's decoder lets these pass; were it to refuse them, the 400 would still say where.
        #expect(JSONSyntax.firstMistake(in: Data(#"{"window": 03}"#.utf8)) == "unexpected `3`; expected `,` or `}` at line 1, column 13")
        #expect(JSONSyntax.firstMistake(in: Data("{\"a\": \"line\nbreak\"}".utf8))
            == "unexpected byte 0x0A; expected no control character inside a string (write a line break as \\n) at line 1, column 12")
    }

    @Test func deepNestingIsAMistakeNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONSyntax.firstMistake(in: Data(text.utf8)) == "nested deeper than 512 levels at line 1, column 513")
        #expect(JSONSyntax.firstMistake(in: Data([0x22, 0xFF, 0xFE, 0x22])) == "a string that is not UTF-8; send the body as UTF-8 at line 1, column 1")
    }
}

final class PulledBytes: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { count.withLock { $0 += n } }
    var total: Int { count.withLock { $0 } }
}

