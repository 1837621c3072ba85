// The window's items (事项目录) at the desk: importing the hall's list, filling a notice from an item, linking an
// acceptance to the supplementary-materials notice before it, and the waits between them. The CLI and the API share it.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// Why a catalogue could not be read or used, said so that the clerk or ops can fix it.
public enum ItemCatalogueDeskError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(ItemCatalogueError)
    case noCatalogue
    case unknownItem(window: Int, item: String, known: [String])
    case followsUnknown(String)
    case followsNotSupplementary(String, kind: NoticeKind)
    case followsVoid(String)
    case followsOtherWindow(String, window: Int)
    case followsOtherApplicant(String, applicant: String)
    case followsAlreadyAccepted(String, by: String)
    case followsEarlier(String, received: CivilDate)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read the item catalogue \(path): \(reason)"
        case .invalid(let error): return error.description
        case .noCatalogue: return "no item catalogue is imported; import the hall's list first (countergate catalogue import FILE)"
        case .unknownItem(let window, let item, let known):
            return "window \(window) has no item \"\(item)\" in the catalogue; its items: "
                + (known.isEmpty ? "none (countergate catalogue list)" : known.joined(separator: "、"))
        case .followsUnknown(let number): return "follows: no notice numbered \(number)"
        case .followsNotSupplementary(let number, let kind):
            return "follows: \(number) is a \(kind.title), not a 补办材料通知书; an acceptance follows a supplementary-materials notice"
        case .followsVoid(let number): return "follows: \(number) is void"
        case .followsOtherWindow(let number, let window):
            return "follows: \(number) was issued at window \(window); the acceptance of the same application is issued there"
        case .followsOtherApplicant(let number, let applicant):
            return "follows: \(number) was issued to \(applicant), not to this applicant; check the number (the same application, the same applicant)"
        case .followsAlreadyAccepted(let number, let by): return "follows: \(number) was already followed by the acceptance \(by)"
        case .followsEarlier(let number, let received):
            return "follows: \(number) was received on \(received); the materials cannot have been completed before that"
        }
    }
}

extension ItemCatalogueDeskError {
    /// The notice request's field at fault.
    public var field: String {
        switch self {
        case .noCatalogue, .unknownItem: return "item"
        case .followsUnknown, .followsNotSupplementary, .followsVoid, .followsOtherWindow, .followsOtherApplicant, .followsAlreadyAccepted, .followsEarlier:
            return "follows"
        case .unreadable, .invalid: return "file"
        }
    }

    /// The problem as the clerk's form shows it (Chinese).
    public var clerkMessage: String {
        switch self {
        case .noCatalogue: return "尚未导入事项目录,请手工填写,或请运维导入(countergate catalogue import)"
        case .unknownItem(let window, let item, let known):
            return "\(window)号窗口的事项目录中没有“\(item)”" + (known.isEmpty ? "" : ";可选事项:" + known.joined(separator: "、"))
        case .followsUnknown(let number): return "没有编号为\(number)的通知书"
        case .followsNotSupplementary(let number, let kind): return "\(number)是\(kind.title),不是补办材料通知书"
        case .followsVoid(let number): return "补办材料通知书\(number)已作废"
        case .followsOtherWindow(let number, let window): return "补办材料通知书\(number)由\(window)号窗口出具,应由该窗口受理"
        case .followsOtherApplicant(let number, let applicant): return "补办材料通知书\(number)的申请人是\(applicant),与本次申请人不同,请核对编号"
        case .followsAlreadyAccepted(let number, let by): return "补办材料通知书\(number)已由\(by)受理"
        case .followsEarlier(let number, let received): return "补办材料通知书\(number)的收件日期为\(received.chineseText),受理日期不能早于此日"
        case .unreadable, .invalid: return description
        }
    }
}

/// A supplementary-materials notice and how long its applicant waited (or has waited so far) for the acceptance.
public struct SupplementaryWaitReport: Sendable, Hashable, Codable {
    public let supplementary: String
    public let window: Int
    public let applicant: String
    public let item: String
    /// The day the incomplete materials were received (the supplementary notice's date).
    public let receivedOn: CivilDate
    /// The acceptance that followed, once the materials were complete; nil while still open.
    public let acceptance: String?
    public let acceptedOn: CivilDate?
    /// Calendar days from the supplementary notice to the acceptance (or to today while open).
    public let days: Int
    /// Working days in the same span (the hall's calendar); nil when a year in it has no holiday arrangement loaded.
    public let workingDays: Int?
    public let open: Bool
}

/// The catalogue's use at the desk.
public struct ItemCatalogueDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock) {
        self.config = config
        self.store = store
        self.clock = clock
    }

    /// Reads the hall's list (CSV, or the first sheet of an XLSX workbook) and stores it as the catalogue's next
    /// version; every line is checked first, and windows must be configured ones.
    public func importFile(_ path: String, actor: String) async throws -> CatalogueImport {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ItemCatalogueDeskError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let items: [CatalogueItem]
        do {
            if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
                throw ItemCatalogueDeskError.unreadable(path: path, reason: "an old .xls workbook or a password-protected one; save it from Excel or WPS as .xlsx (without a password) or as CSV UTF-8")
            }
            if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                let rows: [(line: Int, cells: [String])]
                do { rows = try XLSXSheetReader.firstSheetRows(bytes) } catch {
                    throw ItemCatalogueDeskError.unreadable(path: path, reason: "\(error)")
                }
                items = try ItemCatalogue.parse(rows: rows)
            } else {
                guard let text = String(data: bytes, encoding: .utf8) else {
                    throw ItemCatalogueDeskError.unreadable(path: path, reason: "not UTF-8 text; save the list as CSV UTF-8 (or as .xlsx)")
                }
                items = try ItemCatalogue.parse(csv: text)
            }
        } catch let error as ItemCatalogueError {
            throw ItemCatalogueDeskError.invalid(error)
        }
        let configured = Set(config.windows.map(\.number))
        let unknown = items.filter { !configured.contains($0.window) }
        guard unknown.isEmpty else {
            throw ItemCatalogueDeskError.invalid(ItemCatalogueError(problems: unknown.map {
                ItemCatalogueProblem(line: $0.line, column: "窗口", message: "window \($0.window) is not configured (configured: "
                                     + configured.sorted().map(String.init).joined(separator: ", ") + "); add it as [[window]] or fix the line")
            }))
        }
        return try await store.importCatalogue(items, fileBytes: bytes, source: URL(fileURLWithPath: path).lastPathComponent,
                                               actor: actor, at: clock.now())
    }

    /// The draft with what the catalogue says of its item filled in: the promised period, the materials (all of them
    /// received for an acceptance; for a supplementary-materials notice, all those not received are missing), a
    /// joint item's departments, and the catalogue's version. What the clerk typed is kept.
    ///
    /// `version` fills from an older version: a request sent again (its idempotency key already served) is filled
    /// from the version its notice used, so it matches that notice even after a new list was imported.
    /// - Throws: ``ItemCatalogueDeskError/noCatalogue`` or ``ItemCatalogueDeskError/unknownItem(window:item:known:)``.
    public func fill(_ draft: NoticeDraft, version: Int? = nil) async throws -> NoticeDraft {
        guard let catalogue = try await store.catalogueItems(version: version, window: draft.window) else { throw ItemCatalogueDeskError.noCatalogue }
        let name = draft.item.trimmingCharacters(in: .whitespaces)
        guard let item = catalogue.items.first(where: { $0.name == name }) else {
            throw ItemCatalogueDeskError.unknownItem(window: draft.window, item: name, known: catalogue.items.map(\.name))
        }
        var filled = draft
        filled.item = item.name
        filled.catalogueVersion = catalogue.version.version
        func blank(_ list: [String]) -> Bool { list.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        switch draft.kind {
        case .acceptance, .jointAcceptance:
            if filled.promisedWorkingDays == nil { filled.promisedWorkingDays = item.promisedWorkingDays }
            if blank(filled.materialsReceived) { filled.materialsReceived = item.materials }
            if item.isJoint, blank(filled.departments) { filled.departments = item.departments }
        case .supplementaryMaterials:
            if blank(filled.materialsMissing) {
                let received = Set(filled.materialsReceived.map { $0.trimmingCharacters(in: .whitespaces) })
                filled.materialsMissing = item.materials.filter { !received.contains($0) }
            }
        case .rejection, .returned:
            break
        }
        return filled
    }

    /// ``fill(_:version:)`` for a notice request with its idempotency key: a retry (the key already served) is filled
    /// from the version its notice used, so it still matches that notice after a new list was imported; a new request
    /// from the version in use. The command line and the API both come here.
    public func fill(_ draft: NoticeDraft, idempotencyKey: String) async throws -> NoticeDraft {
        let served = try await store.notice(idempotencyKey: idempotencyKey)
        return try await fill(draft, version: served?.notice.draft.catalogueVersion)
    }

    /// Checks the supplementary-materials notice an acceptance says it follows: it exists, is not void, is of the same
    /// window and applicant, is not followed already, and was received no later than the acceptance. A request sent
    /// again with its `idempotencyKey` (a retry, answered with the notice already issued) is not checked again. The
    /// store checks "not followed already" once more as it issues, so two clerks at once cannot both follow it.
    public func checkFollows(_ draft: NoticeDraft, idempotencyKey: String? = nil) async throws {
        guard let number = draft.follows?.trimmingCharacters(in: .whitespaces), !number.isEmpty else { return }
        if let idempotencyKey, try await store.notice(idempotencyKey: idempotencyKey) != nil { return }
        guard let earlier = try await store.notice(number: number) else { throw ItemCatalogueDeskError.followsUnknown(number) }
        let notice = earlier.notice
        guard notice.draft.kind == .supplementaryMaterials else { throw ItemCatalogueDeskError.followsNotSupplementary(number, kind: notice.draft.kind) }
        guard !earlier.voided else { throw ItemCatalogueDeskError.followsVoid(number) }
        guard notice.draft.window == draft.window else { throw ItemCatalogueDeskError.followsOtherWindow(number, window: notice.draft.window) }
        let applicant = { (s: String) in s.filter { !$0.isWhitespace } }
        guard applicant(notice.draft.applicant) == applicant(draft.applicant) else {
            throw ItemCatalogueDeskError.followsOtherApplicant(number, applicant: notice.draft.applicant)
        }
        guard notice.draft.receivedOn <= draft.receivedOn else { throw ItemCatalogueDeskError.followsEarlier(number, received: notice.draft.receivedOn) }
        if let accepted = try await store.acceptance(following: number) {
            throw ItemCatalogueDeskError.followsAlreadyAccepted(number, by: accepted.number)
        }
    }

    /// How long applicants waited between a supplementary-materials notice received from `from` to `to` and its
    /// acceptance; the open ones counted to today.
    public func waits(from: CivilDate, to: CivilDate) async throws -> [SupplementaryWaitReport] {
        let today = CivilDate(clock.now())
        let calendar = try? config.calendar()
        return try await store.supplementaryWaits(from: from, to: to).map { wait in
            let start = wait.supplementary.draft.receivedOn
            let end = wait.acceptance?.draft.receivedOn ?? today
            var working: Int?
            if let calendar, end >= start {
                // Counted as a promised period is: from the day after the supplementary notice, the last day included.
                working = try? calendar.workingDays(from: start.adding(days: 1), through: end)
            }
            return SupplementaryWaitReport(supplementary: wait.supplementary.number, window: wait.supplementary.draft.window,
                                           applicant: wait.supplementary.draft.applicant, item: wait.supplementary.draft.item,
                                           receivedOn: start, acceptance: wait.acceptance?.number, acceptedOn: wait.acceptance?.draft.receivedOn,
                                           days: end.dayNumber - start.dayNumber, workingDays: working, open: wait.acceptance == nil)
        }
    }
}
