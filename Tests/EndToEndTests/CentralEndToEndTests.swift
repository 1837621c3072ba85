// The county's centre, short form of Tests/Reliability/central_suite.py (its long form: scripts/central-suite): three
// halls' real gateways forward to a real centre on a throwaway PostgreSQL through a proxy that cuts batches; the centre
// and a hall are killed and restarted; every punch arrives once, in order; bad batches are refused; the centre waits for
// a PostgreSQL that is down, a newer schema refused, a changed hall id forwards nothing. And the suite can
// fail: with the test-only fault that answers batches without writing them, it reports the punches lost.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("The county's centre under faults", .serialized, .timeLimit(.minutes(6)))
struct CentralEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Report: Decodable {
        struct Hall: Decodable { let written: Int, atCentre: Int, lost: Int, doubled: Int, inOrder: Bool, watermarkPastLast: Bool, outboxLeft: Int }
        let halls: [String: Hall]
        let faults: [String]
        let refused: [String: Int]
        let startChecks: [String]?
        let problems: [String]
        let passed: Bool
    }

    func run(_ extra: [String]) async throws -> (status: Int32, report: Report, output: String) {
        let script = Self.root.appendingPathComponent("Tests/Reliability/central_suite.py").path
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", script, "--bin", Binary.path, "--json"] + extra,
                                                environment: RunningBinary.isolated, timeout: .seconds(330))
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let output = result.stdout + result.stderr
        let report = try #require(try? JSONDecoder().decode(Report.self, from: Data(last.utf8)), "no report from the central suite:\n\(output)")
        return (result.status, report, output)
    }

    @Test("three halls, cut batches, the centre killed twice, a hall killed: every punch at the centre once, in order")
    func everyRecordArrivesOnce() async throws {
        let (status, report, output) = try await run(["--records", "1000"])
        #expect(status == 0 && report.passed && report.problems.isEmpty, "\(output)")
        #expect(report.halls.count == 3, "\(output)")
        for (name, hall) in report.halls {
            #expect(hall.written >= 1000 && hall.atCentre == hall.written && hall.lost == 0 && hall.doubled == 0, "\(name): \(output)")
            #expect(hall.inOrder && hall.watermarkPastLast && hall.outboxLeft == 0, "\(name): \(output)")
        }
        #expect(report.faults.count == 4, "\(output)")
        #expect(report.refused["another hall's token"] == 403 && report.refused["unregistered hall (unknown token)"] == 401
                && report.refused["malformed body"] == 400 && report.refused["a gap after the committed records"] == 409
                && report.refused["a body that is JSON but not an object"] == 400, "\(output)")
        // At start: PostgreSQL down (the centre waits, then serves); a changed hall_id (the hall runs, forwards nothing,
        // says why); a newer schema refused.
        #expect(report.startChecks?.count == 3, "\(output)")
    }

    @Test("a centre that answers without writing makes the suite fail with the punches lost")
    func theSuiteCanFail() async throws {
        let (status, report, output) = try await run(["--records", "300", "--halls", "2", "--seed-fault", "centre-skip-insert"])
        #expect(status == 1 && !report.passed, "\(output)")
        #expect(report.halls.values.contains { $0.lost > 0 }, "\(output)")
        #expect(report.problems.contains { $0.contains("lost") }, "\(output)")
    }
}
