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
