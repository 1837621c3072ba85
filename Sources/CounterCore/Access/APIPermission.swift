// What an API request needs to be allowed: one permission per route, checked against the token's role.
import Foundation

/// What a request asks to do. Each API route names the one permission it needs; ``APIRole/allows(_:)`` decides.
public enum APIPermission: Sendable, Hashable {
    /// Issue and print a notice for this window (a clerk only for their own window).
    case printNotice(window: Int)
    /// Read notices and their previews.
    case readNotices
    /// Void notices and reprint them for any window.
    case manageNotices
    /// Read the print queue.
    case readJobs
    /// Retry, cancel and reprint print jobs.
    case manageJobs
    /// Read devices, their state and the candidates for a role.
    case readDevices
    /// Bind and replace devices, back up and restore terminals.
    case manageDevices
    /// Read punches, sign-ins and the attendance views.
    case readAttendance
    /// Sign in at the kiosk (签到) while the hall is in sign-in mode.
    case submitSignIn
    /// Confirm or reject sign-ins (the duty chief's review).
    case reviewSignIns
    /// Read the staff list and cards.
    case readStaff
    /// Change staff and cards.
    case manageStaff
    /// Read the hall's attendance mode (normal or sign-in).
    case readMode
    /// File leave or an outing (请假, 因公外出) for the token's person, or for anyone as the duty chief, the inspection
    /// office or the leader; give the window lead's opinion (意见).
    case requestLeave
    /// Approve or refuse leave (the core checks the person against the seed's chain and the duty roster).
    case decideLeave
    /// Record a punch the terminal did not take (补卡), with the reason.
    case correctPunches
    /// Set the duty roster (值班表).
    case manageRoster
    /// Publish (公示) and so freeze a month's attendance sheet.
    case publishSheet

    /// Every permission, with `printNotice` for each of `windows`: for tests and the documentation table.
    public static func all(windows: some Sequence<Int>) -> [APIPermission] {
        windows.map { .printNotice(window: $0) } + [
            .readNotices, .manageNotices, .readJobs, .manageJobs, .readDevices, .manageDevices,
            .readAttendance, .submitSignIn, .reviewSignIns, .readStaff, .manageStaff, .readMode,
            .requestLeave, .decideLeave, .correctPunches, .manageRoster, .publishSheet,
        ]
    }

    /// Whether this only reads (what a read-only token may do).
    public var isRead: Bool {
        switch self {
        case .readNotices, .readJobs, .readDevices, .readAttendance, .readStaff, .readMode: true
        case .printNotice, .manageNotices, .manageJobs, .manageDevices, .submitSignIn, .reviewSignIns, .manageStaff,
             .requestLeave, .decideLeave, .correctPunches, .manageRoster, .publishSheet: false
        }
    }

    /// What the permission lets one do, in words for an error message ("print notices for window 3").
    public var summary: String {
        switch self {
        case .printNotice(let window): "print notices for window \(window) (\(window)号窗口)"
        case .readNotices: "read notices"
        case .manageNotices: "void and reprint notices of any window"
        case .readJobs: "read the print queue"
        case .manageJobs: "retry, cancel and reprint print jobs"
        case .readDevices: "read devices"
        case .manageDevices: "bind, replace, back up and restore devices"
        case .readAttendance: "read attendance"
        case .submitSignIn: "sign in (签到)"
        case .reviewSignIns: "confirm or reject sign-ins, resolve attendance conflicts, order sign-in mode (值班长)"
        case .readStaff: "read the staff list"
        case .manageStaff: "change staff and cards"
        case .readMode: "read the hall's attendance mode"
        case .requestLeave: "file leave and outings, give a window lead's opinion (请假)"
        case .decideLeave: "approve or refuse leave and outings (审批请假)"
        case .correctPunches: "record a missed punch (补卡)"
        case .manageRoster: "set the duty roster (值班表)"
        case .publishSheet: "publish a month's attendance sheet (公示)"
        }
    }

    /// The roles that may do this, in the order of ``APIRole/all(windows:)``; for a 403 that says who may.
    public var allowedRoles: [APIRole] {
        let windows: [Int] = if case .printNotice(let window) = self { [window] } else { [] }
        return APIRole.all(windows: windows).filter { $0.allows(self) }
    }
}

extension APIPermission: CustomStringConvertible {
    public var description: String {
        switch self {
        case .printNotice(let window): "printNotice(window: \(window))"
        case .readNotices: "readNotices"
        case .manageNotices: "manageNotices"
        case .readJobs: "readJobs"
        case .manageJobs: "manageJobs"
        case .readDevices: "readDevices"
        case .manageDevices: "manageDevices"
        case .readAttendance: "readAttendance"
        case .submitSignIn: "submitSignIn"
        case .reviewSignIns: "reviewSignIns"
        case .readStaff: "readStaff"
        case .manageStaff: "manageStaff"
        case .readMode: "readMode"
        case .requestLeave: "requestLeave"
        case .decideLeave: "decideLeave"
        case .correctPunches: "correctPunches"
        case .manageRoster: "manageRoster"
        case .publishSheet: "publishSheet"
        }
    }
}
