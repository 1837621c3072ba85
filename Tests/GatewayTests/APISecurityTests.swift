// The API's front door over a real loopback server: bearer tokens (401), roles (403), problem+json, CORS, and logs
// that never hold a token.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Gateway

/// A failure whose text must never reach a client.
struct InternalFailure: Error, CustomStringConvertible {
    var description: String { "disk /var/lib/countergate/secret-internals.db is on fire" }
}

@Suite struct APISecurityTests {
    /// Test-only routes, added through the same public entry the API's routes use.
    static func testRoutes(_ group: RouterGroup<HallRequestContext>) {
        group.post("test/devices/bind") { _, context -> String in
            try context.require(.manageDevices)
            return "bound"
        }
        group.post("test/notices/window/{window}") { _, context -> String in
            let window = try context.parameters.require("window", as: Int.self)
            let caller = try context.require(.printNotice(window: window))
            return "printed for window \(window) by \(caller.name)"
        }
        group.get("test/fails") { _, _ -> String in throw InternalFailure() }
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func whoamiNeedsAValidToken() async throws {
        let hall = try APITestHall()
        let good = try await hall.token(.clerk(window: 3), name: "3号窗口电脑")
        try await hall.app().test(.live) { client in
            try await client.execute(uri: "/api/v1/whoami", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"countergate\"")
                #expect(response.headers[.contentType] == "application/problem+json")
                let document = try problem(response)
                #expect(document.type == "tag:countergate,2026:problem:unauthorized")
                #expect(document.status == 401)
                #expect(document.detail.contains("Authorization: Bearer"))
            }
            for bad in ["cg_" + String(repeating: "x", count: 43), "not-a-token", good.token + "A", String(good.token.dropLast())] {
                try await client.execute(uri: "/api/v1/whoami", method: .get, headers: bearer(bad)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"countergate\", error=\"invalid_token\"")
                    let detail = try problem(response).detail
                    #expect(detail.contains("not known or was revoked"))
                }
            }
            for malformed in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer \(good.token) extra", good.token] {
                try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: malformed]) { response in
                    #expect(response.status == .unauthorized, "\(malformed)")
                    let detail = try problem(response).detail
                    #expect(detail.contains("must be one `Bearer cg_…`"))
                }
            }
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: bearer(good.token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let answer = try JSONDecoder().decode(WhoAmI.self, from: Data(buffer: response.body))
                #expect(answer.name == "3号窗口电脑")
                #expect(answer.role == "clerk:3")
            }
            // The scheme is case-insensitive (RFC 6750).
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "bearer \(good.token)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aRevokedTokenIsRefusedAtItsNextRequest() async throws {
        let hall = try APITestHall()
        let token = try await hall.token(.dutyChief, name: "值班长平板")
        try await hall.app().test(.live) { client in
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .ok)
            }
            try await hall.store.revokeToken(id: token.id, actor: "cli", at: hall.clock.now())
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: bearer(token.token)) { response in
                #expect(response.status == .unauthorized)
                let type = try problem(response).type
                #expect(type == "tag:countergate,2026:problem:unauthorized")
            }
        }
    }

    @Test func aRoleWithoutThePermissionIsForbiddenAndToldWhoMay() async throws {
        let hall = try APITestHall()
        let clerk = try await hall.token(.clerk(window: 3), name: "3号窗口电脑")
        let ops = try await hall.token(.ops, name: "ops laptop")
        let kiosk = try await hall.token(.kiosk, name: "签到机")
        try await hall.app(routes: Self.testRoutes).test(.live) { client in
            try await client.execute(uri: "/api/v1/test/devices/bind", method: .post) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/test/devices/bind", method: .post, headers: bearer(clerk.token)) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.contentType] == "application/problem+json")
                let document = try problem(response)
                #expect(document.type == "tag:countergate,2026:problem:forbidden")
                #expect(document.title == "Forbidden (无权限)")
                #expect(document.detail == "the token \"3号窗口电脑\" has role clerk:3 (3号窗口), which may not bind, replace, back up and restore devices; "
                    + "this needs manageDevices (role ops may); ask ops for a token with such a role")
            }
            try await client.execute(uri: "/api/v1/test/devices/bind", method: .post, headers: bearer(ops.token)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "bound")
            }
            try await client.execute(uri: "/api/v1/test/notices/window/3", method: .post, headers: bearer(clerk.token)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "printed for window 3 by 3号窗口电脑")
            }
            try await client.execute(uri: "/api/v1/test/notices/window/2", method: .post, headers: bearer(clerk.token)) { response in
                #expect(response.status == .forbidden)
                let detail = try problem(response).detail
                #expect(detail.contains("may not print notices for window 2 (2号窗口); this needs printNotice(window: 2) (roles clerk:2, ops may)"))
            }
            try await client.execute(uri: "/api/v1/test/notices/window/1", method: .post, headers: bearer(kiosk.token)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func everyErrorIsProblemJSONAndUnknownErrorsTellNothing() async throws {
        let hall = try APITestHall()
        let ops = try await hall.token(.ops)
        let log = CapturedLog()
        try await hall.app(logger: log.logger(), routes: Self.testRoutes).test(.live) { client in
            try await client.execute(uri: "/api/v1/test/fails", method: .get, headers: bearer(ops.token)) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = String(buffer: response.body)
                #expect(!body.contains("secret-internals"))
                #expect(!body.contains("InternalFailure"))
                let document = try problem(response)
                #expect(document.type == "tag:countergate,2026:problem:internal-error")
                #expect(document.status == 500)
                #expect(document.detail.contains("under request id"))
            }
            // Hummingbird's own 404 and 405 come out as problems too, on open routes as well as under /api/v1.
            for uri in ["/nope", "/api/v1/nope"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let document = try problem(response)
                    #expect(document.type == "tag:countergate,2026:problem:not-found")
                    #expect(document.detail.contains("GET \(uri)"))
                }
            }
            // The open routes are unchanged.
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
        // The cause is in the log, for ops.
        #expect(log.text.contains("secret-internals"))
        #expect(log.text.contains("path=/api/v1/test/fails"))
    }

    @Test func theProblemDocumentHasTheRFC9457Members() throws {
        let problem = APIProblem.unprocessable(field: "applicant.name", "field `applicant.name` is missing").withChinese("请填写申请人姓名")
        let data = try JSONEncoder().encode(problem.document)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "tag:countergate,2026:problem:unprocessable-content")
        #expect(object["title"] as? String == "Unprocessable content (内容无效)")
        #expect(object["status"] as? Int == 422)
        #expect(object["detail"] as? String == "field `applicant.name` is missing")
        #expect(object["field"] as? String == "applicant.name")
        #expect(object["chinese"] as? String == "请填写申请人姓名")
        let statuses: [(APIProblem, Int)] = [
            (.badRequest("x"), 400), (.unauthorized("x"), 401), (.forbidden("x"), 403), (.notFound("x"), 404), (.conflict("x"), 409),
            (.contentTooLarge(limit: 10), 413), (.unsupportedMediaType(found: "text/plain"), 415), (.unprocessable("x"), 422),
            (.tooManyRequests(retryAfter: 7, "x"), 429), (.internalError(requestID: nil), 500),
        ]
        for (problem, code) in statuses {
            #expect(problem.status.code == code)
            #expect(problem.type.hasPrefix(APIProblem.typePrefix))
            #expect(!problem.title.isEmpty && !problem.detail.isEmpty)
        }
        #expect(APIProblem.tooManyRequests(retryAfter: 7, "x").headers[.retryAfter] == "7")
        #expect(APIProblem.tooManyRequests(retryAfter: 0, "x").headers[.retryAfter] == "1")
    }

    @Test func theTokenNeverReachesTheLog() async throws {
        let hall = try APITestHall()
        let good = try await hall.token(.ops, name: "ops laptop")
        let revoked = try await hall.token(.kiosk, name: "old kiosk")
        try await hall.store.revokeToken(id: revoked.id, actor: "cli", at: hall.clock.now())
        let unknown = "cg_" + String(repeating: "Q", count: 43)
        let log = CapturedLog()
        try await hall.app(logger: log.logger(), routes: Self.testRoutes).test(.live) { client in
            for token in [good.token, revoked.token, unknown] {
                for uri in ["/api/v1/whoami", "/api/v1/test/fails", "/api/v1/test/devices/bind", "/api/v1/nope"] {
                    try await client.execute(uri: uri, method: .get, headers: bearer(token)) { _ in }
                }
                try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(token) junk"]) { _ in }
            }
        }
        #expect(log.count > 0, "the log was captured")
        #expect(log.text.contains("api.token=\(good.id)"), "the caller is named by token id")
        for token in [good.token, revoked.token, unknown] {
            #expect(!log.text.contains(String(token.dropFirst(3))), "a token is in the log:\n\(log.text)")
        }
    }

    @Test func corsIsClosedByDefault() async throws {
        let hall = try APITestHall()
        let token = try await hall.token(.readOnly)
        try await hall.app().test(.live) { client in
            for (method, headers) in [
                (HTTPRequest.Method.get, [.origin: "https://evil.example", .authorization: "Bearer \(token.token)"] as HTTPFields),
                (.options, [.origin: "https://evil.example", .accessControlRequestMethod: "GET"]),
            ] {
                try await client.execute(uri: "/api/v1/whoami", method: method, headers: headers) { response in
                    let names = response.headers.map(\.name.canonicalName)
                    #expect(!names.contains { $0.lowercased().hasPrefix("access-control-") }, "\(names)")
                }
            }
        }
    }

    @Test func corsAnswersOnlyTheListedOrigins() async throws {
        let hall = try APITestHall { $0.http.corsOrigins = ["https://window-pc.hall.lan"] }
        let token = try await hall.token(.readOnly)
        try await hall.app().test(.live) { client in
            try await client.execute(uri: "/api/v1/whoami", method: .get,
                                     headers: [.origin: "https://window-pc.hall.lan", .authorization: "Bearer \(token.token)"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://window-pc.hall.lan")
                #expect(response.headers[values: .vary].contains("Origin"))
                #expect(response.headers[.accessControlAllowCredentials] == nil)
            }
            // A problem answer carries the headers too, so the page can read it.
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.origin: "https://window-pc.hall.lan"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.accessControlAllowOrigin] == "https://window-pc.hall.lan")
            }
            try await client.execute(uri: "/api/v1/whoami", method: .options,
                                     headers: [.origin: "https://window-pc.hall.lan", .accessControlRequestMethod: "GET",
                                               .accessControlRequestHeaders: "authorization"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://window-pc.hall.lan")
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
            for other in ["https://evil.example", "https://window-pc.hall.lan.evil.example", "http://window-pc.hall.lan", "null"] {
                try await client.execute(uri: "/api/v1/whoami", method: .options,
                                         headers: [.origin: other, .accessControlRequestMethod: "GET"]) { response in
                    let names = response.headers.map(\.name.canonicalName)
                    #expect(!names.contains { $0.lowercased().hasPrefix("access-control-") }, "\(other): \(names)")
                }
            }
        }
    }
}
