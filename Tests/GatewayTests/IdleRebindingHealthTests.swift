// An idle printer role rebound to a working printer shows online under the new printer at once, not only after the
// next job (the ops page turns the role green again when the replacement is done).
import CounterConfig
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import Logging
import Simulators
import Testing
@testable import Gateway

@Suite("Replacement: an idle printer role's health follows its new printer", .serialized, .timeLimit(.minutes(2)))
struct IdleRebindingHealthTests {
    @Test("no job waiting: the failed role goes offline, is rebound, and goes online under the new printer's id")
    func idleRoleGoesOnlineOnTheNewPrinter() async throws {
        let drivers = HallAPITests.root.appendingPathComponent("drivers/printers").path
        let profile = try #require(try PrinterProfiles.load(directory: drivers)["xprinter-xp80"])
        let old = ESCPOSPrinterSimulator(profile: profile)
        let new = ESCPOSPrinterSimulator(profile: profile)
        let oldPort = try await old.start()
        let newPort = try await new.start()
        await old.stop()

        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-idle-rebind-\(UUID().uuidString)").path
        config.printing.profilesDirectory = drivers
        config.health.offlineAfterSeconds = 1
        config.health.onlineAfterSeconds = 1
        config.health.printerStatusIntervalSeconds = 1
        config.devices = [try HallConfiguration.Device(id: "p2", kind: .printer, role: "window-2-printer", profile: "xprinter-xp80",
                                                   address: "tcp://127.0.0.1:\(oldPort)", serialNumber: nil, windows: [2])]
        let store = try GatewayRuntime.openStore(config)
        let clock = SystemClock()
        let logger = Logger(label: "test")
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)

        let health = DeviceHealthMonitor(config: config, store: store, clock: clock, logger: logger)
        let (changes, change) = AsyncStream<DeviceHealthChange>.makeStream()
        health.onChange { change.yield($0) }
        let devices = try await DeviceServices.start(config: config, store: store, clock: clock, logger: logger)
        var spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: store, clock: clock, logger: logger,
                                   doorbell: devices.doorbell)
        spooler.bindings = devices.bindings
        spooler.health = health
        let running = Task { await spooler.run() }
        let monitoring = Task { await health.run() }
        defer {
            running.cancel()
            monitoring.cancel()
        }

        var iterator = changes.makeAsyncIterator()
        while let next = await iterator.next(), !(next.device.id == "p2" && next.transition.to == .offline) {}
        #expect(try await store.knownDevice(id: "p2")?.power == .offline)

        let report = try await DeviceReplacement(config: config, store: store, clock: clock, logger: logger)
            .replace(role: "window-2-printer", with: "tcp://127.0.0.1:\(newPort)", options: .init(actor: "ops:test"))
        let newID = report.rebinding.device.id
        #expect(try await store.printJobs().isEmpty, "nothing to print: only the status checks can find the new printer")
        var online: DeviceHealthChange?
        while let next = await iterator.next() {
            if next.transition.to == .online { online = next; break }
        }
        #expect(online?.device.id == newID && online?.device.role == "window-2-printer", "\(String(describing: online?.device))")
        #expect(try await store.knownDevice(id: newID)?.power == .online)
        await new.stop()
    }
}
