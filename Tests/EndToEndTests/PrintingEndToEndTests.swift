// The real binaries: a simulated printer, the gateway serving a configuration with it, a notice issued and printed.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct PrintingEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A hall of one window (市场准入, D001 at it) and its printer at `printerAddress`, staff imported; the config file.
    static func hall(in directory: URL, printerAddress: String, http: Bool) async throws -> URL {
        let config = directory.appendingPathComponent("hall.toml")
        try ((http ? "[http]\nport = 0\n\n" : "") + """
            [store]
            data_dir = "data"

            [printing]
            profiles_dir = "\(root.appendingPathComponent("drivers/printers").path)"

            [[window]]
            number = 1
            name = "市场准入窗口"
            department = "县市场监督管理局"

            [[device]]
            id = "p1"
            kind = "printer"
            role = "window-1-printer"
            profile = "xprinter-xp80"
            address = "\(printerAddress)"
            windows = [1]
            """).write(to: config, atomically: true, encoding: .utf8)
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\nD001,王建国,1,县市场监督管理局,clerk,1,A\n".write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path, "--config", config.path]).status == 0)
        return config
    }

    @Test func aNoticeIssuedAtTheCLIComesOutOfThePrinterOnce() async throws {
        let directory = try temporaryDirectory("print")
        let printer = try RunningBinary.start(["simulate", "printer", "--port", "0", "--profiles-dir", Self.root.appendingPathComponent("drivers/printers").path])
        try await printer.wait(for: "the printer's listening line") { printer.stdout.contains("listening on tcp://") }
        let port = try #require(printer.stdout.firstMatch(of: /tcp:\/\/127\.0\.0\.1:(\d+)/).map { String($0.1) })

        let config = try await Self.hall(in: directory, printerAddress: "tcp://127.0.0.1:\(port)", http: true)

        let status = try await RunningBinary.run(["printer", "status", "--role", "window-1-printer", "--config", config.path])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("online, paper loaded"))

        let gateway = try RunningBinary.start(["serve", "--config", config.path])
        try await gateway.wait(for: "the gateway to listen") { gateway.stdout.contains("listening on http://") }

        let issued = try await RunningBinary.run(["print", "notice", "--kind", "supplementary-materials", "--applicant", "赵赟", "--item", "食品经营许可",
                                                  "--window", "1", "--clerk", "D001", "--material", "营业执照副本", "--missing", "法定代表人身份证明",
                                                  "--missing", "经营场所使用证明", "--idempotency-key", "e2e-1", "--config", config.path])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(issued.stdout.contains("太谷政务〔2026〕第000001号") || issued.stdout.contains("第000001号"))
        // The gateway did not queue it: the CLI wrote the store and exited. The running gateway's watch of the store
        // (SQLite's data version) starts it at once, not at its next look at the queue (asserted loosely here, 1 s
        // being that look's period; the strict check is PrintSpoolerTests, the figure is in scripts/bench-printing).
        let queuedAt = ContinuousClock.now
        try await printer.wait(for: "both copies on the simulated printer", timeout: .seconds(60)) {
            printer.stdout.contains("第二联(窗口留存)") && printer.stdout.components(separatedBy: "[PARTIAL CUT]").count >= 3
        }
        let took = ContinuousClock.now - queuedAt
        #expect(took < .seconds(2), "a notice queued at the command line took \(took) to reach the printer")
        // The same request again (a client retry) does not print a second time.
        let again = try await RunningBinary.run(["print", "notice", "--kind", "supplementary-materials", "--applicant", "赵赟", "--item", "食品经营许可",
                                                 "--window", "1", "--clerk", "D001", "--material", "营业执照副本", "--missing", "法定代表人身份证明",
                                                 "--missing", "经营场所使用证明", "--idempotency-key", "e2e-1", "--config", config.path])
        #expect(again.stdout.contains("print job 1 "))

        #expect(printer.stdout.contains("1. 法定代表人身份证明"))
        #expect(printer.stdout.contains("办件时限从材料补齐之日算起"))
        // The paper is out before the store says done: the spooler logs `printed` once it has marked the job.
        try await gateway.wait(for: "the gateway to log the job printed") { gateway.stderr.contains("\"msg\":\"printed\"") }
        let jobs = try await RunningBinary.run(["jobs", "list", "--config", config.path])
        #expect(jobs.stdout.contains("1\tdone\twindow-1-printer"))
        #expect(!jobs.stdout.contains("\n2\t"))

        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0)
        kill(printer.processIdentifier, SIGTERM)
        _ = try await printer.exitStatus()
    }

    /// The item catalogue on the command line: a bad list refused with its line and nothing imported, the hall's list
    /// imported, a supplementary notice and then the acceptance that follows it filled from it, the wait listed.
    @Test func theItemCatalogueOnTheCommandLine() async throws {
        let directory = try temporaryDirectory("catalogue")
        let config = try await Self.hall(in: directory, printerAddress: "tcp://127.0.0.1:9", http: false)

        let bad = directory.appendingPathComponent("bad.csv")
        try "窗口,事项名称,承诺时限,申请材料\n1,食品经营许可(新办),-5,营业执照副本复印件\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await RunningBinary.run(["catalogue", "import", bad.path, "--config", config.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("line 2, column 承诺时限"), "\(refused.stderr)")
        #expect(try await RunningBinary.run(["catalogue", "list", "--config", config.path]).stderr.contains("no item catalogue is imported"))

        let list = directory.appendingPathComponent("事项目录.csv")
        try "窗口,事项名称,承诺时限,申请材料\n1,食品经营许可(新办),5,营业执照副本复印件；法定代表人身份证明\n".write(to: list, atomically: true, encoding: .utf8)
        let imported = try await RunningBinary.run(["catalogue", "import", list.path, "--by", "D001", "--config", config.path])
        #expect(imported.status == 0 && imported.stdout.contains("imported 1 items"), "\(imported.stderr)")
        let listed = try await RunningBinary.run(["catalogue", "list", "--window", "1", "--config", config.path])
        #expect(listed.stdout.contains("1\t食品经营许可(新办)\t5\t营业执照副本复印件；法定代表人身份证明"))

        let supplementary = try await RunningBinary.run(["print", "notice", "--kind", "supplementary-materials", "--applicant", "赵赟", "--item", "食品经营许可(新办)",
                                                         "--window", "1", "--clerk", "D001", "--material", "营业执照副本复印件", "--from-catalogue",
                                                         "--received", "2026-11-26", "--config", config.path])
        #expect(supplementary.status == 0, "\(supplementary.stderr)")
        let number = try #require(supplementary.stdout.firstMatch(of: /(\S+第\d+号)/).map { String($0.1) })
        let accepted = try await RunningBinary.run(["print", "notice", "--kind", "acceptance", "--applicant", "赵赟", "--item", "食品经营许可(新办)",
                                                    "--window", "1", "--clerk", "D001", "--from-catalogue", "--follows", number,
                                                    "--received", "2026-11-30", "--config", config.path])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.contains("承诺办结日期:2026年12月7日"), "\(accepted.stdout)")
        let twice = try await RunningBinary.run(["print", "notice", "--kind", "acceptance", "--applicant", "赵赟", "--item", "食品经营许可(新办)",
                                                 "--window", "1", "--clerk", "D001", "--from-catalogue", "--follows", number,
                                                 "--received", "2026-11-30", "--config", config.path])
        #expect(twice.status != 0 && twice.stderr.contains("was already followed"), "\(twice.stderr)")
        let waits = try await RunningBinary.run(["catalogue", "waits", "--from", "2026-11-01", "--to", "2026-11-30", "--config", config.path])
        #expect(waits.stdout.contains("\t2026-11-26\t") && waits.stdout.contains("\t4\t2"), "\(waits.stdout)")
        #expect(waits.stdout.contains("1 supplementary notices, 0 still open, average 2.0 working days"), "\(waits.stdout)")
    }
}
