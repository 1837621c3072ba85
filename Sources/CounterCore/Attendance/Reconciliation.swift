// After sign-in mode: the terminal's punches and the staff's sign-ins of the outage become one attendance record
// per person and moment, both sources kept; what does not agree is listed for the duty chief (pure).
import Foundation

/// A punch to reconcile: already linked to a person.
public struct ReconcilablePunch: Sendable, Hashable {
    public let id: Int64
    public let staffID: String
    public let at: Date

    public init(id: Int64, staffID: String, at: Date) {
        self.id = id
        self.staffID = staffID
        self.at = at
    }
}

/// A sign-in to reconcile, with where its review stands.
public struct ReconcilableSignIn: Sendable, Hashable {
    public let id: Int64
    public let staffID: String
    public let at: Date
    public let status: SignInStatus

    public init(id: Int64, staffID: String, at: Date, status: SignInStatus) {
        self.id = id
        self.staffID = staffID
        self.at = at
        self.status = status
    }
}

/// One attendance record: a person present at a moment, and every source that says so.
public struct AttendanceRecord: Sendable, Hashable {
    public let staffID: String
    /// The terminal's time when there is a punch (it is the primary source), else the sign-in's.
    public let at: Date
    public let punchID: Int64?
    public let signInID: Int64?

    public init(staffID: String, at: Date, punchID: Int64?, signInID: Int64?) {
        self.staffID = staffID
        self.at = at
        self.punchID = punchID
        self.signInID = signInID
    }
}

/// Something the duty chief must look at.
public enum ReconciliationConflict: Sendable, Hashable, CustomStringConvertible {
    /// The sign-in and the punch agree on the person but not on the time.
    case timesDisagree(staffID: String, signInID: Int64, signedInAt: Date, punchID: Int64, punchedAt: Date)
    /// The duty chief rejected the sign-in, but the terminal has the person punching then.
    case rejectedButPunched(staffID: String, signInID: Int64, punchID: Int64, punchedAt: Date)
    /// The sign-in was never reviewed, and the terminal has no punch to back it.
    case unreviewed(staffID: String, signInID: Int64, signedInAt: Date)

    public var staffID: String {
        switch self {
        case .timesDisagree(let s, _, _, _, _), .rejectedButPunched(let s, _, _, _), .unreviewed(let s, _, _): return s
        }
    }

    /// A code for the store and the API.
    public var code: String {
        switch self {
        case .timesDisagree: return "times-disagree"
        case .rejectedButPunched: return "rejected-but-punched"
        case .unreviewed: return "unreviewed"
        }
    }

    public var description: String {
        switch self {
        case .timesDisagree(let s, _, let signed, _, let punched):
            let minutes = Int(abs(punched.timeIntervalSince(signed)) / 60)
            return "\(s): signed in and punched \(minutes) minutes apart (签到与考勤机时间不一致); check which is right"
        case .rejectedButPunched(let s, _, _, _):
            return "\(s): the sign-in was rejected, but the terminal has a punch then (签到被驳回但考勤机有记录); check the rejection"
        case .unreviewed(let s, _, _):
            return "\(s): the sign-in was never confirmed or rejected, and the terminal has no punch (签到未审核); review it"
        }
    }
}

/// The outcome: one record per person and moment, and the conflicts.
public struct ReconciliationResult: Sendable, Hashable {
    public let records: [AttendanceRecord]
    public let conflicts: [ReconciliationConflict]
}

/// The reconciliation rules.
public struct Reconciliation: Sendable {
    /// A sign-in and a punch of the same person this close are the same arrival or departure.
    public var sameMoment: TimeInterval
    /// Further apart than `sameMoment` but within this, they are still one record, and the difference is a conflict.
    public var disagreement: TimeInterval

    public init(sameMoment: TimeInterval = 15 * 60, disagreement: TimeInterval = 2 * 3600) {
        self.sameMoment = sameMoment
        self.disagreement = max(disagreement, sameMoment)
    }

    /// Pairs each sign-in with the nearest unused punch of the same person within `disagreement` (a punch backs at
    /// most one sign-in); then:
    /// - confirmed or pending sign-in + punch: one record at the punch's time with both sources (a conflict when
    ///   they are more than `sameMoment` apart);
    /// - confirmed sign-in alone: a record from the sign-in;
    /// - pending sign-in alone: a conflict (never reviewed), no record;
    /// - rejected sign-in + punch: a record from the punch, and a conflict; rejected alone: nothing;
    /// - punch alone: a record from the punch.
    public func reconcile(punches: [ReconcilablePunch], signIns: [ReconcilableSignIn]) -> ReconciliationResult {
        var unused = Dictionary(grouping: punches, by: \.staffID).mapValues { $0.sorted { ($0.at, $0.id) < ($1.at, $1.id) } }
        var records: [AttendanceRecord] = []
        var conflicts: [ReconciliationConflict] = []
        for signIn in signIns.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            var match: ReconcilablePunch?
            if var candidates = unused[signIn.staffID],
               let index = candidates.indices.min(by: { abs(candidates[$0].at.timeIntervalSince(signIn.at)) < abs(candidates[$1].at.timeIntervalSince(signIn.at)) }),
               abs(candidates[index].at.timeIntervalSince(signIn.at)) <= disagreement {
                match = candidates.remove(at: index)
                unused[signIn.staffID] = candidates
            }
            switch (signIn.status, match) {
            case (.rejected, let punch?):
                records.append(AttendanceRecord(staffID: signIn.staffID, at: punch.at, punchID: punch.id, signInID: signIn.id))
                conflicts.append(.rejectedButPunched(staffID: signIn.staffID, signInID: signIn.id, punchID: punch.id, punchedAt: punch.at))
            case (.rejected, nil):
                break
            case (_, let punch?):
                records.append(AttendanceRecord(staffID: signIn.staffID, at: punch.at, punchID: punch.id, signInID: signIn.id))
                if abs(punch.at.timeIntervalSince(signIn.at)) > sameMoment {
                    conflicts.append(.timesDisagree(staffID: signIn.staffID, signInID: signIn.id, signedInAt: signIn.at, punchID: punch.id, punchedAt: punch.at))
                }
            case (.confirmed, nil):
                records.append(AttendanceRecord(staffID: signIn.staffID, at: signIn.at, punchID: nil, signInID: signIn.id))
            case (.pending, nil):
                conflicts.append(.unreviewed(staffID: signIn.staffID, signInID: signIn.id, signedInAt: signIn.at))
            }
        }
        for punch in unused.values.joined() {
            records.append(AttendanceRecord(staffID: punch.staffID, at: punch.at, punchID: punch.id, signInID: nil))
        }
        records.sort { ($0.at, $0.staffID) < ($1.at, $1.staffID) }
        return ReconciliationResult(records: records, conflicts: conflicts)
    }
}
