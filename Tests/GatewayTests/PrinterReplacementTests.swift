// A printer role whose printer failed, a new printer bound to it: the waiting jobs print on the new one, once.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import Simulators
import Synchronization
import Testing
@testable import Gateway

@Suite("Replacement: a failed printer role rebound to a new printer", .serialized, .timeLimit(.minutes(2)))
struct PrinterReplacementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the waiting jobs of the failed role print on the newly bound printer exactly once; the binding is audited")
    func waitingJobsPrintOnTheNewPrinterOnce() async throws {
        let profiles = try PrinterProfiles.load(directory: Self.root.appendingPathComponent("drivers/printers").path)
        let profile = try #require(profiles["xprinter-xp80"])
        let old = ESCPOSPrinterSimulator(profile: profile)
        let new = ESCPOSPrinterSimulator(profile: profile)
        let oldPort = try await old.start()
        let newPort = try await new.start()
        // The old printer fails: nothing listens at its address any more.
        await old.stop()

        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-replace-printer-\(UUID().uuidString)").path
        config.printing.profilesDirectory = Self.root.appendingPathComponent("drivers/printers").path
        config.printing.failoverAfterSeconds = 3600
        config.printing.retryAfterSeconds = 30  // long: the jobs must print because of the rebinding, not a retry
        config.printing.statusTimeoutMilliseconds = 5000
        config.devices = [try HallConfiguration.Device(id: "p1", kind: .printer, role: "window-1-printer", profile: "xprinter-xp80",
                                                   address: "tcp://127.0.0.1:\(oldPort)", serialNumber: nil, windows: [1])]
        let store = try GatewayRuntime.openStore(config)
        let clock = SystemClock()
        let logger = Logger(label: "test")
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
        try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)

        // The gateway's pieces as GatewayRuntime wires them: bindings, their watcher, the spooler following them.
        let devices = try await DeviceServices.start(config: config, store: store, clock: clock, logger: logger)
        let (spoolerEvents, spoolerContinuation) = AsyncStream<SpoolerEvent>.makeStream()
        var spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: store, clock: clock, logger: logger,
                                   doorbell: devices.doorbell, observer: { spoolerContinuation.yield($0) })
        spooler.bindings = devices.bindings
        let (bindingEvents, bindingContinuation) = AsyncStream<BindingChange>.makeStream()
        let watcher = BindingWatcher(store: store, bindings: devices.bindings, doorbell: devices.doorbell, logger: logger,
                                     observer: { bindingContinuation.yield($0) })
        let running = Task { await spooler.run() }
        let watching = Task { await watcher.run() }

        var jobs: [Int64] = []
        for key in ["before-replace-1", "before-replace-2"] {
            let draft = NoticeDraft(kind: .acceptance, applicant: "张喆", item: "食品经营许可", window: 1, clerk: "D001",
                                    receivedOn: CivilDate("2026-03-02")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 5)
            let notice = try await store.issue(draft, format: config.noticeNumberFormat, calendar: try config.calendar(), at: Date(), idempotencyKey: key)
            jobs.append(try await store.enqueuePrintJob(idempotencyKey: key, printerRole: "window-1-printer", noticeID: notice.id, copies: 2, at: Date()).id)
        }
        devices.doorbell.ring()
        var iterator = spoolerEvents.makeAsyncIterator()
        var waiting: Set<Int64> = []
        while waiting.count < 2, let event = await iterator.next() {
            if case .waiting(let id, let reason) = event {
                #expect(reason.contains("127.0.0.1:\(oldPort)"), "the reason names the failed printer: \(reason)")
                waiting.insert(id)
            }
            if case .printed = event { Issue.record("printed while the only printer is down") }
        }
        #expect(waiting == Set(jobs))
        #expect(try await store.knownDevice(id: "p1")?.power == .offline)

        // Ops bind the new printer (named by its address, as a network printer is).
        let report = try await DeviceReplacement(config: config, store: store, clock: clock, logger: logger)
            .replace(role: "window-1-printer", with: "tcp://127.0.0.1:\(newPort)", options: .init(actor: "ops:test"))
        #expect(report.problem == nil)
        #expect(report.rebinding.changed && report.rebinding.previous?.id == "p1")
        #expect(report.rebinding.waitingJobs == 2)
        let newID = report.rebinding.device.id

        var printed: [Int64: String] = [:]
        while printed.count < 2, let event = await iterator.next() {
            if case .printed(let id, let on) = event { printed[id] = on }
        }
        #expect(Set(printed.keys) == Set(jobs))
        #expect(printed.values.allSatisfy { $0.contains("127.0.0.1:\(newPort)") }, "\(printed)")
        // The watcher saw the rebinding too (it is what makes an idle gateway switch and rings the spooler).
        var changes = bindingEvents.makeAsyncIterator()
        let change = try #require(await changes.next())
        #expect(change.role == "window-1-printer" && change.to.id == newID && change.to.address == "tcp://127.0.0.1:\(newPort)")

        try await new.waitUntil("both copies of both notices") { $0.pages.count >= 4 }
        running.cancel()
        watching.cancel()
        await running.value
        await watching.value
        #expect(new.pages.count == 4, "each notice printed once, both copies")
        #expect(old.pages.isEmpty)
        for id in jobs {
            let job = try #require(try await store.printJob(id: id))
            #expect(job.state == .done)
            #expect(job.printedOn?.contains("127.0.0.1:\(newPort)") == true)
        }
        let audit = try #require(try await store.auditEntries(limit: 50).first { $0.action == "role.rebound" })
        #expect(audit.actor == "ops:test" && audit.subject == "window-1-printer")
        #expect(audit.detail.contains("from p1 (xprinter-xp80 at tcp://127.0.0.1:\(oldPort))") && audit.detail.contains("to \(newID)"))
        #expect(audit.detail.contains("2 waiting print job(s) re-routed"))
        #expect(try await store.verifyAudit() == .intact(entries: try await store.auditEntries(limit: 10_000).count))
        await new.stop()
    }

    @Test("a gateway started after the replacement prints on the bound printer, not the configured one")
    func restartKeepsTheOpsBinding() async throws {
        let profiles = try PrinterProfiles.load(directory: Self.root.appendingPathComponent("drivers/printers").path)
        let profile = try #require(profiles["xprinter-xp80"])
        let new = ESCPOSPrinterSimulator(profile: profile)
        let newPort = try await new.start()
        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-replace-restart-\(UUID().uuidString)").path
        config.printing.profilesDirectory = Self.root.appendingPathComponent("drivers/printers").path
        config.printing.statusTimeoutMilliseconds = 5000
        // The configuration still names the dead printer.
        config.devices = [try HallConfiguration.Device(id: "p1", kind: .printer, role: "window-1-printer", profile: "xprinter-xp80",
                                                   address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [1])]
        let store = try GatewayRuntime.openStore(config)
        let clock = SystemClock()
        let logger = Logger(label: "test")
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
        _ = try await DeviceReplacement(config: config, store: store, clock: clock, logger: logger)
            .replace(role: "window-1-printer", with: "tcp://127.0.0.1:\(newPort)", options: .init(actor: "ops:test"))

        // "Restart": the configuration is written to the store again and the gateway's pieces are made anew.
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
        let devices = try await DeviceServices.start(config: config, store: store, clock: clock, logger: logger)
        #expect(devices.bindings.device(for: "window-1-printer")?.address == "tcp://127.0.0.1:\(newPort)")
        let (events, continuation) = AsyncStream<SpoolerEvent>.makeStream()
        var spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: store, clock: clock, logger: logger,
                                   doorbell: devices.doorbell, observer: { continuation.yield($0) })
        spooler.bindings = devices.bindings
        let running = Task { await spooler.run() }
        let job = try await store.enqueuePrintJob(idempotencyKey: "after-restart", printerRole: "window-1-printer", noticeID: nil, copies: 1,
                                                  at: Date(), kind: .test)
        devices.doorbell.ring()
        for await event in events {
            if case .printed(let id, let on) = event {
                #expect(id == job.id && on.contains("127.0.0.1:\(newPort)"))
                break
            }
            if case .waiting(_, let reason) = event { Issue.record("waited: \(reason)"); break }
        }
        running.cancel()
        await running.value
        #expect(new.pages.count == 1)
        await new.stop()
    }
}
