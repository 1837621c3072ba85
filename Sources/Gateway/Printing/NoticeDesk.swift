// Issuing and printing notices: the one path the command line and the HTTP API share.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// Why a notice was not issued or printed, said so that the clerk or the window software can fix it.
public enum NoticeDeskError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownWindow(Int, configured: [Int])
    case unknownClerk(String)
    case noPrinter(window: Int)
    case unknownNotice(String)
    case voided(String, reason: String)

    public var description: String {
        switch self {
        case .unknownWindow(let window, let configured):
            return "window \(window) is not configured; windows: " + configured.map(String.init).joined(separator: ", ")
        case .unknownClerk(let id): return "no staff member with id \(id) (经办人); countergate staff list shows who is on file"
        case .noPrinter(let window): return "no printer serves window \(window); configure one ([[device]] kind = \"printer\") or name a printer role"
        case .unknownNotice(let number): return "no notice numbered \(number)"
        case .voided(let number, let reason): return "notice \(number) is void (\(reason)); a void notice is not reprinted"
        }
    }
}

/// A notice issued and its print job queued.
public struct IssuedNotice: Sendable {
    public let notice: StoredNotice
    public let job: PrintJob
}

/// Issues notices and queues their printing; the spooler prints them.
public struct NoticeDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock
    /// Rung after a job is queued, so the spooler of this process prints at once (nil in a separate CLI process:
    /// the gateway's spooler finds the job within a second).
    public let doorbell: SpoolerDoorbell?

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, doorbell: SpoolerDoorbell? = nil) {
        self.config = config
        self.store = store
        self.clock = clock
        self.doorbell = doorbell
    }

    /// Issues a notice (number allocated in the same transaction) and queues two copies on the window's printer.
    /// The same idempotency key again returns the same notice and job: printed once.
    public func issueAndPrint(_ draft: NoticeDraft, printerRole: String? = nil, idempotencyKey: String) async throws -> IssuedNotice {
        guard config.windows.contains(where: { $0.number == draft.window }) else {
            throw NoticeDeskError.unknownWindow(draft.window, configured: config.windows.map(\.number))
        }
        guard try await store.staff(id: draft.clerk) != nil else { throw NoticeDeskError.unknownClerk(draft.clerk) }
        guard let printer = printerRole ?? PrinterRoles.role(forWindow: draft.window, in: config) else {
            throw NoticeDeskError.noPrinter(window: draft.window)
        }
        let now = clock.now()
        let notice = try await store.issue(draft, format: config.noticeNumberFormat, calendar: try config.calendar(), at: now,
                                           idempotencyKey: idempotencyKey)
        let job = try await store.enqueuePrintJob(idempotencyKey: idempotencyKey, printerRole: printer, noticeID: notice.id, copies: 2, at: now)
        doorbell?.ring()
        return IssuedNotice(notice: notice, job: job)
    }

    /// Prints a notice again (补打 on paper), same number.
    public func reprint(number: String, printerRole: String? = nil, actor: String) async throws -> IssuedNotice {
        guard let notice = try await store.notice(number: number) else { throw NoticeDeskError.unknownNotice(number) }
        guard !notice.voided else { throw NoticeDeskError.voided(number, reason: notice.voidReason ?? "") }
        guard let printer = printerRole ?? PrinterRoles.role(forWindow: notice.notice.draft.window, in: config) else {
            throw NoticeDeskError.noPrinter(window: notice.notice.draft.window)
        }
        let job = try await store.enqueuePrintJob(idempotencyKey: "reprint-\(UUID().uuidString)", printerRole: printer, noticeID: notice.id,
                                                  copies: 2, at: clock.now(), reprint: true, actor: actor)
        doorbell?.ring()
        return IssuedNotice(notice: notice, job: job)
    }
}
