// A sign-in (签到): made personally while a terminal is down, and checked by the duty chief (值班长).
import Foundation

/// How the person proved who they are when signing in.
public enum SignInMethod: String, Sendable, Hashable, Codable {
    /// Staff id and PIN at the kiosk or the CLI.
    case pin
    /// The person's badge at a working reader.
    case badge
}

/// Where a sign-in stands in the duty chief's review.
public enum SignInStatus: Sendable, Hashable, Codable {
    case pending
    case confirmed(by: String, at: Date)
    case rejected(by: String, at: Date, reason: String)

    public var code: String {
        switch self {
        case .pending: return "pending"
        case .confirmed: return "confirmed"
        case .rejected: return "rejected"
        }
    }
}

/// A review step that the rules do not allow.
public enum SignInReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    case alreadyReviewed(status: String)
    case notDutyChief(String)
    case ownSignIn
    case reasonRequired

    public var description: String {
        switch self {
        case .alreadyReviewed(let status): return "this sign-in was already \(status); it cannot be reviewed again"
        case .notDutyChief(let who): return "\(who) is not a duty chief (值班长); only the duty chief confirms sign-ins"
        case .ownSignIn: return "a duty chief cannot confirm their own sign-in (不得为本人确认); ask another duty chief or the inspection office"
        case .reasonRequired: return "a rejection needs a reason the person can read"
        }
    }
}

/// Why a duty chief's resolution of an attendance conflict (what the reconciliation after sign-in mode listed) was
/// refused.
public enum ConflictResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    case notDutyChief(String)
    case ownConflict
    case noteRequired

    public var description: String {
        switch self {
        case .notDutyChief(let who): return "\(who) is not a duty chief (值班长); only the duty chief resolves attendance conflicts"
        case .ownConflict: return "a duty chief cannot resolve a conflict about their own attendance (不得处理本人记录); ask another duty chief or the inspection office"
        case .noteRequired: return "say what was decided (处理意见), for the audit log"
        }
    }
}

/// The rules of resolving an attendance conflict: a duty chief, not about their own attendance, saying what was decided.
public enum ConflictResolution {
    public static func check(by resolver: Staff, about staffID: String, note: String) throws(ConflictResolutionError) {
        guard resolver.has(.dutyChief) else { throw .notDutyChief(resolver.id) }
        guard staffID != resolver.id else { throw .ownConflict }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .noteRequired }
    }
}

/// A sign-in made in sign-in fallback mode.
public struct SignIn: Sendable, Hashable, Codable {
    public let staffID: String
    public let at: Date
    public let method: SignInMethod
    /// The terminal role whose failure made sign-in necessary.
    public let terminalRole: String
    public private(set) var status: SignInStatus

    public init(staffID: String, at: Date, method: SignInMethod, terminalRole: String, status: SignInStatus = .pending) {
        self.staffID = staffID
        self.at = at
        self.method = method
        self.terminalRole = terminalRole
        self.status = status
    }

    /// The duty chief confirms the sign-in.
    public mutating func confirm(by reviewer: Staff, at time: Date) throws(SignInReviewError) {
        try checkReviewer(reviewer)
        status = .confirmed(by: reviewer.id, at: time)
    }

    /// The duty chief rejects the sign-in, saying why.
    public mutating func reject(by reviewer: Staff, at time: Date, reason: String) throws(SignInReviewError) {
        try checkReviewer(reviewer)
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .reasonRequired }
        status = .rejected(by: reviewer.id, at: time, reason: reason)
    }

    private func checkReviewer(_ reviewer: Staff) throws(SignInReviewError) {
        guard case .pending = status else { throw .alreadyReviewed(status: status.code) }
        guard reviewer.has(.dutyChief) else { throw .notDutyChief(reviewer.id) }
        guard reviewer.id != staffID else { throw .ownSignIn }
    }
}
