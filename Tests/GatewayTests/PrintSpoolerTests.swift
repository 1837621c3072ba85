// The spooler against simulated network printers: a notice prints once; paper out waits, then prints or fails over.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import Simulators
import Testing
@testable import Gateway

@Suite(.serialized) struct PrintSpoolerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Fixture {
        let store: HallStore
        let config: HallConfiguration
        let main: ESCPOSPrinterSimulator
        let backup: ESCPOSPrinterSimulator
        let spooler: PrintSpooler
        let events: AsyncStream<SpoolerEvent>

        init(failoverAfter: Int = 3600, rasterFont: String? = nil) async throws {
            let profiles = try PrinterProfiles.load(directory: PrintSpoolerTests.root.appendingPathComponent("drivers/printers").path)
            let profile = try #require(profiles["xprinter-xp80"])
            main = ESCPOSPrinterSimulator(profile: profile)
            backup = ESCPOSPrinterSimulator(profile: profile)
            let mainPort = try await main.start()
            let backupPort = try await backup.start()
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-spool-\(UUID().uuidString)").path
            config.printing.profilesDirectory = PrintSpoolerTests.root.appendingPathComponent("drivers/printers").path
            config.printing.failoverAfterSeconds = failoverAfter
            config.printing.retryAfterSeconds = 1
            config.printing.statusTimeoutMilliseconds = 5000
            config.printing.rasterFont = rasterFont
            config.devices = [
                try HallConfiguration.Device(id: "p1", kind: .printer, role: "window-1-printer", profile: "xprinter-xp80",
                                         address: "tcp://127.0.0.1:\(mainPort)", serialNumber: nil, windows: [1], backupRole: "hall-backup-printer"),
                try HallConfiguration.Device(id: "p2", kind: .printer, role: "hall-backup-printer", profile: "xprinter-xp80",
                                         address: "tcp://127.0.0.1:\(backupPort)", serialNumber: nil, windows: [1, 2, 3]),
            ]
            self.config = config
            store = try GatewayRuntime.openStore(config)
            let clock = SystemClock()
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
            try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
            let (events, continuation) = AsyncStream<SpoolerEvent>.makeStream()
            self.events = events
            spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: store, clock: clock,
                                   logger: Logger(label: "test"), observer: { continuation.yield($0) })
        }

        func issueAndQueue(key: String, applicant: String = "张喆") async throws -> PrintJob {
            let draft = NoticeDraft(kind: .acceptance, applicant: applicant, item: "食品经营许可", window: 1, clerk: "D001",
                                    receivedOn: CivilDate("2026-03-02")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 5)
            let notice = try await store.issue(draft, format: config.noticeNumberFormat, calendar: try config.calendar(), at: Date(), idempotencyKey: key)
            return try await store.enqueuePrintJob(idempotencyKey: key, printerRole: "window-1-printer", noticeID: notice.id, copies: 2, at: Date())
        }
    }

    @Test func aNoticePrintsBothCopiesOnceEvenWhenRequestedTwice() async throws {
        let f = try await Fixture()
        let running = Task { await f.spooler.run() }
        let first = try await f.issueAndQueue(key: "window1-req-1")
        let second = try await f.issueAndQueue(key: "window1-req-1")
        #expect(first.id == second.id)
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        var printedID: Int64?
        while let event = await iterator.next() {
            // A loaded machine may make a status reply late (the job then waits and retries); it must still print once.
            if case .printed(let id, _) = event { printedID = id; break }
        }
        let id = try #require(printedID)
        #expect(id == first.id)
        try await f.main.waitUntil("both copies") { $0.pages.count >= 2 }
        let text = f.main.transcript
        #expect(text.contains("第一联(交服务对象)") && text.contains("第二联(窗口留存)"))
        #expect(text.contains("张喆:"))
        #expect(try await f.store.printJob(id: id)?.state == .done)
        running.cancel()
        await running.value
        #expect(f.main.pages.count == 2)
        await f.main.stop(); await f.backup.stop()
    }

    /// A ring between a worker's look at the queue and its wait is not lost: the wait returns at once, not after the
    /// five-minute poll (the test would time out).
    @Test func aRingBeforeTheWaitIsKept() async {
        let doorbell = SpoolerDoorbell()
        let seen = doorbell.rings
        doorbell.ring()
        let returned = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await doorbell.wait(timeout: .seconds(300), since: seen); return true }
            group.addTask { try? await Task.sleep(for: .seconds(30)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(returned, "the ring before the wait was lost")
    }

    /// A notice queued by another process (the CLI's `print notice` writes the store, then exits) prints without the
    /// doorbell and without the idle poll: here the poll is five minutes, so only the store's watch can start it.
    @Test func aJobQueuedByAnotherProcessPrintsWithoutWaitingForThePoll() async throws {
        let f = try await Fixture()
        var spooler = f.spooler
        spooler.idlePoll = .seconds(300)
        let (ready, isReady) = AsyncStream<Void>.makeStream()
        spooler.onWatchReady = { isReady.yield() }
        let running = Task { [spooler] in await spooler.run() }
        defer { running.cancel() }
        for await _ in ready { break }
        // The other process: its own store connections, the same file.
        let other = try HallStore(path: f.store.path)
        let draft = NoticeDraft(kind: .acceptance, applicant: "刘赟", item: "食品经营许可", window: 1, clerk: "D001",
                                receivedOn: CivilDate("2026-03-02")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 5)
        let notice = try await other.issue(draft, format: f.config.noticeNumberFormat, calendar: try f.config.calendar(), at: Date(), idempotencyKey: "cli")
        let job = try await other.enqueuePrintJob(idempotencyKey: "cli", printerRole: "window-1-printer", noticeID: notice.id, copies: 2, at: Date())
        let printed = await withTaskGroup(of: Int64?.self) { group in
            group.addTask {
                for await event in f.events { if case .printed(let id, _) = event { return id } }
                return nil
            }
            group.addTask { try? await Task.sleep(for: .seconds(60)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(printed == job.id, "the job queued by another connection did not print before the five-minute poll")
    }

    @Test("a name beyond the printer's GBK font prints, its line drawn as raster; without a usable font the job fails naming the file, kept for a retry")
    func rasterLinesPrintAndAMissingFontFailsTheJob() async throws {
        let noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        let f = try await Fixture(rasterFont: noto)
        let running = Task { await f.spooler.run() }
        let job = try await f.issueAndQueue(key: "raster-1", applicant: "李\u{2000B}")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        while let event = await iterator.next() {
            if case .printed(let id, _) = event, id == job.id { break }
            if case .failed(_, let reason) = event { Issue.record("failed: \(reason)"); break }
        }
        try await f.main.waitUntil("both copies") { $0.pages.count >= 2 }
        // The salutation (李𠀋:) is an image on each copy; the rest is text.
        #expect(f.main.pages.map(\.images.count) == [1, 1], "\(f.main.pages.map(\.images))")
        #expect(f.main.pages.allSatisfy { $0.images.allSatisfy { $0.width == 576 } })
        #expect(f.main.transcript.contains("第一联(交服务对象)") && !f.main.transcript.contains("李"))
        running.cancel()
        await running.value
        await f.main.stop(); await f.backup.stop()

        let broken = try await Fixture(rasterFont: "/nonexistent/fonts/cjk.ttc")
        let again = Task { await broken.spooler.run() }
        let failing = try await broken.issueAndQueue(key: "raster-2", applicant: "李\u{2000B}")
        broken.spooler.doorbell.ring()
        var events = broken.events.makeAsyncIterator()
        var reason: String?
        while let event = await events.next() {
            if case .failed(let id, let why) = event, id == failing.id { reason = why; break }
            if case .printed = event { break }
        }
        #expect(reason?.contains("/nonexistent/fonts/cjk.ttc") == true && reason?.contains("fonts-noto-cjk") == true, "\(String(describing: reason))")
        #expect(try await broken.store.printJob(id: failing.id)?.state == .failed)
        #expect(broken.main.pages.isEmpty, "nothing was sent")
        again.cancel()
        await again.value
        await broken.main.stop(); await broken.backup.stop()
    }

    @Test func paperOutWaitsThenPrintsOnceWhenPaperIsLoaded() async throws {
        let f = try await Fixture()
        f.main.runOutOfPaper()
        let running = Task { await f.spooler.run() }
        let job = try await f.issueAndQueue(key: "k2")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        guard case .waiting(let id, let reason)? = await iterator.next() else { Issue.record("did not wait"); return }
        #expect(id == job.id && reason.contains("paper"))
        #expect(f.main.pages.isEmpty)
        f.main.loadPaper()
        while let event = await iterator.next() {
            if case .printed(let printed, _) = event { #expect(printed == job.id); break }
        }
        try await f.main.waitUntil("both copies") { $0.pages.count >= 2 }
        running.cancel()
        await running.value
        #expect(f.main.pages.count == 2 && f.backup.pages.isEmpty)
        await f.main.stop(); await f.backup.stop()
    }

    @Test func coverLeftOpenFailsOverToTheBackupPrinter() async throws {
        let f = try await Fixture(failoverAfter: 1)
        f.main.openCover()
        let running = Task { await f.spooler.run() }
        let job = try await f.issueAndQueue(key: "k3")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        var movedTo: String?
        while let event = await iterator.next() {
            if case .failedOver(let id, let role) = event, id == job.id { movedTo = role }
            if case .printed(let id, let on) = event, id == job.id {
                #expect(on.hasPrefix("hall-backup-printer"))
                break
            }
        }
        #expect(movedTo == "hall-backup-printer")
        try await f.backup.waitUntil("both copies on the backup") { $0.pages.count >= 2 }
        running.cancel()
        await running.value
        #expect(f.main.pages.isEmpty)
        #expect(f.backup.pages.count == 2)
        await f.main.stop(); await f.backup.stop()
    }
}

extension PrintSpoolerTests {
    @Test func paperRunningOutMidJobFinishesOnceWhenPaperIsLoaded() async throws {
        let f = try await Fixture()
        // The roll ends a dozen lines into the first copy: the printer holds the rest of the job.
        f.main.setFaults(.init(paperRunsOutAfterLines: 12))
        let running = Task { await f.spooler.run() }
        let job = try await f.issueAndQueue(key: "mid-job")
        f.spooler.doorbell.ring()
        try await f.main.waitUntil("the printer stops at paper end") { !$0.condition.canPrint }
        #expect(f.main.pages.count < 2)
        f.main.setFaults(.init())
        f.main.loadPaper()
        try await f.main.waitUntil("both copies after the paper is loaded") { $0.pages.count >= 2 }
        var iterator = f.events.makeAsyncIterator()
        while let event = await iterator.next() {
            if case .printed(let id, _) = event, id == job.id { break }
        }
        running.cancel()
        await running.value
        // Exactly once: the job was never sent again, and the backup printed nothing.
        #expect(f.main.pages.flatMap(\.qrCodes).count == 2)
        #expect(f.backup.pages.isEmpty)
        #expect(try await f.store.printJob(id: job.id)?.state == .done)
        #expect(try await f.store.printJobs().count == 1)
        await f.main.stop(); await f.backup.stop()
    }

    @Test func theSpoolerKeepsThePrinterStateCurrent() async throws {
        let f = try await Fixture()
        f.main.openCover()
        let running = Task { await f.spooler.run() }
        _ = try await f.issueAndQueue(key: "state")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        guard case .waiting? = await iterator.next() else { Issue.record("did not wait"); return }
        running.cancel()
        await running.value
        let entries = try await f.store.auditEntries()
        #expect(entries.contains { $0.action == "device.online" && $0.subject == "p1" })
        await f.main.stop(); await f.backup.stop()
    }
}
