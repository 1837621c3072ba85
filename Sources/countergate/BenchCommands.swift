// `countergate bench ...`: the measurements behind scripts/bench-terminal (figures, not pass/fail tests).
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import Logging
import Simulators
import Synchronization
import ZKTerminal

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measurements for the benchmark script (scripts/bench-terminal); prints JSON.",
        shouldDisplay: false,
        subcommands: [TerminalSync.self, LiveLatency.self, NoticeRender.self, NoticeRaster.self, NoticePDF.self, PrintLatency.self, PrintChaos.self,
                      PushUpload.self, AttendanceSheet.self])  // BenchPushCommands.swift, BenchAttendanceCommands.swift

    /// Downloads every record of a terminal and stores it in a fresh store; prints the time and peak memory.
    struct TerminalSync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "terminal-sync")
        @Option var address: String
        @Option var dataDir: String

        func run() async throws {
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = dataDir
            let device = try HallConfiguration.Device(id: "bench", kind: .terminal, role: "bench", profile: TerminalProfile.genericPull, address: address,
                                                  serialNumber: nil, windows: [])
            config.devices = [device]
            let store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock)
            let sync = try Gateway.TerminalSync(device: device, settings: config.attendance, store: store, clock: commandClock,
                                                logger: Logger(label: "bench"))
            let clock = ContinuousClock()
            let started = clock.now
            let client = sync.makeClient()
            try await client.connect()
            let report = try await sync.pull(client)
            await client.disconnect()
            let elapsed = clock.now - started
            printJSON(BenchFigures(seconds: elapsed.seconds, peakRSSMegabytes: peakRSSMegabytes(), records: report.records, stored: report.inserted,
                                   keypadLockedMilliseconds: report.disabledSeconds.map { $0 * 1000 }))
        }
    }

    /// Punches on an in-process simulated terminal and measures until each is committed to the store.
    struct LiveLatency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "live-latency")
        @Option var punches = 1_000
        @Option var dataDir: String

        func run() async throws {
            let simulator = ZKTerminalSimulator.demo(records: 0)
            let ports = try await simulator.start()
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = dataDir
            config.attendance.pullIntervalSeconds = 86_400
            let device = HallConfiguration.Device(id: "bench", kind: .terminal, role: "bench", profile: "simulated-zk",
                                                  link: .pullTerminal(.init(host: "127.0.0.1", port: ports.tcp)), serialNumber: nil, windows: [])
            config.devices = [device]
            let store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock)
            let (events, continuation) = AsyncStream<TerminalSyncEvent>.makeStream()
            let sync = try Gateway.TerminalSync(device: device, settings: config.attendance, store: store, clock: commandClock,
                                                logger: Logger(label: "bench"), observer: { continuation.yield($0) })
            let running = Task { await sync.run() }
            var iterator = events.makeAsyncIterator()
            guard case .pulled? = await iterator.next() else { throw ExitCode.failure }
            try await simulator.waitUntil("the gateway listens for events") { $0.state.attendanceEventSessions == 1 }
            let clock = ContinuousClock()
            var latencies: [Double] = []
            let users = ZKTerminalSimulator.demoUsers()
            for i in 0..<punches {
                let sent = clock.now
                // Distinct seconds so every punch is new.
                let time = ZKLocalTime(Date(timeIntervalSince1970: 1_780_000_000 + Double(i)), in: HallTime.chinaStandardTime)
                simulator.punch(userID: users[i % users.count].userID, at: time)
                while let event = await iterator.next() {
                    if case .liveStored = event { break }
                }
                latencies.append((clock.now - sent).seconds * 1000)
            }
            running.cancel()
            await running.value
            try await simulator.stop()
            latencies.sort()
            func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
            printJSON(LatencyFigures(punches: punches, p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
                                     maxMilliseconds: latencies.last ?? 0))
        }
    }
}

struct BenchFigures: Codable {
    let seconds: Double
    let peakRSSMegabytes: Double
    let records: Int
    let stored: Int
    /// How long the terminal was disabled (keypad locked) for the read.
    var keypadLockedMilliseconds: Double? = nil
}

struct LatencyFigures: Codable {
    let punches: Int
    let p50Milliseconds: Double
    let p99Milliseconds: Double
    let maxMilliseconds: Double
}

/// The process's peak resident memory (Linux reports ru_maxrss in KiB).
func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
