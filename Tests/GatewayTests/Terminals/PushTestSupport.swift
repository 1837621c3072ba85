// What the push-terminal tests share: a gateway's push listener on a loopback port with a fresh store, its events to
// wait on, a raw HTTP client for requests no terminal would make, and the simulated push terminal (a test fake).
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import ServiceLifecycle
import Simulators
import Synchronization
import Testing
import ZKTerminal
@testable import Gateway

/// Events of the push listener, kept so a test can wait for one (instead of sleeping).
final class PushEventLog: Sendable {
    private let state = Mutex<(events: [PushTerminalEvent], waiters: [Int: AsyncStream<Void>.Continuation], next: Int)>(([], [:], 0))

    func record(_ event: PushTerminalEvent) {
        let waiters = state.withLock { state in
            state.events.append(event)
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    var events: [PushTerminalEvent] { state.withLock { $0.events } }

    /// Waits until `condition` holds for the events so far; fails the test with `what` after `timeout`.
    func wait(_ what: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable ([PushTerminalEvent]) -> Bool) async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let token = state.withLock { state in
            state.next += 1
            state.waiters[state.next] = continuation
            return state.next
        }
        defer { _ = state.withLock { $0.waiters.removeValue(forKey: token) } }
        let met = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                if condition(events) { return true }
                for await _ in stream where condition(events) { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !met { Issue.record("timed out waiting for \(what); last events: \(events.suffix(5))") }
        try #require(met)
    }

    /// Uploads committed for a serial (all tables), lines summed.
    func uploadedLines(_ serial: String, table: String = "ATTLOG") -> Int {
        events.reduce(0) { sum, event in
            if case .uploaded(serial, table, let lines, _) = event { return sum + lines } else { return sum }
        }
    }
}

/// A gateway's push listener (and what it needs: store, bindings, health) on loopback, for one test.
struct PushHall {
    let config: HallConfiguration
    let store: HallStore
    let bindings: RoleBindings
    let health: DeviceHealthMonitor
    let service: PushTerminalService
    let events: PushEventLog
    let port: Int
    let group: ServiceGroup
    let running: Task<Void, any Error>

    static let logger: Logger = {
        var logger = Logger(label: "push-test")
        logger.logLevel = .warning
        return logger
    }()

    /// A configuration with the push listener on loopback, a port the system picks, quick delays for tests, and a
    /// push terminal role per serial (`push-terminal-1`, …).
    static func configuration(serials: [String], dataDirectory: String? = nil, _ tweak: (inout HallConfiguration) -> Void = { _ in }) throws -> HallConfiguration {
        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("cg-push-\(UUID().uuidString)").path
        config.push.enabled = true
        config.push.port = 0
        config.push.delaySeconds = 1
        config.push.errorDelaySeconds = 1
        config.push.requestsPerSecond = 10_000
        config.push.burst = 10_000
        config.devices = try serials.enumerated().map { index, serial in
            try HallConfiguration.Device(id: "push-terminal-\(index + 1)", kind: .terminal, role: "push-terminal-\(index + 1)", profile: "zk-push",
                                     address: DeviceLink.pushTerminal(serial: serial).description, serialNumber: serial, windows: [1, 2, 3])
        }
        tweak(&config)
        return config
    }

    /// Starts the listener for `config` (on `port` when given, else the configured one).
    static func start(_ config: HallConfiguration, port: Int? = nil, clock: any HallClock = SystemClock()) async throws -> PushHall {
        var config = config
        if let port { config.push.port = port }
        let store = try GatewayRuntime.openStore(config)
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
        try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
        let bindings = try await RoleBindings.load(config: config, store: store, logger: logger)
        let health = DeviceHealthMonitor(config: config, store: store, clock: clock, logger: logger)
        let events = PushEventLog()
        let (ports, listening) = AsyncStream<Int>.makeStream()
        guard let service = PushTerminalService.make(config: config, store: store, clock: clock, logger: logger, bindings: bindings, health: health,
                                                     observer: { events.record($0) }, onListening: { _, port in listening.yield(port) }) else {
            throw PushTestFailure(description: "the configuration does not enable the push listener")
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw PushTestFailure(description: "the push listener did not start") }
        return PushHall(config: config, store: store, bindings: bindings, health: health, service: service, events: events, port: bound, group: group,
                        running: running)
    }

    /// Stops the listener gracefully (requests in progress are answered) and waits until it has.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Runs `simulator` against this listener until the returned task is cancelled.
    func run(_ simulator: PushTerminalSimulator) -> Task<Void, Never> {
        let port = self.port
        return Task { await simulator.run(host: "127.0.0.1", port: port) }
    }

    /// Every stored punch.
    func punches() async throws -> [StoredPunch] {
        try await store.punches(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4_000_000_000))
    }
}

struct PushTestFailure: Error, CustomStringConvertible {
    let description: String
}

/// Requests no terminal would make (or would make badly), over a plain socket.
enum RawHTTP {
    /// Sends `request` bytes and reads until the server closes or `timeout`; returns what came back.
    static func exchange(port: Int, _ request: [UInt8], timeout: TimeInterval = 10) throws -> String {
        let socket = try connect(port: port)
        defer { close(socket) }
        try send(socket, request)
        return String(decoding: try readAll(socket, timeout: timeout), as: UTF8.self)
    }

    static func request(_ method: String, _ target: String, body: [UInt8] = [], headers: [String] = []) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if method == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PushTestFailure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw PushTestFailure(description: "connect to 127.0.0.1:\(port) failed (errno \(errno))")
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw PushTestFailure(description: "send failed (errno \(errno))") }
            offset += sent
        }
    }

    /// Reads until the peer closes, or `timeout` passes (then what came so far).
    static func readAll(_ fd: Int32, timeout: TimeInterval) throws -> [UInt8] {
        var received: [UInt8] = []
        let end = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < end {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, end.timeIntervalSinceNow * 1000)))
            guard ready > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }

    /// Whether the server closed the connection: waits up to `timeout` for end of stream.
    static func waitClosed(_ fd: Int32, timeout: TimeInterval) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < end {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(1, end.timeIntervalSinceNow * 1000)))
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 || (count < 0 && errno != EAGAIN) { return true }
        }
        return false
    }
}
