// Leave and outings (请假, 因公外出) as the hall's rules say (考勤制度 第二条、第三条): an outing up to half a day, or
// arriving late or leaving early on business, the duty chief of that day or the inspection office approves; sick or
// personal leave up to half a day, the duty chief of that day; beyond half a day, the hall's leader in charge; where the
// window has a lead, the lead's opinion comes first; a request that could not be made in advance is made up afterwards (补办) and
// shown as such. Pure: who may act is decided here, the store keeps what was decided.
import Foundation

/// Where a request stands.
public enum LeaveState: String, Sendable, Hashable, Codable {
    /// Waiting for the window lead's opinion (窗口负责人签署意见).
    case awaitingLead = "awaiting-lead"
    /// Waiting for the approver.
    case awaitingApproval = "awaiting-approval"
    case approved
    case refused
    case withdrawn
}

/// Who must approve a request.
public enum LeaveApprover: Sendable, Hashable, CustomStringConvertible {
    /// An outing up to half a day, or arriving late or leaving early on business (第二条): the duty chief of the day,
    /// or the inspection office.
    case dutyChiefOrInspection
    /// Sick or personal leave up to half a day (第三条): the duty chief of the day.
    case dutyChief
    /// Beyond half a day: the hall's leader in charge.
    case leader

    public var description: String {
        switch self {
        case .dutyChiefOrInspection: return "the duty chief of the day (当日值班长) or the inspection office (督查室)"
        case .dutyChief: return "the duty chief of the day (当日值班长)"
        case .leader: return "the hall's leader in charge (中心分管领导)"
        }
    }
}

/// Why an act on a request is refused.
public enum LeaveError: Error, Sendable, Equatable, CustomStringConvertible {
    case endsBeforeItStarts
    case overlaps(existing: Int64)
    case notTheApprover(staffID: String, needed: LeaveApprover)
    case notTheWindowLead(staffID: String)
    case ownRequest
    case notWaiting(LeaveState)
    case noReason
    /// A duty chief approves, but the duty roster (值班表) names nobody for the leave's first day.
    case noDutyChiefOnRoster(CivilDate)

    public var description: String {
        switch self {
        case .endsBeforeItStarts: return "the leave ends before it starts; give its start and end again"
        case .overlaps(let id): return "the person already has leave \(id) at that time; change or withdraw that one instead"
        case .notTheApprover(let id, let needed): return "\(id) may not approve this: it needs \(needed)"
        case .notTheWindowLead(let id): return "\(id) is not the lead (窗口负责人) of the person's window"
        case .ownRequest: return "nobody approves or gives an opinion on their own leave"
        case .notWaiting(let state): return "the request is \(state.rawValue); only a waiting request can be acted on"
        case .noReason: return "say why (the reason is kept with the request)"
        case .noDutyChiefOnRoster(let day):
            return "the duty roster (值班表) names no duty chief for \(day), so no duty chief can approve as the duty chief of "
                + "that day; set the roster first (countergate roster set \(day) STAFF_ID)"
        }
    }
}

/// A request for leave or an outing, with the acts on it.
public struct LeaveRequest: Sendable, Hashable {
    public let staffID: String
    public let kind: LeaveKind
    public let start: Date
    public let end: Date
    public let reason: String
    /// Made up after the fact (补办): requested after it started.
    public let madeUp: Bool
    /// The person's window has a lead, whose opinion comes first.
    public let windowHasLead: Bool
    public private(set) var state: LeaveState
    public private(set) var leadOpinion: String?
    public private(set) var decidedBy: String?

    /// Half a day: a request up to this long is the duty chief's or the inspection office's to approve.
    public static let halfDay: TimeInterval = 4 * 3600

    /// - Parameters:
    ///   - requestedAt: when it was asked; after `start`, the request is a make-up (补办).
    /// - Throws: ``LeaveError`` for a request that ends before it starts or has no reason.
    public init(staffID: String, kind: LeaveKind, start: Date, end: Date, reason: String, requestedAt: Date, windowHasLead: Bool) throws(LeaveError) {
        guard end > start else { throw .endsBeforeItStarts }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .noReason }
        self.staffID = staffID
        self.kind = kind
        self.start = start
        self.end = end
        self.reason = reason
        madeUp = requestedAt > start
        self.windowHasLead = windowHasLead
        state = windowHasLead ? .awaitingLead : .awaitingApproval
    }

    /// A request as the store kept it.
    public init(restoring staffID: String, kind: LeaveKind, start: Date, end: Date, reason: String, madeUp: Bool, windowHasLead: Bool,
                state: LeaveState, leadOpinion: String?, decidedBy: String?) {
        self.staffID = staffID
        self.kind = kind
        self.start = start
        self.end = end
        self.reason = reason
        self.madeUp = madeUp
        self.windowHasLead = windowHasLead
        self.state = state
        self.leadOpinion = leadOpinion
        self.decidedBy = decidedBy
    }

    /// Still asking (not approved, refused or withdrawn).
    public var isWaiting: Bool { state == .awaitingLead || state == .awaitingApproval }

    /// Who must approve: by length and kind. Late arrival or early departure on business within one day is the duty
    /// chief's or the inspection office's however long (第二条); an outing up to half a day too (第二条); sick or personal leave up to half a
    /// day the duty chief's (第三条); anything longer the leader's.
    public var approver: LeaveApprover {
        // Arriving late or leaving early is within a day; one that runs over days is an absence, judged by its length.
        if kind == .lateArrivalOnBusiness || kind == .earlyDepartureOnBusiness, CivilDate(start) == CivilDate(end.addingTimeInterval(-1)) {
            return .dutyChiefOrInspection
        }
        guard end.timeIntervalSince(start) <= Self.halfDay else { return .leader }
        return kind.isOuting ? .dutyChiefOrInspection : .dutyChief
    }

    /// The day whose duty chief (当日值班长) may approve: the leave's first day in the hall's time zone.
    public var firstDay: CivilDate { CivilDate(start) }

    /// The window lead signs their opinion (意见); the request then waits for its approver.
    public mutating func leadOpinion(by lead: Staff, leadOfWindow: Bool, opinion: String) throws(LeaveError) {
        guard state == .awaitingLead else { throw .notWaiting(state) }
        guard lead.id != staffID else { throw .ownRequest }
        guard leadOfWindow, lead.has(.windowLead) else { throw .notTheWindowLead(staffID: lead.id) }
        guard !opinion.trimmingCharacters(in: .whitespaces).isEmpty else { throw .noReason }
        leadOpinion = opinion
        state = .awaitingApproval
    }

    /// Approves or refuses. The hall's leader in charge may decide any request.
    /// - Parameter dutyChiefOfTheDay: the staff id on the duty roster (值班表) for ``firstDay``; nil when the roster
    ///   names nobody, and then no duty chief can approve as the duty chief of that day.
    public mutating func decide(by approver: Staff, approve: Bool, dutyChiefOfTheDay: String?) throws(LeaveError) {
        guard state == .awaitingApproval else { throw .notWaiting(state) }
        guard approver.id != staffID else { throw .ownRequest }
        let needed = self.approver
        if approver.has(.leader) {
            // The leader in charge approves beyond half a day and may decide anything shorter.
        } else if needed == .dutyChiefOrInspection, approver.has(.inspection) {
            // 督查室 for outings up to half a day and business late arrivals or early departures.
        } else if needed != .leader, approver.has(.dutyChief) {
            guard let dutyChiefOfTheDay else { throw .noDutyChiefOnRoster(firstDay) }
            guard dutyChiefOfTheDay == approver.id else { throw .notTheApprover(staffID: approver.id, needed: needed) }
        } else {
            throw .notTheApprover(staffID: approver.id, needed: needed)
        }
        decidedBy = approver.id
        state = approve ? .approved : .refused
    }

    /// The person takes the request back while it waits.
    public mutating func withdraw(by staffID: String) throws(LeaveError) {
        guard state == .awaitingLead || state == .awaitingApproval else { throw .notWaiting(state) }
        guard staffID == self.staffID else { throw .ownRequest }
        state = .withdrawn
    }

    /// The approved span, for the judge of the day.
    public var span: LeaveSpan? { state == .approved ? LeaveSpan(kind: kind, start: start, end: end) : nil }

    /// Whether it overlaps `other` (the same person's requests must not).
    public func overlaps(_ other: LeaveRequest) -> Bool {
        other.staffID == staffID && other.start < end && other.end > start
            && ![LeaveState.refused, .withdrawn].contains(other.state) && ![LeaveState.refused, .withdrawn].contains(state)
    }
}
