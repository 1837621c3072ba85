// The people of the hall: who they are, where they sit, and what they may do.
import Foundation

/// What a person does in the hall; one person may hold several roles.
public enum StaffRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// 窗口工作人员: prints notices, clocks in and out.
    case clerk
    /// 窗口负责人 / 首席代表: signs off leave for the window, reprints or voids notices.
    case windowLead = "window-lead"
    /// 值班长: confirms sign-ins, approves short leave, checks who is on post.
    case dutyChief = "duty-chief"
    /// 督查室: publishes the monthly attendance summary, audits.
    case inspection
    /// 网络管理员: installs, monitors and replaces devices.
    case ops
    /// 中心分管领导: the hall's leader in charge; approves leave and outings beyond half a day.
    case leader

    /// The hall's word for the role.
    public var chineseName: String {
        switch self {
        case .clerk: return "窗口工作人员"
        case .windowLead: return "窗口负责人"
        case .dutyChief: return "值班长"
        case .inspection: return "督查室"
        case .ops: return "网络管理员"
        case .leader: return "中心分管领导"
        }
    }

    /// Reads a role as written in a staff list: the English code or the Chinese name (首席代表 counts as window lead).
    public init?(token: String) {
        let t = token.trimmingCharacters(in: .whitespaces)
        if let role = StaffRole(rawValue: t.lowercased()) { self = role; return }
        switch t {
        case "窗口工作人员", "工作人员", "窗口人员": self = .clerk
        case "窗口负责人", "首席代表": self = .windowLead
        case "值班长": self = .dutyChief
        case "督查室", "督查": self = .inspection
        case "网络管理员", "运维": self = .ops
        case "中心分管领导", "分管领导": self = .leader
        default: return nil
        }
    }

    public static func < (a: StaffRole, b: StaffRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which half of a window's A/B post pair (AB岗) a person holds.
public enum PostSlot: String, Sendable, Hashable, Codable {
    case a = "A"
    case b = "B"
}

/// A member of staff. `id` is the hall's staff number; `terminalUserID` is the user id enrolled on the
/// fingerprint terminals, which is how punches find their person.
public struct Staff: Sendable, Hashable, Codable {
    public let id: String
    public var name: String
    /// The window the person serves at, if any (ops and inspection staff may have none).
    public var window: Int?
    /// The stationed department (派驻单位) the person belongs to.
    public var department: String
    public var roles: Set<StaffRole>
    public var terminalUserID: String?
    public var post: PostSlot?

    public init(id: String, name: String, window: Int?, department: String, roles: Set<StaffRole>,
                terminalUserID: String? = nil, post: PostSlot? = nil) {
        self.id = id
        self.name = name
        self.window = window
        self.department = department
        self.roles = roles
        self.terminalUserID = terminalUserID
        self.post = post
    }

    public func has(_ role: StaffRole) -> Bool { roles.contains(role) }
}
