// The /api/v1 routes over a real loopback server: every route answers 401 without a token, 403 to a role that may
// not, and its documented answer to one that may; the OpenAPI document lists exactly these routes; the same
// idempotency key prints once; bad bodies store nothing.
import CounterConfig
import CounterGateTestSupport
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Simulators
import Testing
@testable import Gateway

@Suite(.serialized) struct HallAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A hall with the demo staff, a printer role per window (nothing listens: jobs wait) and a terminal role.
    static func hall() async throws -> APITestHall {
        let hall = try APITestHall { config in
            config.printing.profilesDirectory = HallAPITests.root.appendingPathComponent("drivers/printers").path
            config.devices = try (1...3).map { window in
                try HallConfiguration.Device(id: "p\(window)", kind: .printer, role: "window-\(window)-printer", profile: "xprinter-xp80",
                                         address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [window])
            } + [try HallConfiguration.Device(id: "t1", kind: .terminal, role: "entrance-terminal", profile: "zk-generic",
                                          address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [1, 2, 3])]
        }
        try await GatewayRuntime.syncConfiguration(hall.config, store: hall.store, clock: hall.clock)
        try await DemoHall.seedIfEmpty(store: hall.store, config: hall.config, clock: hall.clock)
        return hall
    }

    static func api(_ hall: APITestHall) -> HallAPI { HallAPI(config: hall.config, store: hall.store, clock: hall.clock) }

    static let noticeBody = """
        {"kind":"acceptance","applicant":"张喆","item":"食品经营许可","window":1,"clerk":"D001","receivedOn":"2026-11-26",
         "materialsReceived":["营业执照副本"],"promisedWorkingDays":5}
        """

    /// One probe per route: a request, a role that may not, a role that may, and the status it then answers.
    struct Probe: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let uri: String
        var body: String? = nil
        var headers: HTTPFields = [:]
        /// nil when every role may (the mode is no secret).
        let denied: APIRole?
        let allowed: APIRole
        let expected: HTTPResponse.Status
        /// The answer streams (SSE): only 401 and 403 are checked here.
        var streams = false
    }

    static let probes: [Probe] = [
        Probe(method: .post, path: "/notices", uri: "/api/v1/notices", body: noticeBody, headers: [.idempotencyKey: "probe-1"],
              denied: .clerk(window: 2), allowed: .clerk(window: 1), expected: .created),
        Probe(method: .post, path: "/notices/preview", uri: "/api/v1/notices/preview", body: noticeBody, denied: .kiosk,
              allowed: .clerk(window: 1), expected: .ok),
        Probe(method: .get, path: "/notices", uri: "/api/v1/notices?year=2026&window=1", denied: .kiosk, allowed: .readOnly, expected: .ok),
        Probe(method: .get, path: "/notices/export", uri: "/api/v1/notices/export?year=2026&quarter=4", denied: .clerk(window: 1), allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/notices/waits", uri: "/api/v1/notices/waits?from=2026-11-01", denied: .kiosk, allowed: .dutyChief, expected: .ok),
        // No catalogue imported in the probes' hall: 404, saying how to import one.
        Probe(method: .get, path: "/catalogue", uri: "/api/v1/catalogue?window=1", denied: .kiosk, allowed: .clerk(window: 1), expected: .notFound),
        Probe(method: .get, path: "/notices/{number}", uri: "/api/v1/notices/NOPE", denied: .kiosk, allowed: .clerk(window: 1), expected: .notFound),
        Probe(method: .get, path: "/notices/{number}/pdf", uri: "/api/v1/notices/NOPE/pdf", denied: .kiosk, allowed: .clerk(window: 1), expected: .notFound),
        Probe(method: .post, path: "/notices/{number}/reprint", uri: "/api/v1/notices/NOPE/reprint", denied: .kiosk, allowed: .ops, expected: .notFound),
        Probe(method: .post, path: "/notices/{number}/void", uri: "/api/v1/notices/NOPE/void", body: #"{"by":"D001","reason":"填错"}"#,
              denied: .clerk(window: 1), allowed: .dutyChief, expected: .notFound),
        Probe(method: .get, path: "/jobs", uri: "/api/v1/jobs", denied: .kiosk, allowed: .clerk(window: 3), expected: .ok),
        Probe(method: .get, path: "/jobs/{id}", uri: "/api/v1/jobs/999", denied: .kiosk, allowed: .clerk(window: 1), expected: .notFound),
        Probe(method: .post, path: "/jobs/{id}/retry", uri: "/api/v1/jobs/999/retry", denied: .dutyChief, allowed: .ops, expected: .notFound),
        Probe(method: .post, path: "/jobs/{id}/cancel", uri: "/api/v1/jobs/999/cancel", denied: .readOnly, allowed: .ops, expected: .notFound),
        Probe(method: .get, path: "/devices", uri: "/api/v1/devices", denied: .clerk(window: 1), allowed: .ops, expected: .ok),
        Probe(method: .get, path: "/devices/candidates", uri: "/api/v1/devices/candidates", denied: .kiosk, allowed: .readOnly, expected: .ok),
        Probe(method: .post, path: "/devices/{role}/replace", uri: "/api/v1/devices/window-1-printer/replace", body: #"{"with":"no-such-device"}"#,
              denied: .dutyChief, allowed: .ops, expected: .conflict),
        Probe(method: .post, path: "/devices/{role}/backup", uri: "/api/v1/devices/no-such-terminal/backup", denied: .readOnly, allowed: .ops, expected: .notFound),
        Probe(method: .get, path: "/devices/{role}/backups", uri: "/api/v1/devices/entrance-terminal/backups", denied: .kiosk, allowed: .ops, expected: .ok),
        // The allowed answer is a stream that does not end: GatewayEventsTests reads it.
        Probe(method: .get, path: "/events", uri: "/api/v1/events", denied: .kiosk, allowed: .ops, expected: .ok, streams: true),
        Probe(method: .get, path: "/attendance/punches", uri: "/api/v1/attendance/punches?from=2026-11-01&to=2026-11-26",
              denied: .clerk(window: 1), allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/attendance/day", uri: "/api/v1/attendance/day?date=2026-11-26", denied: .kiosk, allowed: .readOnly, expected: .ok),
        Probe(method: .get, path: "/attendance/month", uri: "/api/v1/attendance/month?month=2026-11", denied: .kiosk, allowed: .ops, expected: .ok),
        Probe(method: .get, path: "/attendance/sheet", uri: "/api/v1/attendance/sheet?month=2026-11", denied: .kiosk, allowed: .readOnly, expected: .ok),
        Probe(method: .post, path: "/signin", uri: "/api/v1/signin", body: #"{"staffId":"D001","pin":"4821"}"#,
              denied: .ops, allowed: .kiosk, expected: .unprocessableContent),  // the hall is not in sign-in mode
        Probe(method: .get, path: "/signin/pending", uri: "/api/v1/signin/pending", denied: .kiosk, allowed: .dutyChief, expected: .ok),
        Probe(method: .post, path: "/signin/review", uri: "/api/v1/signin/review", body: #"{"action":"confirm","by":"D007","all":true}"#,
              denied: .ops, allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/staff", uri: "/api/v1/staff", denied: .kiosk, allowed: .clerk(window: 2), expected: .ok),
        Probe(method: .get, path: "/staff/{id}", uri: "/api/v1/staff/D001", denied: .kiosk, allowed: .readOnly, expected: .ok),
        Probe(method: .post, path: "/staff/{id}/cards", uri: "/api/v1/staff/D001/cards", body: #"{"card":"4215371"}"#,
              denied: .dutyChief, allowed: .ops, expected: .ok),
        Probe(method: .get, path: "/mode", uri: "/api/v1/mode", denied: nil, allowed: .kiosk, expected: .ok),
        // The probes' API runs without the gateway's fallback, which owns the mode: 503 (ModeOrderTests gives it one).
        Probe(method: .post, path: "/mode/{role}", uri: "/api/v1/mode/entrance-terminal", body: #"{"signInMode":true,"by":"D007","note":"指纹头失灵"}"#,
              denied: .ops, allowed: .dutyChief, expected: .serviceUnavailable),
        Probe(method: .get, path: "/attendance/sheet.csv", uri: "/api/v1/attendance/sheet.csv?month=2026-11", denied: .clerk(window: 1), allowed: .inspection, expected: .ok),
        Probe(method: .get, path: "/attendance/sheet.xlsx", uri: "/api/v1/attendance/sheet.xlsx?month=2026-11", denied: .clerk(window: 1), allowed: .leader, expected: .ok),
        // November is not over on the probes' clock: 409.
        Probe(method: .post, path: "/attendance/sheet/publish", uri: "/api/v1/attendance/sheet/publish?month=2026-11", denied: .ops, allowed: .inspection, expected: .conflict),
        Probe(method: .get, path: "/attendance/leave", uri: "/api/v1/attendance/leave", denied: .kiosk, allowed: .clerk(window: 1), expected: .ok),
        Probe(method: .post, path: "/attendance/leave", uri: "/api/v1/attendance/leave",
              body: #"{"kind":"personal","start":"2026-11-27 08:30","end":"2026-11-27 10:00","reason":"看病"}"#, denied: .ops, allowed: .clerk(window: 1), expected: .created),
        Probe(method: .post, path: "/attendance/leave/{id}/opinion", uri: "/api/v1/attendance/leave/999/opinion", body: #"{"opinion":"同意"}"#,
              denied: .ops, allowed: .clerk(window: 1), expected: .notFound),
        Probe(method: .post, path: "/attendance/leave/{id}/approve", uri: "/api/v1/attendance/leave/999/approve", denied: .clerk(window: 1), allowed: .leader, expected: .notFound),
        Probe(method: .post, path: "/attendance/leave/{id}/refuse", uri: "/api/v1/attendance/leave/999/refuse", denied: .ops, allowed: .inspection, expected: .notFound),
        Probe(method: .post, path: "/attendance/leave/{id}/withdraw", uri: "/api/v1/attendance/leave/999/withdraw", denied: .ops, allowed: .clerk(window: 2), expected: .notFound),
        Probe(method: .post, path: "/attendance/corrections", uri: "/api/v1/attendance/corrections",
              body: #"{"staffId":"D002","at":"2026-11-20 08:30","reason":"指纹识别失败"}"#, denied: .inspection, allowed: .dutyChief, expected: .created),
        Probe(method: .get, path: "/attendance/corrections", uri: "/api/v1/attendance/corrections", denied: .kiosk, allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/attendance/roster", uri: "/api/v1/attendance/roster", denied: .kiosk, allowed: .clerk(window: 1), expected: .ok),
        Probe(method: .put, path: "/attendance/roster", uri: "/api/v1/attendance/roster", body: #"[{"day":"2026-11-30","staffId":"D007"}]"#,
              denied: .dutyChief, allowed: .inspection, expected: .ok),
        Probe(method: .get, path: "/attendance/cover", uri: "/api/v1/attendance/cover", denied: .clerk(window: 1), allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/attendance/conflicts", uri: "/api/v1/attendance/conflicts", denied: .kiosk, allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/calendar", uri: "/api/v1/calendar", denied: .kiosk, allowed: .dutyChief, expected: .ok),
        Probe(method: .get, path: "/central", uri: "/api/v1/central", denied: .kiosk, allowed: .ops, expected: .ok),
        Probe(method: .post, path: "/attendance/conflicts/{id}/resolve", uri: "/api/v1/attendance/conflicts/999/resolve",
              body: #"{"by":"D007","note":"已核实"}"#, denied: .ops, allowed: .dutyChief, expected: .notFound),
    ]

    @Test("every route: no token 401, a role that may not 403, a role that may its documented answer")
    func everyRouteChecksTheRole() async throws {
        let hall = try await Self.hall()
        var tokens: [APIRole: String] = [:]
        // The people's tokens speak for a person of the demo hall (D007 is duty chief and inspection, D010 the leader).
        let people: [APIRole: String] = [.clerk(window: 1): "D001", .clerk(window: 2): "D003", .clerk(window: 3): "D005",
                                         .dutyChief: "D007", .inspection: "D007", .leader: "D010"]
        for role: APIRole in [.clerk(window: 1), .clerk(window: 2), .clerk(window: 3), .dutyChief, .inspection, .leader, .ops, .kiosk, .readOnly] {
            tokens[role] = try await hall.store.createToken(name: role.text, role: role, staffID: people[role], actor: "cli", at: hall.clock.now()).token
        }
        let api = Self.api(hall)
        var registered: [APIRouteDescription] = []
        let app = hall.app { registered = api.register(on: $0) }
        let tokensByRole = tokens
        try await app.test(.live) { client in
            for probe in Self.probes {
                let body = probe.body.map { ByteBuffer(string: $0) }
                var json = probe.headers
                if body != nil { json[.contentType] = "application/json" }
                try await client.execute(uri: probe.uri, method: probe.method, headers: json, body: body) { response in
                    #expect(response.status == .unauthorized, "\(probe.method) \(probe.path) without a token")
                    #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                }
                for (role, status) in [(probe.denied, HTTPResponse.Status.forbidden), (probe.allowed, probe.expected)] {
                    guard let role, !(probe.streams && status == probe.expected) else { continue }
                    var headers = json
                    headers[.authorization] = "Bearer \(tokensByRole[role]!)"
                    try await client.execute(uri: probe.uri, method: probe.method, headers: headers, body: body) { response in
                        #expect(response.status == status, "\(probe.method) \(probe.path) as \(role.text): \(String(buffer: response.body))")
                    }
                }
            }
        }
        // Every route registered has a probe.
        #expect(Set(registered.map { "\($0.method) \($0.path)" }) == Set(Self.probes.map { "\($0.method.rawValue) \($0.path)" }))
    }

    @Test("docs/api/openapi.yaml lists exactly the routes the gateway serves")
    func openAPIMatchesTheRoutes() async throws {
        let hall = try await Self.hall()
        var registered: [APIRouteDescription] = []
        _ = hall.app { registered = Self.api(hall).register(on: $0) }
        let served = Set(registered.map { "\($0.method) \($0.path)" } + ["GET /whoami"])
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/api/openapi.yaml"), encoding: .utf8)
        var documented: Set<String> = []
        var inPaths = false, path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                      let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(documented == served, "documented but not served: \(documented.subtracting(served)); served but not documented: \(served.subtracting(documented))")
    }

    @Test("docs/api/openapi.yaml is a valid OpenAPI document to another project's validator (openapi-spec-validator), with the routes served")
    func openAPIIsValid() async throws {
        let hall = try await Self.hall()
        var registered: [APIRouteDescription] = []
        _ = hall.app { registered = Self.api(hall).register(on: $0) }
        let served = Set(registered.map { "\($0.method) \($0.path)" } + ["GET /whoami"])
        let script = Self.root.appendingPathComponent("Tests/Peers/openapi_check.py").path
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", script, Self.root.appendingPathComponent("docs/api/openapi.yaml").path],
                                                environment: ["PYTHONIOENCODING": "utf-8"], timeout: .seconds(120))
        #expect(!result.stderr.contains("No module named 'openapi_spec_validator'"),
                "openapi-spec-validator is missing: run scripts/setup --test (pip install openapi-spec-validator)")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        struct Report: Decodable { let openapi: String; let operations: [String] }
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("RESULT ") }, "\(result.stdout)\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(line.dropFirst(7).utf8))
        #expect(report.openapi.hasPrefix("3."))
        #expect(Set(report.operations) == served)
    }

    @Test("the same idempotency key twice through the API: one notice, one job, printed once on the window's printer")
    func idempotentPrinting() async throws {
        let profiles = try PrinterProfiles.load(directory: Self.root.appendingPathComponent("drivers/printers").path)
        let printer = ESCPOSPrinterSimulator(profile: try #require(profiles["xprinter-xp80"]))
        let port = try await printer.start()
        var hall = try await Self.hall()
        hall.config.devices[0] = try HallConfiguration.Device(id: "p1", kind: .printer, role: "window-1-printer", profile: "xprinter-xp80",
                                                          address: "tcp://127.0.0.1:\(port)", serialNumber: nil, windows: [1])
        let (events, printed) = AsyncStream<SpoolerEvent>.makeStream()
        let spooler = PrintSpooler(printers: try PrintSpooler.printers(of: hall.config).filter { $0.device.role == "window-1-printer" },
                                   config: hall.config, store: hall.store, clock: SystemClock(), logger: Logger(label: "test"),
                                   observer: { printed.yield($0) })
        let running = Task { await spooler.run() }
        defer { running.cancel() }
        let clerk = try await hall.token(.clerk(window: 1)).token
        let live = GatewayEvents()
        let heard = live.subscribe()
        let api = HallAPI(config: hall.config, store: hall.store, clock: hall.clock, doorbell: spooler.doorbell, events: live)
        let app = hall.app { api.register(on: $0) }
        let numbers = try await app.test(.live) { client in
            var numbers: [String] = []
            for expected in [HTTPResponse.Status.created, .ok] {
                try await client.execute(uri: "/api/v1/notices", method: .post,
                                         headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "window1-0001"],
                                         body: ByteBuffer(string: Self.noticeBody)) { response in
                    #expect(response.status == expected, "\(String(buffer: response.body))")
                    let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    numbers.append(((answer?["notice"] as? [String: Any])?["number"] as? String) ?? "")
                }
            }
            return numbers
        }
        #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0].hasSuffix("第000001号"))
        var iterator = events.makeAsyncIterator()
        while let event = await iterator.next() { if case .printed = event { break } }
        try await printer.waitUntil("both copies") { $0.pages.count >= 2 }
        #expect(try await hall.store.printJobs().count == 1)
        #expect(printer.pages.count == 2, "two copies of one notice, printed once")
        #expect(try await hall.store.notices(year: 2026).count == 1)
        // The ops page heard of the queued job once (the replayed request queued nothing).
        live.close()
        var jobEvents: [String] = []
        for await event in heard where event.name == "job" { jobEvents.append(event.json) }
        let job = try #require(try await hall.store.printJobs().first)
        #expect(jobEvents == [GatewayEvent(name: "job", fields: ["id": String(job.id), "state": "queued", "printer": "window-1-printer"]).json])
        await printer.stop()
    }

    @Test("GET /notices/{number}/pdf: the notice on A4 as a PDF attachment, its number and Chinese text readable by pdftotext; a kiosk may not")
    func noticePDF() async throws {
        let hall = try await Self.hall()
        let clerk = try await hall.token(.clerk(window: 1)).token
        let kiosk = try await hall.token(.kiosk).token
        let otherWindow = try await hall.token(.clerk(window: 2)).token
        let app = hall.app { Self.api(hall).register(on: $0) }
        let (number, pdf) = try await app.test(.live) { client in
            var number = ""
            try await client.execute(uri: "/api/v1/notices", method: .post,
                                     headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "pdf-1"],
                                     body: ByteBuffer(string: Self.noticeBody)) { response in
                #expect(response.status == .created)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                number = ((answer?["notice"] as? [String: Any])?["number"] as? String) ?? ""
            }
            let path = "/api/v1/notices/" + (number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "/pdf"
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(kiosk)"]) { response in
                #expect(response.status == .forbidden)
            }
            // A print-ready copy, like a reprint: not for another window's clerk.
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(otherWindow)"]) { response in
                #expect(response.status == .forbidden)
            }
            var pdf: [UInt8] = []
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/pdf")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"notice-2026-1.pdf\"; filename*=UTF-8''") == true)
                pdf = Array(buffer: response.body)
            }
            return (number, pdf)
        }
        #expect(number.hasSuffix("第000001号"))
        #expect(pdf.starts(with: Array("%PDF-1.7".utf8)))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("api-notice-\(ProcessInfo.processInfo.processIdentifier).pdf")
        try Data(pdf).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let text = try await ChildProcess.run("/usr/bin/pdftotext", ["-enc", "UTF-8", file.path, "-"])
        #expect(text.status == 0, "pdftotext (poppler-utils, scripts/setup --test): \(text.stderr)")
        #expect(text.stdout.contains("编号:\(number)") && text.stdout.contains("张喆") && text.stdout.contains("第二联(窗口留存)"))
        #expect(try await hall.store.auditEntries().contains { $0.action == "notice.pdf" && $0.subject == number })

        // A void notice has no printable copy.
        _ = try await NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock).void(number: number, reason: "填错", by: "D001")
        try await app.test(.live) { client in
            let path = "/api/v1/notices/" + (number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "/pdf"
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(clerk)"]) { response in
                #expect(response.status == .conflict, "\(String(buffer: response.body))")
            }
        }
    }

    @Test("malformed JSON, a huge body, wrong types, a missing key: a clear 4xx and nothing stored")
    func badBodiesStoreNothing() async throws {
        let hall = try await Self.hall()
        let clerk = try await hall.token(.clerk(window: 1)).token
        let app = hall.app { Self.api(hall).register(on: $0) }
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("{\"kind\":\"acceptance\",", .badRequest, "JSON"),
            ("{\"kind\":\"acceptance\",\"applicant\":\"张喆\",\"item\":\"x\",\"window\":\"one\",\"clerk\":\"D001\"}", .unprocessableContent, "window"),
            ("{\"kind\":\"acceptance\",\"item\":\"x\",\"window\":1,\"clerk\":\"D001\"}", .unprocessableContent, "applicant"),
            ("{\"kind\":\"visa\",\"applicant\":\"张喆\",\"item\":\"x\",\"window\":1,\"clerk\":\"D001\"}", .unprocessableContent, "kind"),
            ("{\"kind\":\"acceptance\",\"applicant\":\"张喆\",\"item\":\"x\",\"window\":1,\"clerk\":\"NOBODY\"}", .unprocessableContent, "NOBODY"),
            ("{\"applicant\":\"" + String(repeating: "长", count: 100_000) + "\"}", .contentTooLarge, "65536"),
            // A date that is no date: refused as the preview refuses it (the same draft), before a number is taken.
            ("{\"kind\":\"acceptance\",\"applicant\":\"张喆\",\"item\":\"x\",\"window\":1,\"clerk\":\"D001\",\"receivedOn\":\"2026-02-30\"}",
             .unprocessableContent, "receivedOn"),
        ]
        try await app.test(.live) { client in
            for (index, (body, status, mention)) in cases.enumerated() {
                try await client.execute(uri: "/api/v1/notices", method: .post,
                                         headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "bad-\(index)"],
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status, "case \(index): \(String(buffer: response.body))")
                    #expect(String(buffer: response.body).contains(mention), "case \(index) names the problem: \(String(buffer: response.body))")
                }
            }
            // Text instead of JSON; and no idempotency key.
            try await client.execute(uri: "/api/v1/notices", method: .post, headers: [.authorization: "Bearer \(clerk)", .contentType: "text/plain"],
                                     body: ByteBuffer(string: Self.noticeBody)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/v1/notices", method: .post, headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json"],
                                     body: ByteBuffer(string: Self.noticeBody)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("Idempotency-Key"))
            }
        }
        #expect(try await hall.store.notices(year: 2026).isEmpty, "no notice was issued, no number used")
        #expect(try await hall.store.printJobs().isEmpty)
        #expect(try await hall.store.peekNoticeNumber(year: 2026, format: hall.config.noticeNumberFormat).hasSuffix("第000001号"))
    }

    @Test("a clerk prints only for its window; a duty chief reviews sign-ins in bulk; the kiosk's refusals carry the Chinese message")
    func rolesInPractice() async throws {
        let hall = try await Self.hall()
        let clerk2 = try await hall.token(.clerk(window: 2)).token
        let kiosk = try await hall.token(.kiosk).token
        let chief = try await hall.token(.dutyChief).token
        let desk = SignInDesk(config: hall.config, store: hall.store, clock: hall.clock)
        try await desk.setPIN("4821", staffID: "D001", actor: "test", iterations: 1_000)
        var mode = HallAttendanceMode(windowsServed: ["entrance-terminal": [1, 2, 3]], scope: .hall)
        try await hall.store.record(modeTransition: try mode.apply(.terminalDown(role: "entrance-terminal", at: hall.clock.now(), detail: "test")), actor: "test")
        let app = hall.app { Self.api(hall).register(on: $0) }
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/v1/notices", method: .post,
                                     headers: [.authorization: "Bearer \(clerk2)", .contentType: "application/json", .idempotencyKey: "w1-from-w2"],
                                     body: ByteBuffer(string: Self.noticeBody)) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("window 1") || String(buffer: response.body).contains("窗口"))
            }
            try await client.execute(uri: "/api/v1/signin", method: .post, headers: [.authorization: "Bearer \(kiosk)", .contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"staffId":"D001","pin":"0000"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let refusal = try problem(response)
                #expect(refusal.chinese == "密码错误,还可尝试 4 次")
            }
            try await client.execute(uri: "/api/v1/signin", method: .post, headers: [.authorization: "Bearer \(kiosk)", .contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"staffId":"D001","pin":"4821"}"#)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/v1/signin/review", method: .post, headers: [.authorization: "Bearer \(chief)", .contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"action":"confirm","by":"D007","all":true}"#)) { response in
                #expect(response.status == .ok)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((answer?["done"] as? [Int])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/mode", method: .get, headers: [.authorization: "Bearer \(kiosk)"]) { response in
                #expect(String(buffer: response.body).contains("\"signInMode\":true"))
            }
        }
        #expect(try await hall.store.pendingSignIns().isEmpty)
    }
}
