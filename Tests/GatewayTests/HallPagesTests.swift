// The pages as the gateway serves them (open, from the resource bundle, with a strict Content-Security-Policy), the
// notice preview they use, and the demo's tokens and PINs. The pages in a browser: EndToEndTests/PagesBrowserEndToEndTests.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Gateway

@Suite struct HallPagesTests {
    @Test("each page and each asset it names is served without a token, as HTML, CSS or JS, with the security headers")
    func pagesAreServed() async throws {
        let pages = HallPages.installed()
        #expect((try? pages.origin.get()) != nil, "the site is in the build folder's resource bundle: \(pages.origin)")
        let hall = try APITestHall()
        let app = Application(router: HallRoutes.router(config: hall.config, store: hall.store, clock: hall.clock, pages: pages),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router) { client in
            var assets: Set<String> = []
            for path in ["/pages", "/pages/clerk", "/pages/kiosk", "/pages/duty", "/pages/ops"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                    let csp = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "\(path): \(csp)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    let html = String(buffer: response.body)
                    #expect(html.contains("<html lang=\"zh-CN\">") && html.contains("name=\"viewport\""), "\(path) is Chinese and responsive")
                    #expect(!html.contains("<script>") && !html.contains(" onclick="), "\(path) has no inline script (the policy forbids it)")
                    for match in html.matches(of: /\/pages\/assets\/([A-Za-z0-9._-]+)/) { assets.insert(String(match.1)) }
                }
            }
            #expect(assets.isSuperset(of: ["common.css", "common.js", "clerk.js", "kiosk.js", "duty.js", "ops.js"]), "\(assets)")
            for asset in assets {
                try await client.execute(uri: "/pages/assets/\(asset)", method: .get) { response in
                    #expect(response.status == .ok, "\(asset)")
                    let type = asset.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"
                    #expect(response.headers[.contentType] == type, "\(asset)")
                }
            }
            // Only the site's scripts and styles by that path: not a page, not a path out of the site.
            for uri in ["/pages/assets/clerk.html", "/pages/assets/..%2F..%2FGateway.swiftmodule", "/pages/assets/nothing.js", "/pages/secret"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(uri)")
                }
            }
        }
    }

    @Test("a gateway installed without its pages answers /pages with 503 saying what to copy, and serves the rest")
    func pagesMissing() async throws {
        let missing = HallPages.load(from: URL(fileURLWithPath: "/nonexistent/CounterGate_Gateway.resources/site"))
        let hall = try APITestHall()
        let app = Application(router: HallRoutes.router(config: hall.config, store: hall.store, clock: hall.clock, pages: missing),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/pages/clerk", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let document = try problem(response)
                #expect(document.detail.contains("copy CounterGate_Gateway.resources") && document.detail.contains("docs/operations.md"), "\(document.detail)")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test("the notice preview: the paper as it will print with the next number marked 预览, what is missing in Chinese, nothing stored")
    func noticePreview() async throws {
        let hall = try await HallAPITests.hall()
        let clerk = try await hall.token(.clerk(window: 1)).token
        let app = hall.app { HallAPITests.api(hall).register(on: $0) }
        let headers: HTTPFields = [.authorization: "Bearer \(clerk)", .contentType: "application/json"]
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/notices/preview", method: .post, headers: headers,
                                     body: ByteBuffer(string: HallAPITests.noticeBody)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let text = try #require(answer["text"] as? String)
                #expect((answer["number"] as? String)?.hasSuffix("第000001号(预览)") == true, "\(answer)")
                #expect(text.contains("张喆") && text.contains("食品经营许可") && text.contains("营业执照副本") && text.contains("第一联") && text.contains("第二联"), "\(text)")
                // 5 working days from Thursday 2026-11-26 (the day after acceptance is the first): Thursday 2026-12-03.
                #expect(answer["promisedCompletion"] as? String == "2026-12-03", "\(answer)")
                #expect((answer["problems"] as? [Any])?.isEmpty == true, "\(answer)")
            }
            let incomplete = #"{"kind":"supplementary-materials","applicant":"","item":"食品经营许可","window":1,"clerk":"D999"}"#
            try await client.execute(uri: "/api/v1/notices/preview", method: .post, headers: headers, body: ByteBuffer(string: incomplete)) { response in
                #expect(response.status == .ok, "a form being filled in gets its preview and what is missing")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let problems = (answer["problems"] as? [[String: String]]) ?? []
                #expect(problems.contains { $0["field"] == "applicant" && $0["message"] == "请填写申请人" }, "\(problems)")
                #expect(problems.contains { $0["field"] == "materialsMissing" && $0["message"] == "请一次性列出全部需补齐的材料" }, "\(problems)")
                #expect(problems.contains { $0["field"] == "clerk" && $0["message"] == "没有工号为D999的工作人员" }, "\(problems)")
            }
            try await client.execute(uri: "/api/v1/notices/preview", method: .post, headers: headers,
                                     body: ByteBuffer(string: #"{"kind":"visa","applicant":"张喆","item":"x","window":1,"clerk":"D001"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let document = try problem(response)
                #expect(document.field == "kind")
            }
        }
        #expect(try await hall.store.notices(year: 2026).isEmpty, "a preview issues nothing")
        #expect(try await hall.store.peekNoticeNumber(year: 2026, format: hall.config.noticeNumberFormat).hasSuffix("第000001号"), "and takes no number")
        #expect(try await hall.store.printJobs().isEmpty)
    }

    @Test("GET /jobs/{id}: the job a clerk's page follows")
    func jobByID() async throws {
        let hall = try await HallAPITests.hall()
        let clerk = try await hall.token(.clerk(window: 1)).token
        let app = hall.app { HallAPITests.api(hall).register(on: $0) }
        try await app.test(.router) { client in
            var id = ""
            try await client.execute(uri: "/api/v1/notices", method: .post,
                                     headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "jobs-by-id"],
                                     body: ByteBuffer(string: HallAPITests.noticeBody)) { response in
                #expect(response.status == .created)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                id = String(describing: ((answer?["job"] as? [String: Any])?["id"] as? Int) ?? -1)
            }
            try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .ok)
                let job = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(job?["printerRole"] as? String == "window-1-printer" && job?["state"] as? String == "queued", "\(String(describing: job))")
            }
            try await client.execute(uri: "/api/v1/jobs/abc", method: .get, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}

extension HallPagesTests {
    @Test("a notice number percent-encoded in the path, as a browser sends it, finds the notice: get and reprint")
    func percentEncodedNoticeNumber() async throws {
        let hall = try await HallAPITests.hall()
        let clerk = try await hall.token(.clerk(window: 1)).token
        let app = hall.app { HallAPITests.api(hall).register(on: $0) }
        try await app.test(.router) { client in
            var number = ""
            try await client.execute(uri: "/api/v1/notices", method: .post,
                                     headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "encoded"],
                                     body: ByteBuffer(string: HallAPITests.noticeBody)) { response in
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                number = ((answer?["notice"] as? [String: Any])?["number"] as? String) ?? ""
            }
            let encoded = try #require(number.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            #expect(encoded.hasPrefix("%E5%A4%AA"), "\(encoded)")
            try await client.execute(uri: "/api/v1/notices/\(encoded)", method: .get, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/v1/notices/\(encoded)/reprint", method: .post, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
        }
        #expect(try await hall.store.printJobs().filter(\.reprint).count == 1)
    }
}

@Suite struct DemoAccessTests {
    @Test("the demo makes a token per role and a PIN per person once, keeps them in demo-tokens.txt, and replaces a revoked token")
    func tokensAndPINsKept() async throws {
        let hall = try await HallAPITests.hall()
        let directory = URL(fileURLWithPath: hall.config.store.dataDirectory)
        let first = try await DemoAccess.prepare(store: hall.store, config: hall.config, clock: hall.clock, directory: directory)
        #expect(first.tokens.map(\.role) == [.clerk(window: 1), .clerk(window: 2), .clerk(window: 3), .dutyChief, .inspection, .leader, .ops, .kiosk, .readOnly])
        for token in first.tokens {
            #expect(try await hall.store.caller(forToken: token.token)?.role == token.role)
        }
        // The tokens of people's roles speak for a demo person holding the role (a window's lead for its PC).
        #expect(try await hall.store.caller(forToken: first.token(for: .dutyChief)!)?.staffID == "D007")
        #expect(try await hall.store.caller(forToken: first.token(for: .leader)!)?.staffID == "D010")
        #expect(try await hall.store.caller(forToken: first.token(for: .clerk(window: 1))!)?.staffID == "D001")
        #expect(try await hall.store.caller(forToken: first.token(for: .ops)!)?.staffID == nil)
        #expect(Set(first.pins.map(\.staffID)) == ["D001", "D002", "D003", "D004", "D005", "D006", "D007", "D008", "D009", "D010"])
        let desk = SignInDesk(config: hall.config, store: hall.store, clock: hall.clock)
        for pin in first.pins {
            #expect((try? desk.policy.check(newPIN: pin.pin)) != nil, "\(pin.pin) follows the PIN rules")
        }
        let stored = try #require(try await hall.store.pin(ofStaff: "D001"))
        #expect(stored.hash.matches(try #require(first.pins.first { $0.staffID == "D001" }).pin))
        #expect(stored.hash.iterations == DemoAccess.pinIterations)
        let text = try String(contentsOf: first.file, encoding: .utf8)
        #expect(text.contains("token clerk:1 \(first.tokens[0].token)") && text.contains("pin D001 ") && text.contains("Demo only"), "\(text)")

        // The next run finds them: no new token, no new PIN.
        let second = try await DemoAccess.prepare(store: hall.store, config: hall.config, clock: hall.clock, directory: directory)
        #expect(second.tokens == first.tokens && second.pins == first.pins)
        #expect(try await hall.store.tokens().count == first.tokens.count)

        // A token revoked meanwhile is replaced by a new one; the others stay.
        let opsID = try #require(try await hall.store.tokens().first { $0.role == .ops }?.id)
        try await hall.store.revokeToken(id: opsID, actor: "test", at: hall.clock.now())
        let third = try await DemoAccess.prepare(store: hall.store, config: hall.config, clock: hall.clock, directory: directory)
        #expect(third.token(for: .ops) != first.token(for: .ops))
        #expect(try await hall.store.caller(forToken: third.token(for: .ops)!)?.role == .ops)
        #expect(third.token(for: .kiosk) == first.token(for: .kiosk))
        let links = third.pageLinks(base: "http://127.0.0.1:8080")
        #expect(links.contains { $0.url == "http://127.0.0.1:8080/pages/kiosk#token=\(third.token(for: .kiosk)!)" })
        #expect(links.count == 7, "a page per role but leader and read-only: \(links.map(\.url))")
        #expect(links.contains { $0.url.hasPrefix("http://127.0.0.1:8080/pages/sheet#token=") })
    }
}
