// Who an API token speaks for: the roles of the hall's HTTP clients, and what each may do.
import Foundation

/// The role an API token carries. A token is given to one client (a window PC, the sign-in kiosk, the
/// duty chief's tablet, ops), and its role decides every request it makes (``allows(_:)``).
///
/// Written as text in the store, on the command line and in JSON: `clerk:3`, `duty-chief`, `inspection`, `leader`,
/// `ops`, `kiosk`, `read-only`.
public enum APIRole: Sendable, Hashable {
    /// The PC at window N (N号窗口): prints notices for that window only, reads the rest it needs.
    case clerk(window: Int)
    /// The duty chief (值班长): reviews sign-ins, reads attendance, voids and reprints notices, approves short leave,
    /// records missed punches (补卡).
    case dutyChief
    /// The inspection office (督查室): reads attendance, approves outings up to half a day, keeps the duty roster,
    /// publishes the monthly sheet (公示).
    case inspection
    /// The hall's leader in charge (中心分管领导): reads attendance, approves leave beyond half a day, keeps the roster.
    case leader
    /// Ops (网络管理员): everything but signing in, reviewing sign-ins and the people's acts on attendance (leave, 补卡,
    /// the duty roster, publishing the sheet).
    case ops
    /// The sign-in kiosk (签到机): signs in and reads the hall's mode, nothing else.
    case kiosk
    /// A read-only client (a wall display, the central office): every read, no writes.
    case readOnly

    /// The windows a clerk token may name: those a configuration can define.
    public static let windowNumbers: ClosedRange<Int> = 1...999

    /// Every role without a window, and `clerk` for each of `windows`: the roles a hall with these windows can have.
    public static func all(windows: some Sequence<Int>) -> [APIRole] {
        windows.map { .clerk(window: $0) } + [.dutyChief, .inspection, .leader, .ops, .kiosk, .readOnly]
    }

    /// Reads the text form (`clerk:3`, `duty-chief`, `ops`, `kiosk`, `read-only`).
    /// - Throws: ``APIRoleError`` naming what was wrong and what is accepted.
    public init(parsing text: String) throws(APIRoleError) {
        switch text {
        case "duty-chief": self = .dutyChief
        case "inspection": self = .inspection
        case "leader": self = .leader
        case "ops": self = .ops
        case "kiosk": self = .kiosk
        case "read-only": self = .readOnly
        default:
            guard text.hasPrefix("clerk") else { throw .unknown(text) }
            let rest = text.dropFirst("clerk".count)
            let digits = rest.dropFirst()
            // Only the canonical digits: `clerk:+3` or `clerk:03` would not print back as written.
            guard rest.first == ":", digits.count <= 9, let number = Int(digits), String(number) == digits else {
                throw .clerkWithoutWindow(text)
            }
            guard Self.windowNumbers.contains(number) else { throw .windowOutOfRange(number) }
            self = .clerk(window: number)
        }
    }

    /// The text form, as stored and as accepted by ``init(parsing:)``.
    public var text: String {
        switch self {
        case .clerk(let window): "clerk:\(window)"
        case .dutyChief: "duty-chief"
        case .inspection: "inspection"
        case .leader: "leader"
        case .ops: "ops"
        case .kiosk: "kiosk"
        case .readOnly: "read-only"
        }
    }

    /// The role in the hall's words, for pages and lists (3号窗口, 值班长, 运维, 签到机, 只读).
    public var chineseLabel: String {
        switch self {
        case .clerk(let window): "\(window)号窗口"
        case .dutyChief: "值班长"
        case .inspection: "督查室"
        case .leader: "分管领导"
        case .ops: "运维"
        case .kiosk: "签到机"
        case .readOnly: "只读"
        }
    }

    /// The window of a clerk token; nil for the other roles.
    public var window: Int? {
        if case .clerk(let window) = self { return window }
        return nil
    }

    /// Whether a token of this role may do `permission`. The whole access policy of the API is this function.
    public func allows(_ permission: APIPermission) -> Bool {
        switch self {
        case .clerk(let window):
            switch permission {
            case .printNotice(let target): return target == window
            case .readNotices, .readJobs, .readMode, .readStaff, .requestLeave: return true
            default: return false
            }
        case .dutyChief:
            switch permission {
            case .reviewSignIns, .readAttendance, .readNotices, .readMode, .readStaff, .readDevices, .readJobs, .manageNotices,
                 .requestLeave, .decideLeave, .correctPunches: return true
            default: return false
            }
        case .inspection:
            switch permission {
            case .readAttendance, .readNotices, .readMode, .readStaff, .requestLeave, .decideLeave, .manageRoster, .publishSheet: return true
            default: return false
            }
        case .leader:
            switch permission {
            case .readAttendance, .readNotices, .readMode, .readStaff, .requestLeave, .decideLeave, .manageRoster: return true
            default: return false
            }
        case .ops:
            switch permission {
            case .submitSignIn, .reviewSignIns, .requestLeave, .decideLeave, .correctPunches, .manageRoster, .publishSheet: return false
            default: return true
            }
        case .kiosk:
            switch permission {
            case .submitSignIn, .readMode: return true
            default: return false
            }
        case .readOnly:
            return permission.isRead
        }
    }
}

extension APIRole: CustomStringConvertible {
    public var description: String { text }
}

extension APIRole: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try APIRole(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A role text that is not one of the roles.
public enum APIRoleError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)
    case clerkWithoutWindow(String)
    case windowOutOfRange(Int)

    static let accepted = "clerk:N (N the window number), duty-chief, inspection, leader, ops, kiosk, read-only"

    public var description: String {
        switch self {
        case .unknown(let text): "\"\(text)\" is not a role; expected one of \(Self.accepted)"
        case .clerkWithoutWindow(let text): "\"\(text)\" does not name a window; a clerk token is for one window, e.g. clerk:3"
        case .windowOutOfRange(let n): "window \(n) cannot exist; windows are numbered \(APIRole.windowNumbers.lowerBound) to \(APIRole.windowNumbers.upperBound)"
        }
    }
}
