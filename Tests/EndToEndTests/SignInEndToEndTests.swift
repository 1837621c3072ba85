// The real binary: a terminal that cannot be reached puts the hall into sign-in mode on its own; staff sign in with
// their PIN on the command line; the duty chief lists and confirms.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct SignInEndToEndTests {
    /// Runs `countergate arguments` with `input` on standard input.
    func run(_ arguments: [String], input: String, directory: URL) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try RunningBinary.start(arguments, directory: directory, input: true)
        try child.send(input)
        child.closeInput()
        let status = try await child.exitStatus()
        return (status, child.stdout, child.stderr)
    }

    @Test(.timeLimit(.minutes(2)))
    func deadTerminalSignInByPINAndDutyChiefConfirms() async throws {
        let directory = try temporaryDirectory("signin")
        let config = directory.appendingPathComponent("hall.toml")
        // A terminal nobody answers at (a closed loopback port), and thresholds of one second.
        try """
            [store]
            data_dir = "data"

            [http]
            port = 0

            [fallback]
            enter_after_seconds = 1
            leave_after_seconds = 1

            [attendance]
            heartbeat_seconds = 1
            reply_timeout_seconds = 1

            [[window]]
            number = 1
            department = "县市场监督管理局"

            [[device]]
            id = "entrance-terminal"
            kind = "terminal"
            profile = "zk-generic"
            address = "tcp://127.0.0.1:1"
            """.write(to: config, atomically: true, encoding: .utf8)
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles\nD001,王建国,1,县市场监督管理局,clerk\nD007,赵敏,,县政务服务中心,duty-chief\nD008,孙丽,,县政务服务中心,duty-chief\n"
            .write(to: staff, atomically: true, encoding: .utf8)
        let options = ["--config", config.path]
        #expect(try await RunningBinary.run(["staff", "import", staff.path] + options).status == 0)
        let weak = try await run(["staff", "pin", "set", "D001"] + options, input: "1234\n", directory: directory)
        #expect(weak.status == 1 && weak.stderr.contains("too easy"), "\(weak.stderr)")
        #expect(try await run(["staff", "pin", "set", "D001"] + options, input: "4821\n", directory: directory).status == 0)
        #expect(try await run(["staff", "pin", "set", "D007"] + options, input: "7305\n", directory: directory).status == 0)

        // Before the gateway has seen the terminal fail, sign-in is refused: clock in by fingerprint.
        let early = try await run(["signin", "D001"] + options, input: "4821\n", directory: directory)
        #expect(early.status == 1 && early.stderr.contains("请按指纹考勤"), "\(early.stderr)")

        let gateway = try RunningBinary.start(["serve"] + options, directory: directory)
        try await gateway.wait(for: "sign-in mode") { gateway.stderr.contains("sign-in mode (签到考勤)") }
        let devices = try await RunningBinary.run(["devices", "list"] + options)
        #expect(devices.stdout.contains("考勤机\tentrance-terminal\tentrance-terminal\toffline\terror: "), "\(devices.stdout)")
        let mode = try await RunningBinary.run(["attendance", "mode"] + options)
        #expect(mode.stdout.contains("entrance-terminal\tsign-in (签到考勤) since"), "\(mode.stdout)")

        let wrong = try await run(["signin", "D001"] + options, input: "0000\n", directory: directory)
        #expect(wrong.status == 1 && wrong.stderr.contains("密码错误,还可尝试 4 次"), "\(wrong.stderr)")
        let signed = try await run(["signin", "D001"] + options, input: "4821\n", directory: directory)
        #expect(signed.status == 0 && signed.stdout.contains("签到成功"), "\(signed.stderr)")
        let pending = try await RunningBinary.run(["signin", "pending"] + options)
        #expect(pending.stdout.contains("D001\t王建国"), "\(pending.stdout)")
        let notChief = try await RunningBinary.run(["signin", "confirm", "--all", "--as", "D001"] + options)
        #expect(notChief.status == 1 && notChief.stderr.contains("not a duty chief"), "\(notChief.stderr)")
        // The duty chief signs in too; the confirmation of all leaves out the chief's own.
        #expect(try await run(["signin", "D007"] + options, input: "7305\n", directory: directory).status == 0)
        let confirmed = try await RunningBinary.run(["signin", "confirm", "--all", "--as", "D007"] + options)
        #expect(confirmed.status == 0 && confirmed.stdout.contains("1 confirmed"), "\(confirmed.stdout)\(confirmed.stderr)")
        #expect(try await RunningBinary.run(["signin", "pending"] + options).stdout.contains("D007\t赵敏"))

        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0)

        // Reconciled by hand (the terminal never came back): D001's confirmed sign-in is a record; D007's, never
        // reviewed, a conflict, which another duty chief resolves with a note.
        let day = 86_400.0, shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let formatter = DateFormatter()
        formatter.timeZone = shanghai
        formatter.dateFormat = "yyyy-MM-dd"
        let (yesterday, tomorrow) = (formatter.string(from: Date().addingTimeInterval(-day)), formatter.string(from: Date().addingTimeInterval(day)))
        let reconcile = ["attendance", "reconcile", "--role", "entrance-terminal", "--from", yesterday, "--to", tomorrow] + options
        let reconciled = try await RunningBinary.run(reconcile)
        #expect(reconciled.status == 0 && reconciled.stdout.contains("1 new record(s), 1 new conflict(s)"), "\(reconciled.stdout)\(reconciled.stderr)")
        #expect(try await RunningBinary.run(reconcile).stdout.contains("0 new record(s), 0 new conflict(s)"), "reconciling twice stores nothing twice")
        let conflicts = try await RunningBinary.run(["attendance", "conflicts"] + options)
        let conflict = try #require(conflicts.stdout.split(separator: "\n").first { $0.contains("\tunreviewed\t") }, "\(conflicts.stdout)")
        let id = String(conflict.prefix { $0 != "\t" })
        let own = try await RunningBinary.run(["attendance", "resolve", id, "--as", "D007", "--note", "本人"] + options)
        #expect(own.status == 1 && own.stderr.contains("不得处理本人记录"), "\(own.stderr)")
        let resolved = try await RunningBinary.run(["attendance", "resolve", id, "--as", "D008", "--note", "赵敏当日在岗,已核实"] + options)
        #expect(resolved.status == 0 && resolved.stdout.contains("resolved \(id) (D007: unreviewed)"), "\(resolved.stdout)\(resolved.stderr)")
        #expect(try await RunningBinary.run(["attendance", "conflicts"] + options).stdout.contains("no conflicts"))
        let unknown = try await RunningBinary.run(["attendance", "resolve", "999", "--as", "D008", "--note", "x"] + options)
        #expect(unknown.status == 1 && unknown.stderr.contains("no attendance conflict with id 999"), "\(unknown.stderr)")
        let audit = try await RunningBinary.run(["audit", "verify"] + options)
        #expect(audit.stdout.contains("intact"))
    }
}
