// The hall's attendance mode as an explicit state machine: normal, or sign-in fallback per terminal role.
import Foundation

/// Why a terminal role entered or left sign-in fallback.
public enum ModeChangeReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The terminal has been unreachable or failing past the configured threshold.
    case terminalDown(detail: String)
    /// The terminal has been working again past the configured threshold.
    case terminalBack
    /// A duty chief switched by hand (staff id), e.g. for a terminal that works but reads nobody.
    case dutyChiefOrder(by: String, note: String)

    public var description: String {
        switch self {
        case .terminalDown(let detail): return "terminal down: \(detail)"
        case .terminalBack: return "terminal working again"
        case .dutyChiefOrder(let by, let note): return "ordered by duty chief \(by)" + (note.isEmpty ? "" : ": \(note)")
        }
    }

    /// Whether a stored reason (a ``description``) is a duty chief's order.
    public static func isDutyChiefOrder(_ description: String) -> Bool { description.hasPrefix("ordered by duty chief") }
}

/// The mode of one terminal role.
public enum TerminalRoleMode: Sendable, Hashable, Codable {
    case normal
    /// 签到考勤: attendance is taken by sign-in since `since`.
    case signInFallback(since: Date, reason: ModeChangeReason)

    public var isFallback: Bool { if case .signInFallback = self { return true } else { return false } }
}

/// Something that happened to a terminal role.
public enum ModeEvent: Sendable, Hashable {
    case terminalDown(role: String, at: Date, detail: String)
    case terminalBack(role: String, at: Date)
    case dutyChiefEntersFallback(role: String, at: Date, by: String, note: String)
    case dutyChiefLeavesFallback(role: String, at: Date, by: String, note: String)

    public var role: String {
        switch self {
        case .terminalDown(let r, _, _), .terminalBack(let r, _), .dutyChiefEntersFallback(let r, _, _, _),
             .dutyChiefLeavesFallback(let r, _, _, _): return r
        }
    }
}

/// A change of mode, with its reason, to be kept in the audit log.
public struct ModeTransition: Sendable, Hashable, Codable {
    public let role: String
    public let from: TerminalRoleMode
    public let to: TerminalRoleMode
    public let at: Date
    public let reason: ModeChangeReason
}

/// An event that the state machine does not accept in the current state.
public enum ModeTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownRole(String)
    case alreadyInFallback(role: String, since: Date)
    case notInFallback(role: String)
    /// A duty chief cannot end sign-in mode that the terminal's failure started: the terminal's return ends it.
    case outageNotOver(role: String)

    public var description: String {
        switch self {
        case .outageNotOver(let role):
            return "terminal role \(role) is in sign-in mode because its terminal stopped working; it returns to fingerprint attendance "
                + "by itself once the terminal answers again (then the outage is reconciled)"
        case .unknownRole(let role): return "no terminal role named \(role) is configured"
        case .alreadyInFallback(let role, let since): return "terminal role \(role) is already in sign-in mode (签到考勤) since \(since)"
        case .notInFallback(let role): return "terminal role \(role) is not in sign-in mode; nothing to leave"
        }
    }
}

/// Which windows a terminal role's failure puts into sign-in mode.
public enum FallbackScope: String, Sendable, Hashable, Codable {
    /// Any terminal role down puts the whole hall into sign-in mode.
    case hall
    /// Only the windows served by the failed terminal sign in.
    case servedWindows = "served-windows"
}

/// The attendance mode of the hall: one state per terminal role, changed only through events.
public struct HallAttendanceMode: Sendable, Hashable {
    public private(set) var roles: [String: TerminalRoleMode]
    /// The windows each terminal role serves.
    public let windowsServed: [String: Set<Int>]
    public let scope: FallbackScope

    public init(windowsServed: [String: Set<Int>], scope: FallbackScope) {
        self.windowsServed = windowsServed
        self.scope = scope
        self.roles = Dictionary(uniqueKeysWithValues: windowsServed.keys.map { ($0, TerminalRoleMode.normal) })
    }

    /// Applies an event.
    /// - Returns: the transition made.
    /// - Throws: ``ModeTransitionError`` when the event makes no sense in the role's current state; nothing changes.
    public mutating func apply(_ event: ModeEvent) throws(ModeTransitionError) -> ModeTransition {
        let role = event.role
        guard let current = roles[role] else { throw .unknownRole(role) }
        let next: TerminalRoleMode
        let at: Date
        let reason: ModeChangeReason
        switch event {
        case .terminalDown(_, let time, let detail):
            at = time; reason = .terminalDown(detail: detail)
            next = .signInFallback(since: time, reason: reason)
        case .dutyChiefEntersFallback(_, let time, let by, let note):
            at = time; reason = .dutyChiefOrder(by: by, note: note)
            next = .signInFallback(since: time, reason: reason)
        case .terminalBack(_, let time):
            at = time; reason = .terminalBack; next = .normal
        case .dutyChiefLeavesFallback(_, let time, let by, let note):
            at = time; reason = .dutyChiefOrder(by: by, note: note); next = .normal
        }
        if case .dutyChiefLeavesFallback = event, case .signInFallback(_, .terminalDown) = current { throw .outageNotOver(role: role) }
        switch (current, next) {
        case (.signInFallback(let since, _), .signInFallback): throw .alreadyInFallback(role: role, since: since)
        case (.normal, .normal): throw .notInFallback(role: role)
        default: break
        }
        roles[role] = next
        return ModeTransition(role: role, from: current, to: next, at: at, reason: reason)
    }

    /// Puts `role` back in the mode the store kept for it (`mode` "sign-in" or "normal", since when, and the stored
    /// reason): a duty chief's order stays an order (only they lift it), anything else is an outage the terminal ends.
    /// The one way a stored mode is read back (the fallback controller at start, the sign-in desk at each sign-in).
    public mutating func restore(role: String, mode: String, since: Date, reason: String) {
        guard mode == "sign-in", roles[role] != nil else { return }
        _ = try? apply(ModeChangeReason.isDutyChiefOrder(reason)
            ? .dutyChiefEntersFallback(role: role, at: since, by: "", note: reason)
            : .terminalDown(role: role, at: since, detail: reason))
    }

    /// Whether staff of `window` must sign in now.
    public func requiresSignIn(window: Int) -> Bool {
        let down = roles.filter { $0.value.isFallback }.map(\.key)
        switch scope {
        case .hall: return !down.isEmpty
        case .servedWindows: return down.contains { windowsServed[$0]?.contains(window) ?? false }
        }
    }

    /// Whether any part of the hall is in sign-in mode.
    public var anyFallback: Bool { roles.values.contains { $0.isFallback } }
}
