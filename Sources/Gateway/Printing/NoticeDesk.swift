// Issuing and printing notices: the one path the command line and the HTTP API share.
import CounterConfig
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import Notices

/// Why a notice was not issued or printed, said so that the clerk or the window software can fix it.
public enum NoticeDeskError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownWindow(Int, configured: [Int])
    case unknownClerk(String)
    case noPrinter(window: Int)
    case unknownNotice(String)
    case voided(String, reason: String)
    /// Voiding: who asked is not on file, may not void, or gave no reason; the notice is void already.
    case unknownVoider(String)
    case mayNotVoid(String)
    case noVoidReason
    case alreadyVoid(String)

    public var description: String {
        switch self {
        case .unknownWindow(let window, let configured):
            return "window \(window) is not configured; windows: " + configured.map(String.init).joined(separator: ", ")
        case .unknownClerk(let id): return "no staff member with id \(id) (经办人); countergate staff list shows who is on file"
        case .noPrinter(let window): return "no printer serves window \(window); configure one ([[device]] kind = \"printer\") or name a printer role"
        case .unknownNotice(let number): return "no notice numbered \(number)"
        case .voided(let number, let reason): return "notice \(number) is void (\(reason)); a void notice is not reprinted"
        case .unknownVoider(let id): return "by: no staff member \(id)"
        case .mayNotVoid(let id):
            return "\(id) is neither a window lead (首席代表) nor a duty chief (值班长); only they void notices"
        case .noVoidReason: return "reason: say why the notice is void"
        case .alreadyVoid(let number): return "notice \(number) is already void"
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
    /// the running gateway's watch of the store sees the job as it commits, ``HallStore/watchQueuedPrintJobs``).
    public let doorbell: SpoolerDoorbell?

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, doorbell: SpoolerDoorbell? = nil) {
        self.config = config
        self.store = store
        self.clock = clock
        self.doorbell = doorbell
    }

    /// Voids a notice (作废): its number is kept, never reused. Only a window lead or a duty chief voids, and says why;
    /// the command line and the API both come here.
    public func void(number: String, reason: String, by staffID: String) async throws -> StoredNotice {
        guard let person = try await store.staff(id: staffID) else { throw NoticeDeskError.unknownVoider(staffID) }
        guard person.has(.windowLead) || person.has(.dutyChief) else { throw NoticeDeskError.mayNotVoid(staffID) }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw NoticeDeskError.noVoidReason }
        do {
            return try await store.voidNotice(number: number, reason: reason, actor: staffID, at: clock.now())
        } catch StoreError.unknownNotice(let number) {
            throw NoticeDeskError.unknownNotice(number)
        } catch StoreError.noticeAlreadyVoid(let number) {
            throw NoticeDeskError.alreadyVoid(number)
        }
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
        // An acceptance that follows a supplementary-materials notice names one of this window, still open.
        try await ItemCatalogueDesk(config: config, store: store, clock: clock).checkFollows(draft, idempotencyKey: idempotencyKey)
        let now = clock.now()
        let issued: (notice: StoredNotice, job: PrintJob)
        do {
            issued = try await store.issueAndQueue(draft, format: config.noticeNumberFormat, calendar: try config.calendar(), at: now,
                                                   idempotencyKey: idempotencyKey, printerRole: printer, copies: 2)
        } catch StoreError.alreadyFollowed(let number, let by) {
            throw ItemCatalogueDeskError.followsAlreadyAccepted(number, by: by)
        }
        doorbell?.ring()
        return IssuedNotice(notice: issued.notice, job: issued.job)
    }

    /// What a notice would print as if issued now, on the printer that would print it; nothing is stored and no number
    /// is taken (the number shown is the next one, marked 预览). The clerk's page shows it while the form is filled in,
    /// with what must still be filled in or corrected.
    public func preview(_ draft: NoticeDraft, printerRole: String? = nil) async throws -> NoticeDraftPreview {
        var problems = draft.problems()
        let window = config.windows.first { $0.number == draft.window }
        if window == nil, draft.window > 0 {
            problems.append(NoticeFieldProblem(field: "window", message: "\(draft.window)号窗口未配置"))
        }
        var clerkName = draft.clerk
        if !draft.clerk.isEmpty {
            if let person = try await store.staff(id: draft.clerk) { clerkName = person.name } else {
                problems.append(NoticeFieldProblem(field: "clerk", message: "没有工号为\(draft.clerk)的工作人员"))
            }
        }
        var promised: PromisedCompletion?
        if draft.kind.carriesPromisedDate, let days = draft.promisedWorkingDays, (1...365).contains(days) {
            // A year with no holiday arrangement loaded does not stop the notice: its date is provisional (暂定).
            promised = try config.calendar().promisedCompletionDateAllowingProvisional(acceptedOn: draft.receivedOn, workingDays: days)
        }
        let now = clock.now()
        let number = try await store.peekNoticeNumber(year: CivilDate(now).year, format: config.noticeNumberFormat) + "(预览)"
        let notice = Notice(number: number, year: 0, sequence: 0, draft: draft, issuedAt: now, promisedCompletion: promised?.date,
                            promisedCompletionProvisional: promised?.provisional ?? false)
        let context = NoticeContext(hallName: config.hall.name, hallPhone: config.hall.phone, window: window, clerkName: clerkName)
        let document = NoticeTemplates.document(for: notice, context: context, columns: columns(printerRole: printerRole ?? PrinterRoles.role(forWindow: draft.window, in: config)))
        return NoticeDraftPreview(number: number, promisedCompletion: promised?.date, provisionalForYears: promised?.missingYears ?? [],
                                  text: NoticePreview.plainText(document), problems: problems)
    }

    /// The columns of the printer model configured for `printerRole`; 48 (80 mm paper) when it is not known.
    func columns(printerRole: String?) -> Int {
        guard let role = printerRole, let profileID = config.devices.first(where: { $0.role == role })?.profile,
              let profile = (try? PrinterProfiles.load(directory: config.printing.profilesDirectory))?[profileID] else { return 48 }
        return NoticeESCPOS.columns(for: profile)
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

/// A notice as it would print, before it is issued (``NoticeDesk/preview(_:printerRole:)``).
public struct NoticeDraftPreview: Sendable {
    /// The number the notice would get if issued now, marked (预览); the real one is allocated when it is issued.
    public let number: String
    /// 承诺办结日期, for the kinds that carry one.
    public let promisedCompletion: CivilDate?
    /// The years with no holiday arrangement loaded that the promised date was counted across on weekends alone
    /// (empty when the date is final, not 暂定).
    public let provisionalForYears: [Int]
    /// The paper, line for line, both copies.
    public let text: String
    /// What must be filled in or corrected before the notice can be issued (Chinese, for the clerk).
    public let problems: [NoticeFieldProblem]
}
