// What a badge tap means, by where the reader is: on post (在岗) at a window, or a check-in at the entrance.
import Foundation

/// Where a badge reader is, which decides what a tap means.
public enum ReaderPlacement: Sendable, Hashable, CustomStringConvertible {
    /// At a window: a tap puts the person on post there, the next takes them off.
    case window(Int)
    /// At the hall entrance: a tap is a badge check-in (and, in sign-in mode, a sign-in for the duty chief).
    case entrance

    public var description: String {
        switch self {
        case .window(let n): return "\(n)号窗口"
        case .entrance: return "entrance"
        }
    }
}

/// The meaning of one tap.
public enum BadgeTapMeaning: Sendable, Hashable {
    case onPost(staffID: String, window: Int)
    case offPost(staffID: String, window: Int)
    case checkIn(staffID: String)
    /// In sign-in fallback: the badge is the credential; the duty chief still confirms.
    case signIn(staffID: String)
    /// A card nobody has: recorded and shown to ops, never dropped.
    case unknownCard(String)

    /// The code stored with the tap.
    public var code: String {
        switch self {
        case .onPost: return "on-post"
        case .offPost: return "off-post"
        case .checkIn: return "check-in"
        case .signIn: return "sign-in"
        case .unknownCard: return "unknown-card"
        }
    }
}

/// Who is on post at which window (佩证上岗), changed by taps at the windows' readers.
public struct OnPostBoard: Sendable, Hashable {
    public private(set) var windows: [Int: Set<String>] = [:]

    public init() {}

    /// The meaning of `card` (already mapped to `staffID`, or nil when nobody has it) tapped at `placement`;
    /// updates who is on post.
    public mutating func tap(card: String, staffID: String?, at placement: ReaderPlacement, signInMode: Bool) -> BadgeTapMeaning {
        guard let staffID else { return .unknownCard(card) }
        switch placement {
        case .entrance:
            return signInMode ? .signIn(staffID: staffID) : .checkIn(staffID: staffID)
        case .window(let number):
            if windows[number, default: []].contains(staffID) {
                windows[number]?.remove(staffID)
                return .offPost(staffID: staffID, window: number)
            }
            // Being on post at one window takes the person off any other.
            for other in windows.keys where other != number { windows[other]?.remove(staffID) }
            windows[number, default: []].insert(staffID)
            return .onPost(staffID: staffID, window: number)
        }
    }

    public func isOnPost(_ staffID: String, window: Int) -> Bool { windows[window]?.contains(staffID) ?? false }
}
