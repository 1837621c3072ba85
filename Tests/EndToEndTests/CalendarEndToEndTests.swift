// The real binary: a year of holiday data imported in one command (holiday-cn JSON), refused twice without --replace,
// listed with where it came from; a notice whose promised date is in a year with no data is printed, marked 暂定.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct CalendarEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("calendar import, list and a provisional notice through the CLI")
    func importListAndProvisionalNotice() async throws {
        let directory = try temporaryDirectory("calendar")
        let config = directory.appendingPathComponent("hall.toml")
        try "[store]\ndata_dir = \"data\"\n".write(to: config, atomically: true, encoding: .utf8)
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\nD001,王建国,1,县市场监督管理局,clerk,1,A\n"
            .write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path, "--config", config.path]).status == 0)

        let before = try await RunningBinary.run(["calendar", "list", "--config", config.path])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("2026\t国务院办公厅关于2026年部分节假日安排的通知\tshipped with CounterGate"), "\(before.stdout)")
        #expect(!before.stdout.contains("2027\t"))

        // 2030 is loaded nowhere: the notice is printed all the same, its date counted on weekends alone.
        // Mon 2030-03-04 + 5: Tue 5, Wed 6, Thu 7, Fri 8, Mon 11.
        let issued = try await RunningBinary.run(["print", "notice", "--kind", "acceptance", "--applicant", "赵赟", "--item", "食品经营许可",
                                                  "--window", "1", "--clerk", "D001", "--material", "营业执照副本", "--days", "5",
                                                  "--received", "2030-03-04", "--role", "window-1-printer", "--config", config.path])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(issued.stdout.contains("承诺办结日期:2030年3月11日(暂定"), "\(issued.stdout)")

        let fixture = Self.root.appendingPathComponent("Tests/Fixtures/calendar/holiday-cn-2027-test-fixture.json").path
        let imported = try await RunningBinary.run(["calendar", "import", fixture, "--config", config.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let installed = directory.appendingPathComponent("data/calendar/cn-2027.toml").path
        for line in ["imported 2027 from \(fixture) (holiday-cn JSON): 国务院办公厅关于2027年部分节假日安排的通知",
                     "holidays (放假): 7 periods, 31 days off", "春节: 2027-02-05 – 2027-02-13 (9 days)",
                     "make-up working days (调休上班): 6", "2027-01-31 周日, for 春节",
                     "installed as \(installed)", "restart a running gateway"] {
            #expect(imported.stdout.contains(line), "\(line) in \(imported.stdout)")
        }
        #expect(FileManager.default.fileExists(atPath: installed))

        let again = try await RunningBinary.run(["calendar", "import", fixture, "--config", config.path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already loaded from \(installed) (imported)") && again.stderr.contains("--replace"), "\(again.stderr)")
        let replaced = try await RunningBinary.run(["calendar", "import", fixture, "--replace", "--config", config.path])
        #expect(replaced.status == 0 && replaced.stdout.contains("replaces 2027 as loaded from \(installed) (imported)"), "\(replaced.stdout)\(replaced.stderr)")

        let after = try await RunningBinary.run(["calendar", "list", "--config", config.path])
        #expect(after.stdout.contains("2027\t国务院办公厅关于2027年部分节假日安排的通知\t\(installed) (imported)"), "\(after.stdout)")
        #expect(after.stdout.contains("notices with a provisional promised date (暂定):"))
        #expect(after.stdout.contains("promised 2030-03-11 (暂定)\tstill waiting for 2030"), "\(after.stdout)")
        let check = try await RunningBinary.run(["config", "check", "--config", config.path])
        #expect(check.status == 0 && check.stdout.contains("calendar years: 2025, 2026, 2027"), "\(check.stdout)\(check.stderr)")

        // Not JSON holiday data: refused, naming the file, nothing written.
        let bad = directory.appendingPathComponent("2028.json")
        try #"{"year": 2028, "papers": [], "days": ["#.write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await RunningBinary.run(["calendar", "import", bad.path, "--config", config.path])
        #expect(refused.status == 1 && refused.stderr.contains("\(bad.path) is not usable holiday data") && refused.stderr.contains("not valid JSON"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/calendar/cn-2028.toml").path))
    }
}
