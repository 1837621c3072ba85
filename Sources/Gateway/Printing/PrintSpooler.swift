// The print spooler: one worker per printer role, taking durable jobs from the store and printing each exactly once.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import Notices
import ServiceLifecycle
import Synchronization

/// A printer the spooler drives: its configuration, model profile and transport.
public struct SpooledPrinter: Sendable {
    public let device: HallConfiguration.Device
    public let profile: PrinterProfile
    public let transport: any PrinterTransport

    public init(device: HallConfiguration.Device, profile: PrinterProfile, transport: any PrinterTransport) {
        self.device = device
        self.profile = profile
        self.transport = transport
    }

    /// `window-1-printer (xprinter-xp80 at tcp://…)`, for logs and the job's record of where it printed.
    public var label: String { "\(device.role) (\(profile.id) at \(device.address))" }
}

/// What the spooler did, for tests and the benchmark.
public enum SpoolerEvent: Sendable {
    case printed(jobID: Int64, on: String)
    case waiting(jobID: Int64, reason: String)
    case failedOver(jobID: Int64, to: String)
    case failed(jobID: Int64, reason: String)
}

/// Wakes the workers when a job is queued, so a print request does not wait for the next poll.
///
/// Rings are counted: a worker notes the count before it looks at the queue and waits only if no ring came since,
/// so a job queued between its look and its wait is not left for the next poll.
public final class SpoolerDoorbell: Sendable {
    private struct State {
        var rings: UInt64 = 0
        var waiters: [UUID: AsyncStream<Void>.Continuation] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiting = state.withLock { state in
            state.rings &+= 1
            return Array(state.waiters.values)
        }
        for continuation in waiting { continuation.yield() }
    }

    /// How many times the bell has rung; a worker notes it before looking at the queue.
    var rings: UInt64 { state.withLock { $0.rings } }

    /// Waits for a ring, at most `timeout`; returns at once when it rang since `seen` (``rings`` before the look).
    func wait(timeout: Duration, since seen: UInt64? = nil) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let rangMeanwhile = state.withLock { state in
            if let seen, state.rings != seen { return true }
            state.waiters[id] = continuation
            return false
        }
        if rangMeanwhile { return }
        defer { _ = state.withLock { $0.waiters.removeValue(forKey: id) } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in stream { return } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Prints the jobs of every configured printer role.
public struct PrintSpooler: Sendable {
    public let printers: [SpooledPrinter]
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock
    public let logger: Logger
    public let doorbell: SpoolerDoorbell
    public var observer: (@Sendable (SpoolerEvent) -> Void)?
    /// Told what each print and each idle status check found.
    public var health: DeviceHealthMonitor?
    /// Which device serves each role now; nil prints on the configured printers only.
    public var bindings: RoleBindings?
    /// How long an idle worker waits before it looks at the queue again when nothing rings: retries come due by time.
    /// New jobs do not wait for it: a job queued here rings the doorbell, and one queued by another process (the CLI)
    /// is seen by the store's watch (``HallStore/watchQueuedPrintJobs(interval:onReady:onQueued:)``) as soon as it commits.
    /// Retries and status checks do not wait for it either: the worker sleeps until the first is due.
    public var idlePoll: Duration = .seconds(10)
    /// Called once the watch for jobs queued by other processes has read its starting point (tests wait for it).
    public var onWatchReady: (@Sendable () -> Void)?

    public init(printers: [SpooledPrinter], config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger,
                doorbell: SpoolerDoorbell = SpoolerDoorbell(), observer: (@Sendable (SpoolerEvent) -> Void)? = nil) {
        self.printers = printers
        self.config = config
        self.store = store
        self.clock = clock
        self.logger = logger
        self.doorbell = doorbell
        self.observer = observer
    }

    /// Runs every printer's worker until cancelled.
    public func run() async {
        do {
            let interrupted = try await store.recoverInterruptedPrintJobs(at: clock.now())
            if !interrupted.isEmpty {
                logger.warning("print jobs interrupted by a stop need a person", metadata: ["jobs": "\(interrupted)", "fix": "countergate jobs retry|cancel"])
            }
        } catch {
            logger.error("cannot check for interrupted print jobs: \(error)")
        }
        await withTaskGroup(of: Void.self) { group in
            for printer in printers { group.addTask { await work(printer) } }
            guard !printers.isEmpty else { return }
            group.addTask { await watchOtherProcesses() }
        }
    }

    /// Rings the doorbell when another process queues a job, so a notice from the command line prints at once.
    /// A failed watch is started again (after 1 s, doubling to 30 s); meanwhile the workers' own poll finds the jobs.
    func watchOtherProcesses() async {
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                try await store.watchQueuedPrintJobs(onReady: { onWatchReady?() }, onQueued: { doorbell.ring() })
                return
            } catch {
                logger.warning("the watch for print jobs queued by other processes stopped; it starts again in \(backoff), and until then such jobs wait up to \(idlePoll) for the printers' own look at the queue: \(error)",
                               metadata: ["fix": "check the store's folder is readable (countergate doctor)"])
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// One printer's loop: take its next due job, print it, repeat; sleep until rung or the next retry is due.
    func work(_ configured: SpooledPrinter) async {
        var printer = configured  // the role's device now: ops may rebind the role (RoleBindings)
        // The first idle moment checks at once, so the printer's state is known from the start.
        var lastCheck = ContinuousClock.now - .seconds(config.health.printerStatusIntervalSeconds)
        while !Task.isCancelled {
            let rung = doorbell.rings
            let job: PrintJob?
            do { job = try await store.takeNextPrintJob(roles: [printer.device.role], at: clock.now()) } catch {
                logger.error("print queue unreadable: \(error)")
                job = nil
            }
            if let job {
                guard let bound = await boundPrinter(for: configured, previous: printer, job: job) else { continue }
                printer = bound
                await print(job, on: printer)
                lastCheck = ContinuousClock.now
            } else if health != nil, ContinuousClock.now - lastCheck >= .seconds(config.health.printerStatusIntervalSeconds) {
                // An idle printer is asked for its status now and then, so a failed one shows before a clerk needs it;
                // after a rebinding, the printer bound now (PrintSpooler+RoleBindings.swift).
                printer = await statusPrinter(for: configured, previous: printer)
                await checkStatus(printer)
                lastCheck = ContinuousClock.now
            } else {
                // New jobs ring the bell; a retry comes due by time, and the status check by its interval: sleep until
                // the first of these (an idle printer costs nothing between them), at most `idlePoll`.
                var wait = idlePoll
                if health != nil {
                    wait = min(wait, .seconds(config.health.printerStatusIntervalSeconds) - (ContinuousClock.now - lastCheck))
                }
                if let due = try? await store.nextPrintAttempt(roles: [printer.device.role]) {
                    wait = min(wait, .milliseconds(Int64(max(0, due.timeIntervalSince(clock.now())) * 1000)))
                }
                await doorbell.wait(timeout: max(wait, .milliseconds(10)), since: rung)
            }
        }
        await printer.transport.close()
    }

    /// Prints one job that the store handed over (state `printing`), and records how it ended.
    func print(_ job: PrintJob, on printer: SpooledPrinter) async {
        let rendered: RenderedNotice
        do { rendered = try await render(job, for: printer.profile) } catch {
            // Nothing was sent: a notice this printer cannot carry will not print by retrying.
            await finish(job, failed: "\(error)")
            return
        }
        do {
            try await printer.transport.open()
            if let notReady = try await readiness(printer) {
                await report(printer, problem: notReady)
                try await wait(job, on: printer, reason: notReady)
                return
            }
            try await printer.transport.write(rendered.bytes)
            // The bytes are in the printer: from here the job is never sent again (no duplicate notice). If the
            // printer reports a problem now, it prints the rest once the problem is fixed.
            let confirmed = try await confirmPrinted(printer, printSeconds: rendered.rasterPrintSeconds)
            if !confirmed, let problem = try await readiness(printer) {
                await report(printer, problem: problem)
                logger.warning("the printer reports a problem after the job was sent; it finishes when fixed",
                               metadata: ["job": "\(job.id)", "printer": "\(printer.label)", "problem": "\(problem)"])
            } else {
                await report(printer, problem: nil)
            }
            try await store.markPrinted(job: job.id, on: printer.label + (confirmed ? "" : ", not confirmed by the printer"), at: clock.now())
            observer?(.printed(jobID: job.id, on: printer.label))
            logger.info("printed", metadata: ["job": "\(job.id)", "printer": "\(printer.label)", "bytes": "\(rendered.bytes.count)"])
        } catch let error as TransportError {
            await printer.transport.close()
            await report(printer, problem: error.description, reachable: false)
            try? await wait(job, on: printer, reason: error.description)
        } catch {
            logger.error("print job \(job.id) could not be recorded: \(error)")
        }
    }

    /// The job cannot print now: fail over to the backup after the configured wait, else try again later.
    func wait(_ job: PrintJob, on printer: SpooledPrinter, reason: String) async throws {
        let now = clock.now()
        let since = job.waitingSince ?? now
        if let backup = printer.device.backupRole,
           now.timeIntervalSince(since) >= TimeInterval(config.printing.failoverAfterSeconds) {
            try await store.failOver(job: job.id, to: backup, at: now)
            observer?(.failedOver(jobID: job.id, to: backup))
            logger.warning("job moved to the backup printer", metadata: ["job": "\(job.id)", "from": "\(printer.device.role)", "to": "\(backup)", "reason": "\(reason)"])
            doorbell.ring()
            return
        }
        // Doubling from [printing] retry_after_seconds, at most a minute.
        let delay = RetryBackoff.wait(afterFailures: job.attempts, initial: .seconds(min(60, config.printing.retryAfterSeconds)),
                                      maximum: .seconds(60)).components.seconds
        try await store.markWaiting(job: job.id, reason: reason, retryAt: now.addingTimeInterval(TimeInterval(delay)), at: now)
        observer?(.waiting(jobID: job.id, reason: reason))
        logger.warning("print job waiting", metadata: ["job": "\(job.id)", "printer": "\(printer.label)", "reason": "\(reason)", "retry_in_s": "\(delay)"])
    }

    private func finish(_ job: PrintJob, failed reason: String) async {
        do { try await store.markFailed(job: job.id, reason: reason, at: clock.now()) } catch { logger.error("\(error)") }
        observer?(.failed(jobID: job.id, reason: reason))
        logger.error("print job failed", metadata: ["job": "\(job.id)", "reason": "\(reason)"])
    }

    /// Why the printer cannot print now (out of paper, cover open, offline), or nil when it can or cannot say.
    public func readiness(_ printer: SpooledPrinter) async throws(TransportError) -> String? {
        guard printer.profile.status != .none, await printer.transport.canRead else { return nil }
        switch try await ESCPOSStatusProbe.ask(printer.transport, timeout: .milliseconds(config.printing.statusTimeoutMilliseconds)) {
        case .noAnswer:
            return "printer \(printer.label) does not answer status requests (DLE EOT): check it is on and online"
        case .notAStatusByte(let n, let byte):
            return "printer \(printer.label) answered status \(n) with \(String(format: "0x%02x", byte)), which is not a status byte"
        case .condition(let condition):
            return condition.canPrint ? nil : "printer \(printer.label): \(condition.summary)"
        }
    }

    /// `GS r 1` after the job, on printers that support it: the printer answers only once it has printed
    /// everything before it, so an answer confirms the paper came out. Raster lines take the paper time
    /// (`printSeconds`, from the profile's `print_speed_mm_per_s`): the wait for the answer is that much longer,
    /// with half again as margin, so a slow raster job is not taken for an unconfirmed one.
    func confirmPrinted(_ printer: SpooledPrinter, printSeconds: Double = 0) async throws(TransportError) -> Bool {
        guard printer.profile.transmitStatus, await printer.transport.canRead else { return false }
        let paper = Int((max(0, min(printSeconds, 600)) * 1500).rounded(.up))
        return try await ESCPOSStatusProbe.confirmPrinted(printer.transport, timeout: .milliseconds(config.printing.statusTimeoutMilliseconds + paper))
    }

    /// Keeps the printer's device state current in the store (a change of power state is audited): reachable
    /// printers are online, with the reason when they cannot print; unreachable ones are offline.
    func report(_ printer: SpooledPrinter, problem: String?, reachable: Bool = true) async {
        if let health {
            await health.report(printer.device.id, reachable ? .answered(problem.map { .error(reason: $0) } ?? .idle) : .unreachable(reason: problem ?? "no answer"))
        } else {
            _ = try? await store.recordDeviceState(id: printer.device.id, power: reachable ? .online : .offline, reason: problem, at: clock.now())
        }
    }

    /// The idle heartbeat: open the link and ask for the status (where the printer can say), and report it.
    func checkStatus(_ printer: SpooledPrinter) async {
        do {
            try await printer.transport.open()
            await report(printer, problem: try await readiness(printer))
        } catch {
            await printer.transport.close()
            await report(printer, problem: error.description, reachable: false)
        }
    }

    /// A job rendered for a printer model: ESC/POS for a receipt printer (with what was drawn as raster), a PDF for a
    /// page printer.
    func render(_ job: PrintJob, for profile: PrinterProfile) async throws -> RenderedNotice {
        switch job.kind {
        case .test:
            if profile.output == .pdf {
                return RenderedNotice(pdf: try NoticeTestPage.pdf(hallName: config.hall.name, printer: profile,
                                                                  font: try NoticePDFFonts.load(configured: config.printing.pdfFont)))
            }
            return try NoticeTestPage.render(hallName: config.hall.name, printer: profile, rasterFont: config.printing.rasterFont)
        case .notice:
            guard let id = job.noticeID, let stored = try await store.notice(id: id) else {
                throw PrintJobError(description: "print job \(job.id) names no notice that exists; cancel it (countergate jobs cancel \(job.id)) and issue the notice again")
            }
            let document = try await NoticeRendering.document(stored, reprint: job.reprint, columns: NoticeESCPOS.columns(for: profile),
                                                              config: config, store: store)
            if profile.output == .pdf {
                return RenderedNotice(pdf: try NoticePDF.bytes(document, font: try NoticePDFFonts.load(configured: config.printing.pdfFont)))
            }
            let rendered = try NoticeESCPOS.render(document, profile: profile, rasterFont: config.printing.rasterFont)
            if rendered.rasterLines > 0 {
                // Drawn lines are images: the printer takes longer over them than over text, said so in the log.
                logger.info("lines drawn as raster images", metadata: [
                    "job": "\(job.id)", "profile": "\(profile.id)", "lines": "\(rendered.rasterLines)", "rows": "\(rendered.rasterRows)",
                    "strips": "\(rendered.rasterStrips)", "fonts": "\(rendered.fontFiles.joined(separator: ", "))",
                    "print_seconds": "\(String(format: "%.2f", rendered.rasterPrintSeconds))",
                    "seconds_per_strip": "\(String(format: "%.3f", rendered.rasterPrintSeconds / Double(max(1, rendered.rasterStrips))))",
                ])
            }
            for warning in rendered.warnings {
                logger.warning("notice \(stored.notice.number): \(warning)", metadata: ["job": "\(job.id)"])
            }
            return rendered
        }
    }
}

/// A stored notice laid out with the hall's context, for the printers and the API's PDF.
enum NoticeRendering {
    /// Both copies of `stored`, for paper `columns` wide (a PDF ignores the width and sets A4).
    static func document(_ stored: StoredNotice, reprint: Bool, columns: Int, config: HallConfiguration, store: HallStore) async throws -> NoticeDocument {
        let clerk = try await store.staff(id: stored.notice.draft.clerk)
        let context = NoticeContext(hallName: config.hall.name, hallPhone: config.hall.phone,
                                    window: config.windows.first { $0.number == stored.notice.draft.window },
                                    clerkName: clerk?.name ?? stored.notice.draft.clerk, reprint: reprint)
        return NoticeTemplates.document(for: stored.notice, context: context, columns: columns)
    }

    /// The A4 PDF of a stored notice, in the configured font (`[printing] pdf_font`).
    /// - Throws: ``FontError`` or ``NoticePDFError`` naming the font and what to do.
    static func pdf(_ stored: StoredNotice, config: HallConfiguration, store: HallStore) async throws -> [UInt8] {
        let document = try await document(stored, reprint: false, columns: 48, config: config, store: store)
        return try NoticePDF.bytes(document, font: try NoticePDFFonts.load(configured: config.printing.pdfFont))
    }
}

extension PrintSpooler {
    /// The spooled printers of a configuration: each printer device with its profile and transport.
    /// - Throws: a ``StartupError`` naming the device when its profile is unknown or its address unreadable.
    public static func printers(of config: HallConfiguration) throws -> [SpooledPrinter] {
        let devices = config.devices.filter { $0.kind == .printer }
        guard !devices.isEmpty else { return [] }
        let profiles: PrinterProfileSet
        do { profiles = try PrinterProfiles.load(directory: config.printing.profilesDirectory) } catch {
            throw StartupError(description: "printer profiles in \(config.printing.profilesDirectory) cannot be read: \(error)")
        }
        return try devices.map { device in
            guard let profile = profiles[device.profile] else {
                throw StartupError(description: "printer \(device.id): no profile \"\(device.profile)\" in \(config.printing.profilesDirectory); known: "
                                   + profiles.profiles.map(\.id).joined(separator: ", "))
            }
            guard case .printer(let address) = device.link else {
                throw StartupError(description: "printer \(device.id): \(device.address) is not a printer address; expected \(PrinterAddress.expectedForms)")
            }
            return SpooledPrinter(device: device, profile: profile, transport: address.makeTransport())
        }
    }
}

/// Why a print job cannot be printed (not why the printer cannot print: that is a transport's error).
public struct PrintJobError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Runs the spooler under the gateway's service group.
struct PrintSpoolerService: Service {
    let spooler: PrintSpooler

    func run() async throws {
        let spooler = self.spooler
        await runUntilShutdown { await spooler.run() }
    }
}
