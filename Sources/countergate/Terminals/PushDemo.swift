// The simulated push terminal (a test fake) in `countergate demo` and `countergate simulate push-terminal`: it calls
// the gateway's push listener once that listens, uploads its log, punches now and then, and runs its commands.
import ArgumentParser
import CounterConfig
import CounterCore
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import Simulators
import Synchronization
import ZKTerminal

/// Where the push listener listens, once it does (the demo's listener may pick its port).
final class PushListenerAddress: Sendable {
    private let state = Mutex<(address: (String, Int)?, waiters: [CheckedContinuation<(String, Int), Never>])>((nil, []))

    /// Called by the gateway when the listener accepts connections.
    func listening(_ host: String, _ port: Int) {
        let waiters = state.withLock { state in
            state.address = (host, port)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: (host, port)) }
    }

    /// The address, once the listener listens.
    func address() async -> (String, Int) {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> (String, Int)? in
                if let address = state.address { return address }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}

/// Runs a simulated push terminal against the push listener until shutdown; a demo user punches every `punchEvery`
/// seconds (0: never).
struct SimulatedPushTerminalService: Service {
    let simulator: PushTerminalSimulator
    let listener: PushListenerAddress
    let punchEvery: Double
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let (host, port) = await listener.address()
            logger.info("simulated push terminal (test fake) calls the gateway", metadata: [
                "serial": "\(simulator.configuration.serialNumber)", "server": "http://\(host):\(port)/iclock/"])
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await simulator.run(host: host, port: port) }
                if punchEvery > 0 {
                    group.addTask {
                        let users = PushTerminalSimulator.demoUsers()
                        var turn = 0
                        while !Task.isCancelled {
                            // The demo's rhythm of people clocking in, not a synchronisation.
                            do { try await Task.sleep(for: .milliseconds(Int(punchEvery * 1000))) } catch { return }
                            simulator.punch(userID: users[turn % users.count].pin, at: ZKLocalTime(commandClock.now(), in: HallTime.chinaStandardTime),
                                            status: UInt8(turn % 2))
                            turn += 1
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }
}

enum PushDemo {
    /// The demo's push terminal: a simulated terminal with the demo staff and a week of punches, configured as role
    /// `push-terminal` at `push:CGPUSH0000001`; the push listener on loopback at `port`.
    /// - Parameter port: the listener's port; 0 picks a free one here (the simulator must know it before it calls).
    static func add(to config: inout HallConfiguration, port: Int, records: Int, punchEvery: Double, logger: Logger) -> SimulatedPushTerminalService {
        let port = port == 0 ? freeLoopbackPort() : port
        let serial = "CGPUSH0000001"
        let start = ZKLocalTime(commandClock.now().addingTimeInterval(-7 * 86_400), in: HallTime.chinaStandardTime)
        let simulator = PushTerminalSimulator.demo(serialNumber: serial, records: records,
                                                   start: ZKLocalTime(year: start.year, month: start.month, day: start.day, hour: 0, minute: 0, second: 0))
        config.push.enabled = true
        config.push.bind = "127.0.0.1"
        config.push.port = port
        config.push.delaySeconds = 5
        config.push.errorDelaySeconds = 5
        config.devices.append(HallConfiguration.Device(
            id: "simulated-push-terminal", kind: .terminal, role: "push-terminal", profile: "simulated-zk-push",
            link: .pushTerminal(serial: serial), serialNumber: serial, windows: Set(config.windows.map(\.number))))
        let listener = PushListenerAddress()
        // The simulator calls until the gateway's listener answers (it waits its ErrorDelay between tries).
        listener.listening("127.0.0.1", port)
        logger.info("simulated push terminal (test fake) configured", metadata: ["serial": "\(serial)", "listener": "http://127.0.0.1:\(port)/iclock/"])
        return SimulatedPushTerminalService(simulator: simulator, listener: listener, punchEvery: punchEvery, logger: logger)
    }

    /// A port free on loopback now (bound and released; the demo's listener takes it a moment later).
    static func freeLoopbackPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return 8081 }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : 8081
    }
}

extension SimulateCommand {
    struct PushTerminal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push-terminal",
            abstract: "A simulated fingerprint terminal in push mode (a test fake) that calls a gateway's push listener, until Ctrl-C or SIGTERM.",
            discussion: """
                It handshakes (GET /iclock/cdata?options=all), uploads its log and its users and fingerprints as the options \
                say, polls for commands and runs them. A serial the gateway does not know is refused (and recorded as a \
                candidate): approve it with `countergate terminal approve SERIAL --role ROLE`.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The gateway's push listener, as a terminal's 服务器地址 and 端口: HOST:PORT.", valueName: "host:port"))
        var server = "127.0.0.1:8081"
        @Option(help: "The serial number it reports.") var serialNumber = "CGPUSH0000002"
        @Option(help: "Punches in its log at start.") var records = 1_000
        @Option(help: "A demo user punches every this many seconds (0: never).") var punchEvery: Double = 0
        @Option(help: "Names in gb18030 (Chinese firmware) or utf-8.") var encoding = "gb18030"
        @Flag(help: "Behave as old firmware (no pushver: the legacy handshake, 4-field lines).") var legacy = false

        func run() async throws {
            let parts = server.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else { fail("--server \(server) is not HOST:PORT") }
            guard DeviceLink.isValidTerminalSerial(serialNumber) else { fail("--serial-number \(serialNumber): 1-32 letters, digits, - or _") }
            guard let text = PushTextEncoding(charset: encoding) else { fail("--encoding must be gb18030 or utf-8") }
            let logger = global.makeLogger("countergate.simulator")
            let start = ZKLocalTime(commandClock.now().addingTimeInterval(-30 * 86_400), in: HallTime.chinaStandardTime)
            let simulator = PushTerminalSimulator(
                configuration: .init(serialNumber: serialNumber, pushVersion: legacy ? nil : "2.4.1", textEncoding: text, shortAttendanceLines: legacy),
                users: PushTerminalSimulator.demoUsers(), templates: PushTerminalSimulator.demoTemplates(),
                records: PushTerminalSimulator.generatedRecords(count: records, start: ZKLocalTime(year: start.year, month: start.month, day: start.day,
                                                                                                   hour: 0, minute: 0, second: 0), seed: 7))
            let listener = PushListenerAddress()
            listener.listening(String(parts[0]), port)
            printLine("simulated push terminal (a test fake) \(serialNumber) with \(records) punches calls http://\(server)/iclock/")
            let service = SimulatedPushTerminalService(simulator: simulator, listener: listener, punchEvery: punchEvery, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            let state = simulator.state
            printLine("simulated push terminal stopped: \(state.acknowledgedRecords) of \(state.records.count) punches acknowledged, "
                      + "\(state.executed.count) command(s) run")
        }
    }
}
