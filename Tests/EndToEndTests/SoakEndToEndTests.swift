// The soak's short form (Tests/Reliability/soak.py; the long form, an hour, is scripts/soak): the real gateway at ten
// times the demo hall's load for under a minute, its devices behind a proxy that drops, resets, stalls and unplugs
// them; nothing acknowledged lost, the queue drained once they are back, the figures sampled. Then an idle gateway
// with a few simulated devices, measured. The growth judgement itself is checked on made-up series (--self-test):
// a steady climb fails it.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("The soak, short form", .serialized, .timeLimit(.minutes(8)))
struct SoakEndToEndTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reliability/soak.py").path

    struct Report: Decodable {
        struct Soak: Decodable {
            struct Sample: Decodable { let rssMB: Double, fds: Int, walMB: Double, notices: Int, punches: Int }
            let samples: [Sample]
            let faults: [String: Int]
            let pushAcknowledged: Int, pushLost: Int, noticesAcknowledged: Int, noticesLost: Int
            let integrity: String
            let problems: [String]
        }
        struct Idle: Decodable { let devices: Int, rssMB: Double, cpuPercent: Double, alive: Bool }
        let soak: Soak
        let idle: Idle
        let passed: Bool
    }

    @Test("the growth judgement fails a steady climb and passes a series that levels off")
    func growthJudgement() async throws {
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", Self.script, "--self-test"])
        #expect(result.status == 0 && result.stdout.contains("soak self-test passed"), "\(result.stdout)\(result.stderr)")
    }

    @Test("under a minute of faulty devices at ten times the load: nothing acknowledged lost, the queue drained, figures sampled")
    func shortSoak() async throws {
        let result = try await ChildProcess.run("/usr/bin/env", [
            "python3", Self.script, "--bin", Binary.path, "--minutes", "0.75", "--sample-seconds", "5", "--fault-every", "0.1",
            "--idle-devices", "6", "--idle-seconds", "3", "--idle-warmup", "3", "--json"], environment: RunningBinary.isolated,
            timeout: .seconds(420))
        let output = result.stdout + result.stderr
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try #require(try? JSONDecoder().decode(Report.self, from: Data(last.utf8)), "no report from the soak:\n\(output)")
        #expect(result.status == 0 && report.passed && report.soak.problems.isEmpty, "\(output)")
        #expect(report.soak.samples.count >= 5, "\(output)")
        #expect(report.soak.samples.allSatisfy { $0.rssMB > 0 && $0.fds > 0 }, "\(output)")
        #expect(report.soak.faults.values.reduce(0, +) > 0, "no fault was injected: \(output)")
        #expect(report.soak.pushAcknowledged > 0 && report.soak.pushLost == 0, "\(output)")
        #expect(report.soak.noticesAcknowledged > 0 && report.soak.noticesLost == 0, "\(output)")
        #expect(report.soak.integrity == "ok")
        #expect(report.idle.devices == 6 && report.idle.alive && report.idle.rssMB > 0, "\(output)")
    }
}
