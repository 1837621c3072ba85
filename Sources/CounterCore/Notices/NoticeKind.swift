// The five notices a window prints (通知书), and what each must carry.
import Foundation

/// The kinds of notice the hall issues to applicants.
public enum NoticeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 受理通知书: a commitment item (承诺件) whose materials are complete.
    case acceptance
    /// 补办材料通知书: materials are incomplete; everything missing is listed at once (一次性告知).
    case supplementaryMaterials = "supplementary-materials"
    /// 不予受理通知书: the request does not meet policy.
    case rejection
    /// 联办件受理通知书: an item handled jointly by two or more departments, accepted by the first window.
    case jointAcceptance = "joint-acceptance"
    /// 退回件通知书: not within this agency's authority; says where to apply instead.
    case returned

    /// The title printed on the notice.
    public var title: String {
        switch self {
        case .acceptance: return "受理通知书"
        case .supplementaryMaterials: return "补办材料通知书"
        case .rejection: return "不予受理通知书"
        case .jointAcceptance: return "联办件受理通知书"
        case .returned: return "退回件通知书"
        }
    }

    /// The title as the hall's rules write it on paper (政务中心服务规范, 第二章 3、 and the joint-items rules 四、):
    /// 承诺件受理通知书, 承诺件补办材料通知书, 不予受理通知书, ××窗口联办件受理通知书, ××窗口退回件通知书.
    ///
    /// The hall's name is printed above it (the seed's 《太谷县政务中心承诺件受理通知书》 is the hall's name and this
    /// title). `windowName` is the window's name from the configuration (不动产登记, or 不动产登记窗口); a window
    /// without a configured name is named by its number (3号窗口).
    public func paperTitle(windowName: String?, windowNumber: Int) -> String {
        let window = Self.titleWindow(windowName: windowName, windowNumber: windowNumber)
        switch self {
        case .acceptance: return "承诺件受理通知书"
        case .supplementaryMaterials: return "承诺件补办材料通知书"
        case .rejection: return "不予受理通知书"
        case .jointAcceptance: return window + "联办件受理通知书"
        case .returned: return window + "退回件通知书"
        }
    }

    /// The ×× of a title that names the window: 不动产登记窗口 (from 不动产登记 or 不动产登记窗口), or 3号窗口.
    public static func titleWindow(windowName: String?, windowNumber: Int) -> String {
        let name = (windowName ?? "").trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return "\(windowNumber)号窗口" }
        return name.hasSuffix("窗口") ? name : name + "窗口"
    }

    /// Whether the title names the window (联办件受理通知书, 退回件通知书).
    public var titleNamesWindow: Bool { self == .jointAcceptance || self == .returned }

    /// Whether the notice promises a completion date counted in working days.
    public var carriesPromisedDate: Bool { self == .acceptance || self == .jointAcceptance }

    /// Reads a kind from its code (`acceptance`) or its title (`受理通知书`).
    public init?(token: String) {
        let t = token.trimmingCharacters(in: .whitespaces)
        if let kind = NoticeKind(rawValue: t) { self = kind; return }
        guard let kind = NoticeKind.allCases.first(where: { $0.title == t }) else { return nil }
        self = kind
    }
}
