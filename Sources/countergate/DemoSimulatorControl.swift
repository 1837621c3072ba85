// The demo's simulator control (TEST FAKE, demo only): a loopback HTTP listener that stops and starts the demo's
// simulated devices, so that a test, or someone trying the demo, can make a terminal or a printer fail and come back.
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Simulators
import Synchronization

/// A simulated device the control stops and starts; it comes back on the same port, so its address stays valid.
struct ControlledSimulator: Sendable {
    /// What the control calls it: the role the demo bound it to (`window-2-printer`), or `spare-printer`.
    let name: String
    /// `terminal` or `printer`.
    let kind: String
    let address: String
    let stop: @Sendable () async -> Void
    let start: @Sendable () async throws -> Void

    static func printer(_ name: String, _ simulator: ESCPOSPrinterSimulator, port: Int) -> ControlledSimulator {
        ControlledSimulator(name: name, kind: "printer", address: "tcp://127.0.0.1:\(port)",
                            stop: { await simulator.stop() },
                            start: { _ = try await simulator.start(host: "127.0.0.1", port: port) })
    }

    static func terminal(_ name: String, _ simulator: ZKTerminalSimulator, ports: (tcp: Int, udp: Int)) -> ControlledSimulator {
        ControlledSimulator(name: name, kind: "terminal", address: "tcp://127.0.0.1:\(ports.tcp)",
                            stop: { try? await simulator.stop() },
                            start: { _ = try await simulator.start(host: "127.0.0.1", tcpPort: ports.tcp, udpPort: ports.udp) })
    }
}

/// The control's listener: `GET /simulators` lists them, `POST /simulators/{name}/stop` and `/start` act, answering JSON.
/// Loopback only, whatever `[http] bind` says; only `countergate demo` runs it, never `serve`.
enum DemoSimulatorControl {
    struct State: Codable, Sendable {
        let name: String
        let kind: String
        let address: String
        let running: Bool
    }

    /// The listener as a service of the demo's group; `onListening` gets its base URL.
    static func application(_ simulators: [ControlledSimulator], logger: Logger,
                            onListening: @escaping @Sendable (String) -> Void) -> some ApplicationProtocol {
        let running = Mutex(Dictionary(uniqueKeysWithValues: simulators.map { ($0.name, true) }))
        let byName = Dictionary(uniqueKeysWithValues: simulators.map { ($0.name, $0) })
        @Sendable func state(_ simulator: ControlledSimulator) -> State {
            State(name: simulator.name, kind: simulator.kind, address: simulator.address, running: running.withLock { $0[simulator.name] ?? false })
        }
        @Sendable func find(_ context: BasicRequestContext) throws -> ControlledSimulator {
            let name = try context.parameters.require("name")
            guard let simulator = byName[name] else {
                throw HTTPError(.notFound, message: "no simulated device \(name); the demo's are: " + simulators.map(\.name).joined(separator: ", "))
            }
            return simulator
        }
        let router = Router()
        router.get("simulators") { _, _ in try json(simulators.map(state)) }
        router.post("simulators/:name/stop") { _, context in
            let simulator = try find(context)
            await simulator.stop()
            running.withLock { $0[simulator.name] = false }
            logger.notice("simulated device stopped (test fake, demo control)", metadata: ["simulator": "\(simulator.name)"])
            return try json(state(simulator))
        }
        router.post("simulators/:name/start") { _, context in
            let simulator = try find(context)
            if running.withLock({ $0[simulator.name] == true }) { return try json(state(simulator)) }
            do { try await simulator.start() } catch {
                throw HTTPError(.conflict, message: "\(simulator.name) did not start again on \(simulator.address): \(error)")
            }
            running.withLock { $0[simulator.name] = true }
            logger.notice("simulated device started (test fake, demo control)", metadata: ["simulator": "\(simulator.name)"])
            return try json(state(simulator))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "countergate-demo-control"),
                           onServerRunning: { channel in onListening("http://127.0.0.1:\(channel.localAddress?.port ?? 0)") },
                           logger: logger)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// The control, started once the gateway listens: its line then comes after the gateway's in the demo's output, where
/// people and tests take the gateway's address from the first `http://127.0.0.1:` line.
struct DemoSimulatorControlService<Control: ApplicationProtocol>: Service {
    let control: Control
    /// Yields once the gateway listens.
    let gatewayListening: AsyncStream<Void>

    func run() async throws {
        let stream = gatewayListening
        let listening = await cancelWhenGracefulShutdown {
            for await _ in stream { return true }
            return false
        }
        guard listening else { return }
        try await control.run()
    }
}
