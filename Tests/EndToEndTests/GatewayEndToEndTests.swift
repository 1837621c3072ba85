// The real binary: the demo starts, answers /healthz, tells systemd, and stops cleanly on SIGTERM;
// the ops commands report problems the way a person needs them.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import CounterGateTestSupport
import GRDB
import Testing

@Suite(.serialized) struct GatewayEndToEndTests {
    @Test func demoServesHealthzAndStopsCleanlyOnSIGTERM() async throws {
        let directory = try temporaryDirectory("demo")
        let notify = try NotifySocket(in: directory)
        let gateway = try RunningBinary.start(["demo", "--port", "0"],
                                        environment: ["NOTIFY_SOCKET": notify.path], directory: directory)
        try await gateway.wait(for: "the listening line") { gateway.stdout.contains("http://127.0.0.1:") }
        let port = try #require(gateway.stdout.firstMatch(of: /127\.0\.0\.1:(\d+)\//).map { String($0.1) })

        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let health = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(health?["status"] as? String == "ok")
        #expect(notify.receive()?.hasPrefix("READY=1") == true)

        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0)
        #expect(gateway.stderr.contains("gateway stopped cleanly"))
        #expect(notify.receive() == "STOPPING=1")
        // The demo staff were stored and survive the restart.
        let list = try await RunningBinary.run(["staff", "list", "--json"], directory: directory)
        #expect(list.status == 0)
        #expect(list.stdout.contains("王建国"))
    }

    @Test func serveRefusesToStartWithoutAConfiguration() async throws {
        let directory = try temporaryDirectory("serve")
        let result = try await RunningBinary.run(["serve"], directory: directory)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no configuration file found"))
        #expect(result.stderr.contains("countergate demo"))
    }

    @Test func brokenConfigurationNamesFileLineAndKey() async throws {
        let directory = try temporaryDirectory("config")
        let file = directory.appendingPathComponent("hall.toml")
        try "[hall]\nname = \"测试大厅\"\n\n[http]\nport = \"80a\"\nbnid = \"127.0.0.1\"\n".write(to: file, atomically: true, encoding: .utf8)
        let check = try await RunningBinary.run(["config", "check", "--config", file.path])
        #expect(check.status == 1)
        #expect(check.stderr.contains("\(file.path):5: key `http.port`: expected an integer from 0 to 65535, found string \"80a\""))
        #expect(check.stderr.contains("\(file.path):6: key `http.bnid`"))
        // serve refuses the same file: the gateway never starts on a half-understood configuration.
        let serve = try await RunningBinary.run(["serve", "--config", file.path])
        #expect(serve.status == 1)
        #expect(serve.stderr.contains(":5: key `http.port`"))
    }

    @Test func staffImportIsAllOrNothingAndAuditVerifies() async throws {
        let directory = try temporaryDirectory("staff")
        let config = directory.appendingPathComponent("hall.toml")
        try """
            [store]
            data_dir = "data"

            [[window]]
            number = 1
            department = "县市场监督管理局"
            """.write(to: config, atomically: true, encoding: .utf8)
        let good = directory.appendingPathComponent("good.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\n1,张三,1,县市场监督管理局,clerk,101,A\n2,李四,1,县市场监督管理局,clerk,102,B\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let bad = directory.appendingPathComponent("bad.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\n3,王五,1,县市场监督管理局,clerk,103,\n4,赵六,9,县市场监督管理局,clerk,104,\n"
            .write(to: bad, atomically: true, encoding: .utf8)

        let imported = try await RunningBinary.run(["staff", "import", good.path, "--config", config.path])
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("2 added"))
        let refused = try await RunningBinary.run(["staff", "import", bad.path, "--config", config.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("row 3, column window: window 9 is not configured"))
        let list = try await RunningBinary.run(["staff", "list", "--json", "--config", config.path])
        #expect(!list.stdout.contains("王五"))
        #expect(list.stdout.contains("李四"))

        let verified = try await RunningBinary.run(["audit", "verify", "--config", config.path])
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("intact"))
        let peek = try await RunningBinary.run(["notice", "number", "--peek", "--year", "2026", "--config", config.path])
        #expect(peek.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "太谷政务〔2026〕第000001号")

        // Someone edits the audit log behind the gateway's back: verify names the entry and fails.
        let database = try DatabaseQueue(path: directory.appendingPathComponent("data/countergate.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET detail = '0 added' WHERE id = 1")
        }
        let tampered = try await RunningBinary.run(["audit", "verify", "--config", config.path])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("BROKEN at entry 1"))
    }

    @Test func doctorReportsWhatItSees() async throws {
        let directory = try temporaryDirectory("doctor")
        let result = try await RunningBinary.run(["doctor", "--json"], directory: directory)
        #expect(result.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { ($0["area"] as? String) == "system" && (($0["finding"] as? String) ?? "").contains("libusb") })
        #expect(findings.contains { ($0["area"] as? String) == "calendar" })
    }
}
