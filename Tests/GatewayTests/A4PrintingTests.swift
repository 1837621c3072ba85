// A4 notices through the spooler and a real CUPS scheduler (cupsd started by the test on a free loopback port): the
// a4-laser profile renders the notice as a PDF, the CUPS queue prints it into a file that pdftotext reads back; a
// paused queue keeps the job waiting with the fix (cupsenable) in its reason, then prints it once resumed; a missing
// queue moves the job to the backup printer.
import CounterConfig
import CounterCore
import CounterGateTestSupport
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import Simulators
import Testing
@testable import Gateway

@Suite(.serialized) struct A4PrintingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Fixture {
        let store: HallStore
        let config: HallConfiguration
        let spooler: PrintSpooler
        let events: AsyncStream<SpoolerEvent>

        init(a4Address: String, backupAddress: String? = nil, failoverAfter: Int = 3600) async throws {
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-a4-\(UUID().uuidString)").path
            config.printing.profilesDirectory = A4PrintingTests.root.appendingPathComponent("drivers/printers").path
            config.printing.failoverAfterSeconds = failoverAfter
            config.printing.retryAfterSeconds = 1
            config.devices = [
                try HallConfiguration.Device(id: "a4", kind: .printer, role: "window-1-a4", profile: "a4-laser", address: a4Address,
                                             serialNumber: nil, windows: [1], backupRole: backupAddress == nil ? nil : "hall-backup-a4"),
            ]
            if let backupAddress {
                config.devices.append(try HallConfiguration.Device(id: "a4b", kind: .printer, role: "hall-backup-a4", profile: "a4-laser",
                                                                   address: backupAddress, serialNumber: nil, windows: [1, 2, 3]))
            }
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

        func issueAndQueue(key: String) async throws -> (StoredNotice, PrintJob) {
            let draft = NoticeDraft(kind: .acceptance, applicant: "张喆", item: "食品经营许可", window: 1, clerk: "D001",
                                    receivedOn: CivilDate("2026-03-02")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 5)
            let notice = try await store.issue(draft, format: config.noticeNumberFormat, calendar: try config.calendar(), at: Date(), idempotencyKey: key)
            let job = try await store.enqueuePrintJob(idempotencyKey: key, printerRole: "window-1-a4", noticeID: notice.id, copies: 2, at: Date())
            return (notice, job)
        }
    }

    static func pdftotext(_ file: URL) async throws -> String {
        let result = try await ChildProcess.run("/usr/bin/pdftotext", ["-enc", "UTF-8", file.path, "-"])
        #expect(result.status == 0, "pdftotext (poppler-utils, scripts/setup --test): \(result.stderr)")
        return result.stdout
    }

    @Test("a notice on an a4-laser printer goes through CUPS as a PDF: both copies, the number, the job done once")
    func printsThroughCUPS() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let output = try await cups.addPageQueue("WINDOW1")
        let f = try await Fixture(a4Address: "ipp://\(cups.server)/printers/WINDOW1")
        let running = Task { await f.spooler.run() }
        defer { running.cancel() }
        let (notice, job) = try await f.issueAndQueue(key: "a4-1")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        while let event = await iterator.next() {
            if case .printed(let id, _) = event { #expect(id == job.id); break }
            if case .failed(_, let reason) = event { Issue.record("failed: \(reason)"); return }
        }
        let text = try await Self.pdftotext(output)
        #expect(text.contains("编号:\(notice.notice.number)"))
        #expect(text.contains("第一联(交服务对象)") && text.contains("第二联(窗口留存)") && text.contains("张喆:"))
        let stored = try #require(try await f.store.printJobs().first { $0.id == job.id })
        #expect(stored.state == .done, "\(stored)")
        let completed = try await cups.run("lpstat", ["-W", "completed", "-o", "WINDOW1"])
        #expect(completed.stdout.split(separator: "\n").filter { $0.hasPrefix("WINDOW1-") }.count == 1, "printed once: \(completed.stdout)")
    }

    @Test("a paused queue: the job waits, its reason naming the queue and cupsenable; once enabled it prints, once")
    func pausedQueueKeepsTheJob() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let output = try await cups.addPageQueue("PAUSED")
        #expect(try await cups.run("cupsdisable", ["PAUSED"]).status == 0)
        let f = try await Fixture(a4Address: "ipp://\(cups.server)/printers/PAUSED")
        let running = Task { await f.spooler.run() }
        defer { running.cancel() }
        let (_, job) = try await f.issueAndQueue(key: "a4-paused")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        while let event = await iterator.next() {
            if case .waiting(let id, let reason) = event {
                #expect(id == job.id)
                #expect(reason.contains("PAUSED is paused (stopped) in CUPS") && reason.contains("cupsenable PAUSED"), "\(reason)")
                break
            }
            if case .printed = event { Issue.record("printed on a paused queue"); return }
        }
        let waiting = try #require(try await f.store.printJobs().first { $0.id == job.id })
        #expect(waiting.state == .waiting)
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try await cups.run("cupsenable", ["PAUSED"]).status == 0)
        while let event = await iterator.next() {
            if case .printed(let id, _) = event { #expect(id == job.id); break }
        }
        #expect(try await Self.pdftotext(output).contains("第二联(窗口留存)"))
    }

    @Test("a queue that does not exist: the job moves to the backup A4 printer and prints there")
    func missingQueueFailsOver() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let backup = try await cups.addPageQueue("BACKUP")
        let f = try await Fixture(a4Address: "ipp://\(cups.server)/printers/NOSUCH", backupAddress: "ipp://\(cups.server)/printers/BACKUP",
                                  failoverAfter: 1)
        let running = Task { await f.spooler.run() }
        defer { running.cancel() }
        let (notice, job) = try await f.issueAndQueue(key: "a4-missing")
        f.spooler.doorbell.ring()
        var iterator = f.events.makeAsyncIterator()
        var reasons: [String] = []
        var movedTo: String?
        while let event = await iterator.next() {
            switch event {
            case .waiting(_, let reason): reasons.append(reason)
            case .failedOver(_, let to): movedTo = to
            case .printed(let id, let on):
                #expect(id == job.id && on.contains("BACKUP"))
            case .failed(_, let reason): Issue.record("failed: \(reason)")
            }
            if case .printed = event { break }
            if case .failed = event { return }
        }
        #expect(movedTo == "hall-backup-a4")
        #expect(reasons.first?.contains("NOSUCH is not a CUPS queue") == true && reasons.first?.contains("lpadmin -p NOSUCH") == true, "\(reasons)")
        #expect(try await Self.pdftotext(backup).contains(notice.notice.number))
    }
}
