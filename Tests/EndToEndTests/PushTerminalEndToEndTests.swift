// The real binaries with a push terminal: `serve` with a push listener, `simulate push-terminal` (the test fake)
// calling it, and the `terminal` verbs run as a third process, whose commands reach the terminal through the store's
// queue; an unknown terminal is a candidate until `terminal approve`.
import CounterGateTestSupport
import Foundation
import GRDB
import Testing

@Suite("Push terminals end to end: serve, simulate push-terminal, the terminal verbs", .serialized, .timeLimit(.minutes(3)))
struct PushTerminalEndToEndTests {
    static func config(in directory: URL) throws -> URL {
        let config = directory.appendingPathComponent("hall.toml")
        try """
            [http]
            port = 0

            [store]
            data_dir = "data"

            [push]
            port = 0
            delay_seconds = 1
            error_delay_seconds = 1

            [attendance]
            backup_interval_hours = 0

            [[window]]
            number = 1
            name = "市场准入窗口"
            department = "县市场监督管理局"

            [[device]]
            id = "entrance-terminal"
            kind = "terminal"
            profile = "zk-push"
            address = "push:E2EPUSH00001"
            windows = [1]

            [[device]]
            id = "side-terminal"
            kind = "terminal"
            profile = "zk-push"
            address = "push:E2EPUSH00009"
            windows = [1]
            """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    static func punches(_ directory: URL, serial: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("data/countergate.sqlite").path, configuration: configuration)
        return try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM punches WHERE terminal_serial = ?", arguments: [serial]) ?? 0 }
    }

    @Test("a push terminal's verbs go through the queue to the terminal; an unknown one is approved from the CLI")
    func pushTerminalVerbs() async throws {
        let directory = try temporaryDirectory("push")
        let config = try Self.config(in: directory).path
        let gateway = try RunningBinary.start(["serve", "--config", config])
        try await gateway.wait(for: "the push listener") { gateway.stderr.contains("push terminals listening") }
        let port = try #require(gateway.stderr.firstMatch(of: /"port":"(\d+)"[^\n]*push terminals listening/).map { String($0.1) }
                                ?? gateway.stderr.firstMatch(of: /push terminals listening[^\n]*"port":"(\d+)"/).map { String($0.1) }, "\(gateway.stderr)")
        let terminal = try RunningBinary.start(["simulate", "push-terminal", "--server", "127.0.0.1:\(port)", "--serial-number", "E2EPUSH00001",
                                                "--records", "60"])

        // INFO goes to the terminal at its next poll; by then it has handshaken and uploaded its log.
        let info = try await RunningBinary.run(["terminal", "info", "--config", config, "--role", "entrance-terminal"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("serial number:  E2EPUSH00001") && info.stdout.contains("firmware:       Ver 8.0.4-20220525"), "\(info.stdout)")
        #expect(info.stdout.contains("users:          9") && info.stdout.contains("ATTLOG 60"), "\(info.stdout)")
        #expect(try Self.punches(directory, serial: "E2EPUSH00001") == 60)

        let option = try await RunningBinary.run(["terminal", "send", "--config", config, "--role", "entrance-terminal", "set-option", "Volume=5"])
        #expect(option.status == 0 && option.stdout.contains("SET OPTION Volume=5): done"), "\(option.stdout) \(option.stderr)")
        let users = try await RunningBinary.run(["terminal", "users", "--config", config, "--role", "entrance-terminal"])
        #expect(users.stdout.contains("9\t吉\u{20BB7}祥") && users.stdout.contains("9 users"), "\(users.stdout)")
        let commands = try await RunningBinary.run(["terminal", "commands", "--config", config, "--role", "entrance-terminal"])
        #expect(commands.stdout.contains("INFO\tdone") && commands.stdout.contains("SET OPTION Volume=5\tdone"), "\(commands.stdout)")
        // Its backup is written from what it uploaded (it cannot be dialled).
        let backup = try await RunningBinary.run(["devices", "backup", "entrance-terminal", "--config", config])
        #expect(backup.status == 0 && backup.stdout.contains("9 users and 9 fingerprint templates of push terminal E2EPUSH00001"), "\(backup.stdout) \(backup.stderr)")
        let time = try await RunningBinary.run(["terminal", "time", "get", "--config", config, "--role", "entrance-terminal"])
        #expect(time.status == 1 && time.stderr.contains("takes its time from the gateway"))

        // A terminal the configuration does not name: a candidate, nothing stored; approved, served.
        let stranger = try RunningBinary.start(["simulate", "push-terminal", "--server", "127.0.0.1:\(port)", "--serial-number", "E2ESTRANGER1",
                                                "--records", "10"])
        try await gateway.wait(for: "the stranger recorded") { gateway.stderr.contains("an unknown push terminal called") }
        let candidates = try await RunningBinary.run(["devices", "candidates", "--config", config])
        #expect(candidates.stdout.contains("push-terminal-E2ESTRANGER1") && candidates.stdout.contains("push:E2ESTRANGER1"), "\(candidates.stdout)")
        #expect(try Self.punches(directory, serial: "E2ESTRANGER1") == 0)
        let approve = try await RunningBinary.run(["terminal", "approve", "E2ESTRANGER1", "--role", "side-terminal", "--config", config, "--no-restore"])
        #expect(approve.status == 0 && approve.stdout.contains("serves role side-terminal"), "\(approve.stdout) \(approve.stderr)")
        let served = try await RunningBinary.run(["terminal", "info", "--config", config, "--role", "side-terminal"])
        #expect(served.status == 0 && served.stdout.contains("E2ESTRANGER1") && served.stdout.contains("ATTLOG 10"), "\(served.stdout) \(served.stderr)")
        #expect(try Self.punches(directory, serial: "E2ESTRANGER1") == 10)

        for child in [stranger, terminal] {
            kill(child.processIdentifier, SIGTERM)
            #expect(try await child.exitStatus() == 0)
        }
        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0)
    }
}
