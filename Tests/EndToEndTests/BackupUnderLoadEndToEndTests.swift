// Backups taken while the real gateway works under load, restored on fresh data folders
// (Tests/Reliability/backup_under_load.py): everything acknowledged before a backup started is in it exactly once,
// and a restore while the gateway runs is refused.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("Backups under load, restored on fresh data folders", .serialized, .timeLimit(.minutes(5)))
struct BackupUnderLoadEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Report: Decodable {
        let backups: Int
        let restored: Int
        let lost: Int
        let refusedWhileRunning: Bool?
        let problems: [String]
        let passed: Bool
    }

    @Test("three backups under push uploads, pulls, sign-ins and notices each restore with all they must hold")
    func backupsUnderLoadRestoreWhole() async throws {
        let script = Self.root.appendingPathComponent("Tests/Reliability/backup_under_load.py").path
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", script, "--bin", Binary.path, "--json", "--backups", "3", "--signins", "1"],
                                                environment: RunningBinary.isolated, timeout: .seconds(240))
        let output = result.stdout + result.stderr
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try #require(try? JSONDecoder().decode(Report.self, from: Data(last.utf8)), "no report:\n\(output)")
        #expect(result.status == 0, "\(output)")
        #expect(report.passed && report.backups == 3 && report.restored == 3 && report.lost == 0 && report.problems.isEmpty, "\(output)")
        #expect(report.refusedWhileRunning == true, "\(output)")
    }
}
