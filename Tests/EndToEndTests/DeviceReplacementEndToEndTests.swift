// The real binaries: discovery through libusb under umockdev, and a printer replaced from the CLI while the gateway
// (another process) runs: the waiting notice comes out of the new printer, once.
import CounterGateTestSupport
import Foundation
import Testing

@Suite("Replacement end to end: devices scan, devices replace against a running gateway", .serialized, .timeLimit(.minutes(3)))
struct DeviceReplacementEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func hallConfig(in directory: URL, printerPort: String) throws -> URL {
        let config = directory.appendingPathComponent("hall.toml")
        try """
            [http]
            port = 0

            [store]
            data_dir = "data"

            [printing]
            profiles_dir = "\(root.appendingPathComponent("drivers/printers").path)"
            retry_after_seconds = 30
            failover_after_seconds = 3600

            [badges]
            profiles_dir = "\(root.appendingPathComponent("drivers/readers").path)"

            [[window]]
            number = 1
            name = "市场准入窗口"
            department = "县市场监督管理局"

            [[device]]
            id = "p1"
            kind = "printer"
            role = "window-1-printer"
            profile = "xprinter-xp80"
            address = "tcp://127.0.0.1:\(printerPort)"
            windows = [1]
            """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test("devices scan finds the two printers of the fake USB bus by profile and serial number, through libusb")
    func scanUnderUmockdev() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        let umockdev = try #require(path.map { $0 + "/umockdev-run" }.first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "umockdev is missing: run scripts/setup --test (apt-get install umockdev)")
        let directory = try temporaryDirectory("scan")
        let config = try Self.hallConfig(in: directory, printerPort: "9100")
        let result = try await ChildProcess.run(umockdev, ["-d", Self.root.appendingPathComponent("Tests/Fixtures/usb/receipt-printers.umockdev").path,
                                                           "--", Binary.path, "devices", "scan", "--json", "--config", config.path],
                                                environment: RunningBinary.isolated)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let devices = try #require(json["devices"] as? [[String: Any]])
        #expect(devices.map { $0["identityKey"] as? String } == ["xprinter-xp80#serial=A1B2", "xprinter-xp80#serial=C3D4"])
        #expect(devices.map { $0["address"] as? String } == ["usb:0416:5011?serial=A1B2", "usb:0416:5011?serial=C3D4"])
        #expect(devices.map { $0["portPath"] as? String } == ["1-1.2", "1-1.3"])
        #expect(devices.allSatisfy { $0["kind"] as? String == "printer" })
        // The fake bus's HID reader (08ff:0009) is in no reader profile: not a device of the hall.
        #expect(!result.stdout.contains("08ff"))
    }

    @Test("a printer role's printer stops; ops bind a new printer with the CLI; the running gateway prints the waiting notice on it once")
    func replacePrinterWhileTheGatewayRuns() async throws {
        let directory = try temporaryDirectory("replace")
        let profiles = Self.root.appendingPathComponent("drivers/printers").path
        let old = try RunningBinary.start(["simulate", "printer", "--port", "0", "--profiles-dir", profiles])
        try await old.wait(for: "the old printer's listening line") { old.stdout.contains("listening on tcp://") }
        let oldPort = try #require(old.stdout.firstMatch(of: /tcp:\/\/127\.0\.0\.1:(\d+)/).map { String($0.1) })
        let config = try Self.hallConfig(in: directory, printerPort: oldPort)
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles,terminal_user_id,post\nD001,王建国,1,县市场监督管理局,clerk,1,A\n".write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path, "--config", config.path]).status == 0)

        let gateway = try RunningBinary.start(["serve", "--config", config.path])
        try await gateway.wait(for: "the gateway to listen") { gateway.stdout.contains("listening on http://") }
        // The printer fails.
        kill(old.processIdentifier, SIGTERM)
        _ = try await old.exitStatus()

        let issued = try await RunningBinary.run(["print", "notice", "--kind", "acceptance", "--applicant", "赵赟", "--item", "食品经营许可",
                                                  "--window", "1", "--clerk", "D001", "--material", "营业执照副本", "--days", "5",
                                                  "--idempotency-key", "e2e-replace-1", "--config", config.path])
        #expect(issued.status == 0, "\(issued.stderr)")
        try await gateway.wait(for: "the job to wait for the dead printer") { gateway.stderr.contains("print job waiting") }

        let new = try RunningBinary.start(["simulate", "printer", "--port", "0", "--profiles-dir", profiles])
        try await new.wait(for: "the new printer's listening line") { new.stdout.contains("listening on tcp://") }
        let newPort = try #require(new.stdout.firstMatch(of: /tcp:\/\/127\.0\.0\.1:(\d+)/).map { String($0.1) })
        let replaced = try await RunningBinary.run(["devices", "replace", "window-1-printer", "--with", "tcp://127.0.0.1:\(newPort)",
                                                    "--actor", "wang", "--config", config.path])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.contains("window-1-printer is now bound to xprinter-xp80-127.0.0.1-\(newPort)"))
        #expect(replaced.stdout.contains("it was p1 (xprinter-xp80 at tcp://127.0.0.1:\(oldPort))"))
        #expect(replaced.stdout.contains("1 print job(s) of window-1-printer print on the new printer"))

        try await new.wait(for: "both copies on the new printer", timeout: .seconds(60)) {
            new.stdout.contains("第二联(窗口留存)") && new.stdout.components(separatedBy: "[PARTIAL CUT]").count >= 3
        }
        try await gateway.wait(for: "the gateway to log the rebinding") { gateway.stderr.contains("role rebound") }
        // The paper is out before the store says done: the spooler logs `printed` once it has marked the job.
        try await gateway.wait(for: "the gateway to log the job printed") { gateway.stderr.contains("\"msg\":\"printed\"") }
        let jobs = try await RunningBinary.run(["jobs", "list", "--config", config.path])
        #expect(jobs.stdout.contains("1\tdone\twindow-1-printer"), "\(jobs.stdout)")
        let audit = try await RunningBinary.run(["audit", "verify", "--config", config.path])
        #expect(audit.status == 0, "\(audit.stdout)")

        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0)
        kill(new.processIdentifier, SIGTERM)
        _ = try await new.exitStatus()
        // Once: one notice, two copies (two cuts), nothing printed again while the gateway ran on.
        #expect(new.stdout.components(separatedBy: "第二联(窗口留存)").count == 2)
        #expect(new.stdout.components(separatedBy: "[PARTIAL CUT]").count == 3)

        // The gateway restarted with the old configuration keeps the ops binding, and says so.
        let again = try RunningBinary.start(["serve", "--config", config.path])
        try await again.wait(for: "the gateway to listen again") { again.stdout.contains("listening on http://") }
        #expect(again.stderr.contains("role bound by ops to another device than the configuration names"))
        kill(again.processIdentifier, SIGTERM)
        #expect(try await again.exitStatus() == 0)
    }
}
