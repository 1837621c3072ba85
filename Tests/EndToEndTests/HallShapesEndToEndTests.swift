// The real binary with every shape of hall the configuration accepts: only push terminals, only printers, only badge
// readers, no devices, no terminal backups. Each is accepted by `config check`, answers /readyz for ten seconds under
// `serve`, and stops cleanly on SIGTERM; a configuration `config check` refuses, `serve` refuses with the same message.
import CounterGateTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("Every hall the configuration accepts starts: config check and serve agree", .serialized, .timeLimit(.minutes(5)))
struct HallShapesEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let head = """
        [http]
        port = 0

        [store]
        data_dir = "data"

        [[window]]
        number = 1
        name = "市场准入窗口"
        department = "县市场监督管理局"

        """

    enum Shape: String, CaseIterable, CustomTestStringConvertible {
        case pushTerminalsOnly, printersOnly, badgeReadersOnly, noDevices, noTerminalBackups
        var testDescription: String { rawValue }
    }

    /// The configuration of `shape`, in `directory` (which has no `drivers/` folder).
    static func configuration(_ shape: Shape, in directory: URL, pty: PseudoTerminal) -> String {
        switch shape {
        case .pushTerminalsOnly:
            // The case that exited at once: a [push] table and one terminal at push:SERIAL, the default backup schedule.
            return head + """
                [push]
                port = 0

                [[device]]
                id = "entrance-terminal"
                kind = "terminal"
                profile = "zk-push"
                address = "push:SHAPEPUSH001"
                windows = [1]
                """
        case .printersOnly:
            return head + """
                [printing]
                profiles_dir = "\(root.appendingPathComponent("drivers/printers").path)"

                [[device]]
                id = "window-1-printer"
                kind = "printer"
                profile = "xprinter-xp80"
                address = "\(directory.appendingPathComponent("printer.out").path)"
                windows = [1]
                """
        case .badgeReadersOnly:
            return head + """
                [badges]
                profiles_dir = "\(root.appendingPathComponent("drivers/readers").path)"

                [[device]]
                id = "entrance-reader"
                kind = "badge-reader"
                profile = "rdm6300-serial"
                address = "serial:\(pty.slavePath)?baud=9600"
                windows = [1]
                """
        case .noDevices:
            return head
        case .noTerminalBackups:
            // A pull terminal nobody answers at (the hall starts in sign-in mode) and a push terminal; no backup schedule.
            return head + """
                [attendance]
                backup_interval_hours = 0

                [[device]]
                id = "entrance-terminal"
                kind = "terminal"
                profile = "zk-generic"
                address = "tcp://127.0.0.1:\(closedLoopbackPort())"
                windows = [1]

                [[device]]
                id = "side-terminal"
                kind = "terminal"
                profile = "zk-push"
                address = "push:SHAPEPUSH002"
                windows = [1]
                """
        }
    }

    @Test("the hall starts, answers /readyz for ten seconds and stops cleanly on SIGTERM", arguments: Shape.allCases)
    func hallStartsAndStays(_ shape: Shape) async throws {
        let directory = try temporaryDirectory("shape-\(shape.rawValue)")
        let pty = try PseudoTerminal()
        let config = directory.appendingPathComponent("hall.toml")
        try Self.configuration(shape, in: directory, pty: pty).write(to: config, atomically: true, encoding: .utf8)
        if shape == .printersOnly { FileManager.default.createFile(atPath: directory.appendingPathComponent("printer.out").path, contents: nil) }

        let check = try await RunningBinary.run(["config", "check", "--config", config.path], directory: directory)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("checked as serve does before it starts"), "\(check.stdout)")

        let gateway = try RunningBinary.start(["serve", "--config", config.path], directory: directory)
        try await gateway.wait(for: "the listening line") { gateway.stdout.contains("is listening on http://127.0.0.1:") || !gateway.isRunning }
        let port = try #require(gateway.stdout.firstMatch(of: /127\.0\.0\.1:(\d+)\//).map { String($0.1) }, "\(gateway.stderr)")
        let readyz = try #require(URL(string: "http://127.0.0.1:\(port)/readyz"))
        // Ten seconds of the gateway's life, asked every quarter of a second: each answer must be "ready".
        let start = ContinuousClock.now
        var answers = 0
        while ContinuousClock.now - start < .seconds(10) {
            let (_, response) = try await URLSession.shared.data(from: readyz)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(gateway.isRunning, "the gateway exited: \(gateway.stderr)")
            answers += 1
            try await Task.sleep(for: .milliseconds(250))  // the pace of the probe, not a synchronisation
        }
        #expect(answers >= 20)
        #expect(gateway.isRunning, "\(gateway.stderr)")
        kill(gateway.processIdentifier, SIGTERM)
        #expect(try await gateway.exitStatus() == 0, "\(gateway.stderr)")
        #expect(gateway.stderr.contains("gateway stopped cleanly"), "\(gateway.stderr)")
        #expect(!gateway.stderr.contains("finished unexpectedly"), "\(gateway.stderr)")
    }

    @Test("in a folder without drivers/, a hall with a printer is refused by config check and by serve with the same message")
    func checkAndServeAgreeWithoutDrivers() async throws {
        let directory = try temporaryDirectory("no-drivers")
        let config = directory.appendingPathComponent("hall.toml")
        try (Self.head + """
            [[device]]
            id = "window-1-printer"
            kind = "printer"
            profile = "xprinter-xp80"
            address = "tcp://127.0.0.1:9100"
            windows = [1]
            """).write(to: config, atomically: true, encoding: .utf8)
        let check = try await RunningBinary.run(["config", "check", "--config", config.path], directory: directory)
        #expect(check.status == 1)
        #expect(check.stderr.contains("printer profiles in"), "\(check.stderr)")
        let serve = try await RunningBinary.run(["serve", "--config", config.path], directory: directory)
        #expect(serve.status == 1)
        #expect(serve.stderr == check.stderr, "serve: \(serve.stderr)\ncheck: \(check.stderr)")
        // Nothing was created by either: serve refused before it opened the store.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("data").path))
    }

    @Test("a data folder that is a file, a missing TLS key and an unknown reader profile: check and serve say the same, all at once")
    func checkAndServeAgreeOnEveryProblem() async throws {
        let directory = try temporaryDirectory("problems")
        try Data().write(to: directory.appendingPathComponent("data"))
        let config = directory.appendingPathComponent("hall.toml")
        try ("""
            [http]
            port = 0
            tls_certificate = "\(directory.appendingPathComponent("missing.crt").path)"
            tls_key = "\(directory.appendingPathComponent("missing.key").path)"

            [store]
            data_dir = "data"

            [badges]
            profiles_dir = "\(Self.root.appendingPathComponent("drivers/readers").path)"

            [[window]]
            number = 1
            department = "县市场监督管理局"

            [[device]]
            id = "entrance-reader"
            kind = "badge-reader"
            profile = "no-such-reader"
            address = "serial:/dev/ttyUSB9"
            windows = [1]
            """).write(to: config, atomically: true, encoding: .utf8)
        let check = try await RunningBinary.run(["config", "check", "--config", config.path], directory: directory)
        #expect(check.status == 1)
        #expect(check.stderr.contains("is a file, not a folder"), "\(check.stderr)")
        #expect(check.stderr.contains("cannot read the TLS certificate"), "\(check.stderr)")
        #expect(check.stderr.contains("no profile \"no-such-reader\""), "\(check.stderr)")
        let serve = try await RunningBinary.run(["serve", "--config", config.path], directory: directory)
        #expect(serve.status == 1)
        #expect(serve.stderr == check.stderr, "serve: \(serve.stderr)\ncheck: \(check.stderr)")
    }
}

/// A loopback port nobody listens on (bound, read, closed).
func closedLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
