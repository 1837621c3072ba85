// The crash suite's short form (Tests/Reliability/crash_suite.py; the long form is scripts/crash): the real gateway,
// under push uploads, pulls, sign-ins and notices, killed with SIGKILL a few times; nothing acknowledged may be lost
// or doubled. And the suite can fail: with the test-only fault that answers push uploads without committing them,
// it reports the punches lost.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("The crash suite, short form", .serialized, .timeLimit(.minutes(5)))
struct CrashSuiteEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Report: Decodable {
        struct Row: Decodable { let acknowledged: Int, found: Int, lost: Int, duplicated: Int }
        let cycles: Int
        let rows: [String: Row]
        let lost: Int
        let duplicated: Int
        let integrityChecks: Int
        let problems: [String]
        let passed: Bool
    }

    func run(_ extra: [String]) async throws -> (status: Int32, report: Report, output: String) {
        let script = Self.root.appendingPathComponent("Tests/Reliability/crash_suite.py").path
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", script, "--bin", Binary.path, "--json"] + extra,
                                                environment: RunningBinary.isolated, timeout: .seconds(240))
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let output = result.stdout + result.stderr
        let report = try #require(try? JSONDecoder().decode(Report.self, from: Data(last.utf8)), "no report from the crash suite:\n\(output)")
        return (result.status, report, output)
    }

    @Test("killed six times under load: every acknowledged punch, sign-in and notice there once, numbers unbroken")
    func killedUnderLoadLosesNothing() async throws {
        let (status, report, output) = try await run(["--cycles", "6", "--signins", "3"])
        #expect(status == 0, "\(output)")
        #expect(report.passed && report.lost == 0 && report.duplicated == 0 && report.problems.isEmpty, "\(output)")
        #expect(report.integrityChecks == 7, "\(output)")
        // The load really ran: something was acknowledged of each kind the gateway answers quickly.
        #expect((report.rows["push punches"]?.acknowledged ?? 0) > 0, "\(output)")
        #expect((report.rows["notices"]?.acknowledged ?? 0) > 0, "\(output)")
        #expect((report.rows["pull punches (the terminal's log)"]?.found ?? 0) > 0, "\(output)")
    }

    @Test("a seeded fault that skips the push commit makes the suite fail with the punches lost")
    func theSuiteCanFail() async throws {
        let (status, report, output) = try await run(["--cycles", "2", "--signins", "1", "--seed-fault", "skip-push-commit"])
        #expect(status == 1, "\(output)")
        #expect(!report.passed, "\(output)")
        let push = try #require(report.rows["push punches"], "\(output)")
        #expect(push.acknowledged > 0 && push.lost == push.acknowledged && report.lost >= push.lost, "\(output)")
        #expect(report.problems.contains { $0.hasPrefix("push punches lost") }, "\(output)")
    }
}
