// `countergate bench push-upload`: the measurement behind scripts/bench-push (figures, not a pass/fail test): many
// simulated push terminals uploading at once to the gateway's push listener, into a fresh store.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import Simulators
import ZKTerminal

extension BenchCommand {
    /// Two phases against one gateway and one store:
    /// 1. catch-up: every terminal starts with `punches` punches in its log and uploads them as fast as the gateway
    ///    answers (batches of `batch`): the most the gateway stores per second; latency there is queueing (every
    ///    terminal always has an upload waiting);
    /// 2. sustained: every terminal punches in real time so that together they upload `rate` punches a second (a batch
    ///    of `sustainedBatch` every terminals × sustainedBatch / rate seconds, staggered), for `seconds` seconds: the
    ///    upload latency a terminal sees at that load.
    /// Then every punch of both phases is looked for in the store: none lost, none twice.
    struct PushUpload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "push-upload")
        @Option var terminals = 50
        @Option var punches = 4_000
        @Option var batch = 200
        @Option var rate = 20_000
        @Option var seconds = 10
        @Option var sustainedBatch = 100
        @Option var dataDir: String

        func run() async throws {
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = dataDir
            config.push.enabled = true
            config.push.port = 0
            config.push.delaySeconds = 30
            config.push.requestsPerSecond = 10_000
            config.push.burst = 10_000
            let serials = (1...terminals).map { String(format: "BENCH%08d", $0) }
            config.devices = serials.enumerated().map { index, serial in
                HallConfiguration.Device(id: "bench-terminal-\(index + 1)", kind: .terminal, role: "bench-terminal-\(index + 1)", profile: TerminalProfile.genericPush,
                                         link: .pushTerminal(serial: serial), serialNumber: serial, windows: [])
            }
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let clock = commandClock
            let store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
            let bindings = try await RoleBindings.load(config: config, store: store, logger: logger)
            let health = DeviceHealthMonitor(config: config, store: store, clock: clock, logger: logger)
            let (ports, listening) = AsyncStream<Int>.makeStream()
            guard let service = PushTerminalService.make(config: config, store: store, clock: clock, logger: logger, bindings: bindings, health: health,
                                                         onListening: { _, port in listening.yield(port) }) else { throw ExitCode.failure }
            let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
            let gateway = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ExitCode.failure }

            // Phase 1: catch-up.
            let start = ZKLocalTime(year: 2026, month: 1, day: 5, hour: 0, minute: 0, second: 0)
            let simulators = serials.enumerated().map { index, serial in
                PushTerminalSimulator(configuration: .init(serialNumber: serial, maxLinesPerUpload: max(batch, sustainedBatch)),
                                      records: PushTerminalSimulator.generatedRecords(count: punches, start: start, seed: UInt64(index + 1)))
            }
            let catchUpStart = ContinuousClock.now
            let runs = simulators.map { simulator in Task { await simulator.run(host: "127.0.0.1", port: port) } }
            for simulator in simulators {
                try await simulator.waitUntil("every punch acknowledged", timeout: .seconds(600)) { $0.acknowledgedRecords == $0.records.count }
            }
            let catchUpSeconds = (ContinuousClock.now - catchUpStart).seconds
            let catchUpUploads = simulators.flatMap { $0.state.exchanges.filter { $0.kind == .attendanceUpload } }
            let catchUp = PushBenchPhase(punches: terminals * punches, seconds: catchUpSeconds, uploads: catchUpUploads)

            // Phase 2: sustained, real time, at `rate` punches a second in all.
            let perTerminal = rate > 0 ? max(1, rate * seconds / terminals / sustainedBatch) * sustainedBatch : 0
            let interval = Duration.seconds(Double(terminals * sustainedBatch) / Double(max(1, rate)))
            let later = ZKLocalTime(year: 2027, month: 1, day: 4, hour: 0, minute: 0, second: 0)
            let marks = simulators.map { $0.state.exchanges.count }
            let sustainedStart = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                for (index, simulator) in simulators.enumerated() where perTerminal > 0 {
                    let records = PushTerminalSimulator.generatedRecords(count: perTerminal, start: later, seed: UInt64(1_000 + index))
                    group.addTask {
                        // The load's own rhythm (a terminal's people punching), staggered across terminals.
                        var next = sustainedStart + interval * (Double(index) / Double(terminals))
                        for first in stride(from: 0, to: records.count, by: sustainedBatch) {
                            try? await Task.sleep(until: next, clock: .continuous)
                            simulator.append(Array(records[first..<min(records.count, first + sustainedBatch)]))
                            next += interval
                        }
                    }
                }
            }
            for simulator in simulators {
                try await simulator.waitUntil("every punch acknowledged", timeout: .seconds(600)) { $0.acknowledgedRecords == $0.records.count }
            }
            let sustainedSeconds = (ContinuousClock.now - sustainedStart).seconds
            let sustainedUploads = zip(simulators, marks).flatMap { simulator, mark in
                simulator.state.exchanges.dropFirst(mark).filter { $0.kind == .attendanceUpload }
            }
            let sustained = PushBenchPhase(punches: terminals * perTerminal, seconds: sustainedSeconds, uploads: sustainedUploads)

            for run in runs { run.cancel() }
            for run in runs { await run.value }
            await group.triggerGracefulShutdown()
            try await gateway.value

            let expected = Set(simulators.flatMap { simulator in
                simulator.state.records.map { "\(simulator.configuration.serialNumber)|\($0.userID)|\($0.time)" }
            })
            let stored = try await store.punches(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4_000_000_000))
            let storedKeys = stored.map { "\($0.punch.terminalSerial)|\($0.punch.terminalUserID)|\(ZKLocalTime($0.punch.at, in: HallTime.chinaStandardTime))" }
            let distinct = Set(storedKeys)
            printJSON(PushBenchFigures(terminals: terminals, batch: batch, sustainedBatch: sustainedBatch, rate: rate, catchUp: catchUp, sustained: sustained,
                                       punches: expected.count, stored: stored.count, lost: expected.subtracting(distinct).count,
                                       duplicated: storedKeys.count - distinct.count, peakRSSMegabytes: peakRSSMegabytes()))
        }
    }
}

struct PushBenchPhase: Codable {
    let punches: Int
    let seconds: Double
    let punchesPerSecond: Double
    let uploads: Int
    let failedUploads: Int
    let p50Milliseconds: Double
    let p99Milliseconds: Double
    let maxMilliseconds: Double

    init(punches: Int, seconds: Double, uploads: [PushTerminalSimulator.Exchange]) {
        let latencies = uploads.filter { $0.status == 200 }.map { $0.seconds * 1000 }.sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        self.punches = punches
        self.seconds = seconds
        punchesPerSecond = seconds > 0 ? Double(punches) / seconds : 0
        self.uploads = uploads.count
        failedUploads = uploads.filter { $0.status != 200 }.count
        p50Milliseconds = percentile(0.5)
        p99Milliseconds = percentile(0.99)
        maxMilliseconds = latencies.last ?? 0
    }
}

struct PushBenchFigures: Codable {
    let terminals: Int
    let batch: Int
    let sustainedBatch: Int
    let rate: Int
    let catchUp: PushBenchPhase
    let sustained: PushBenchPhase
    let punches: Int
    let stored: Int
    let lost: Int
    let duplicated: Int
    let peakRSSMegabytes: Double
}
