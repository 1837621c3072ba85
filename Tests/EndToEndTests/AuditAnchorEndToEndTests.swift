// The real binary's start check of the audit log's anchor: a sound log shows `countergate_audit_anchor_sound 1`; a log
// whose last entries were deleted behind the gateway's back still starts (the hall keeps working), logs it as critical,
// shows the gauge at 0, and `audit verify` names the cut.
import CounterGateTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing

@Suite("The audit log's anchor checked at the gateway's start", .serialized, .timeLimit(.minutes(5)))
struct AuditAnchorEndToEndTests {
    /// Starts `serve`, reads the anchor's gauge from /metrics, stops the gateway cleanly; returns the gauge's value and
    /// what the gateway wrote to stderr.
    static func startAndReadGauge(_ config: URL, in directory: URL) async throws -> (gauge: String?, stderr: String) {
        let gateway = try RunningBinary.start(["serve", "--config", config.path], directory: directory)
        try await gateway.wait(for: "the listening line") { gateway.stdout.contains("is listening on http://127.0.0.1:") || !gateway.isRunning }
        let port = try #require(gateway.stdout.firstMatch(of: /127\.0\.0\.1:(\d+)\//).map { String($0.1) }, "\(gateway.stderr)")
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(port)/metrics")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let metrics = String(decoding: body, as: UTF8.self)
        let gauge = metrics.firstMatch(of: /(?m)^countergate_audit_anchor_sound(?:\{\})? ([0-9.]+)$/).map { String($0.1) }
        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0, "\(gateway.stderr)")
        return (gauge, gateway.stderr)
    }

    @Test("a cut at the end of the log: the hall starts, says so as critical, and the gauge and audit verify show it")
    func aCutLogIsReportedAtStart() async throws {
        let directory = try temporaryDirectory("anchor")
        let config = directory.appendingPathComponent("hall.toml")
        try HallShapesEndToEndTests.head.write(to: config, atomically: true, encoding: .utf8)  // a hall with no devices
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\n1,张三,1,县市场监督管理局,clerk,101,A\n2,李四,1,县市场监督管理局,clerk,102,B\n"
            .write(to: staff, atomically: true, encoding: .utf8)
        let imported = try await RunningBinary.run(["staff", "import", staff.path, "--config", config.path])
        #expect(imported.status == 0, "\(imported.stderr)")

        let sound = try await Self.startAndReadGauge(config, in: directory)
        #expect(sound.gauge.flatMap(Double.init) == 1, "gauge \(sound.gauge ?? "missing")")
        #expect(!sound.stderr.contains("does not end where its anchor says"), "\(sound.stderr)")

        // Someone deletes the log's last entry behind the gateway's back (the anchor, beside the store, still names it).
        let database = try DatabaseQueue(path: directory.appendingPathComponent("data/countergate.sqlite").path)
        let deleted = try await database.write { db -> String in
            try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
            let last = try Row.fetchOne(db, sql: "SELECT id, action FROM audit_log ORDER BY id DESC LIMIT 1")!
            try db.execute(sql: "DELETE FROM audit_log WHERE id = ?", arguments: [last["id"] as Int64])
            return last["action"]
        }
        try database.close()

        let cut = try await Self.startAndReadGauge(config, in: directory)
        #expect(cut.gauge.flatMap(Double.init) == 0, "gauge \(cut.gauge ?? "missing")")
        #expect(cut.stderr.contains("critical"), "\(cut.stderr)")
        #expect(cut.stderr.contains("the audit log does not end where its anchor says"), "\(cut.stderr)")
        #expect(cut.stderr.contains("countergate audit verify"), "the log line names the command that says more: \(cut.stderr)")

        let verified = try await RunningBinary.run(["audit", "verify", "--config", config.path])
        #expect(verified.status == 1, "deleted \(deleted): \(verified.stdout)")
        #expect(verified.stdout.contains("anchor BROKEN"), "\(verified.stdout)")
        #expect(verified.stdout.contains("were cut from the end of the log"), "\(verified.stdout)")
    }
}
