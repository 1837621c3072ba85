// What a clerk fills in for a notice, and the check that it carries everything its kind must carry.
import Foundation

/// A notice as the clerk fills it in, before it has a number.
public struct NoticeDraft: Sendable, Hashable, Codable {
    public var kind: NoticeKind
    /// 申请人 / 服务对象.
    public var applicant: String
    /// 申请事项: the item applied for.
    public var item: String
    public var window: Int
    /// The clerk's staff id.
    public var clerk: String
    /// The day the application was received (受理日期 for acceptance notices).
    public var receivedOn: CivilDate
    /// 已收材料.
    public var materialsReceived: [String]
    /// 需补齐的材料: the complete list of what is missing (supplementary-materials notice).
    public var materialsMissing: [String]
    /// 承诺期限 in working days (acceptance and joint-acceptance notices).
    public var promisedWorkingDays: Int?
    /// Why the request is rejected, and the rule it rests on (rejection notice).
    public var rejectionReason: String?
    public var rejectionBasis: String?
    /// The departments involved in a joint item (联办件), the first window's own included.
    public var departments: [String]
    /// Where to apply instead (returned-application notice).
    public var redirectTo: String?
    /// The next step for the applicant (主动介绍下一步应在哪个窗口办理); optional for every kind.
    public var nextStep: String?
    /// The version of the window's item catalogue (事项目录) the item's period, materials and departments came from;
    /// nil when the clerk typed them.
    public var catalogueVersion: Int?
    /// The supplementary-materials notice (补办材料通知书) this acceptance follows, by number: the same application,
    /// accepted once the materials were complete, so the duty chief sees how long the applicant waited.
    public var follows: String?

    public init(kind: NoticeKind, applicant: String, item: String, window: Int, clerk: String, receivedOn: CivilDate,
                materialsReceived: [String] = [], materialsMissing: [String] = [], promisedWorkingDays: Int? = nil,
                rejectionReason: String? = nil, rejectionBasis: String? = nil, departments: [String] = [],
                redirectTo: String? = nil, nextStep: String? = nil) {
        self.kind = kind
        self.applicant = applicant
        self.item = item
        self.window = window
        self.clerk = clerk
        self.receivedOn = receivedOn
        self.materialsReceived = materialsReceived
        self.materialsMissing = materialsMissing
        self.promisedWorkingDays = promisedWorkingDays
        self.rejectionReason = rejectionReason
        self.rejectionBasis = rejectionBasis
        self.departments = departments
        self.redirectTo = redirectTo
        self.nextStep = nextStep
    }

    /// What is missing or wrong for this kind of notice; empty when the notice can be issued.
    /// Messages are in Chinese: they are shown to the clerk at the window.
    public func problems() -> [NoticeFieldProblem] {
        var found: [NoticeFieldProblem] = []
        func blank(_ s: String?) -> Bool { (s ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        if blank(applicant) { found.append(.init(field: "applicant", message: "请填写申请人")) }
        if blank(item) { found.append(.init(field: "item", message: "请填写申请事项")) }
        if blank(clerk) { found.append(.init(field: "clerk", message: "请填写经办人")) }
        if window <= 0 { found.append(.init(field: "window", message: "请选择窗口")) }
        if let follows, !blank(follows), kind != .acceptance && kind != .jointAcceptance {
            found.append(.init(field: "follows", message: "只有受理通知书可以关联此前的补办材料通知书(\(follows))"))
        }
        switch kind {
        case .acceptance, .jointAcceptance:
            if materialsReceived.allSatisfy({ blank($0) }) { found.append(.init(field: "materialsReceived", message: "请列出已收材料")) }
            if !materialsMissing.isEmpty { found.append(.init(field: "materialsMissing", message: "材料不齐全时应出具补办材料通知书,不能出具受理通知书")) }
            if let days = promisedWorkingDays {
                if days < 1 || days > 365 { found.append(.init(field: "promisedWorkingDays", message: "承诺期限应为1至365个工作日")) }
            } else {
                found.append(.init(field: "promisedWorkingDays", message: "请填写承诺期限(工作日)"))
            }
            if kind == .jointAcceptance && departments.filter({ !blank($0) }).count < 2 {
                found.append(.init(field: "departments", message: "联办件应列出两个及以上参与办理的部门"))
            }
        case .supplementaryMaterials:
            if materialsMissing.allSatisfy({ blank($0) }) { found.append(.init(field: "materialsMissing", message: "请一次性列出全部需补齐的材料")) }
        case .rejection:
            if blank(rejectionReason) { found.append(.init(field: "rejectionReason", message: "请填写不予受理的理由")) }
            if blank(rejectionBasis) { found.append(.init(field: "rejectionBasis", message: "请填写不予受理的依据")) }
        case .returned:
            if blank(redirectTo) { found.append(.init(field: "redirectTo", message: "请填写应向哪个部门或窗口申请")) }
        }
        return found
    }
}

/// One field of a notice that must be filled in or corrected.
public struct NoticeFieldProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// A notice that cannot be issued as filled in.
public struct NoticeNotIssuable: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [NoticeFieldProblem]
    public init(problems: [NoticeFieldProblem]) { self.problems = problems }
    public var description: String { "通知书未出具:" + problems.map(\.message).joined(separator: ";") }
}

/// An issued notice: the draft, its official number and, for acceptance notices, the promised completion date.
public struct Notice: Sendable, Hashable, Codable {
    public let number: String
    public let year: Int
    public let sequence: Int
    public let draft: NoticeDraft
    public let issuedAt: Date
    /// 承诺办结日期, counted in working days from `receivedOn`.
    public let promisedCompletion: CivilDate?
    /// The promised date was counted on weekends alone across a year with no holiday arrangement loaded (暂定): to be
    /// checked once that year is loaded (``PromisedCompletion``).
    public let promisedCompletionProvisional: Bool

    public init(number: String, year: Int, sequence: Int, draft: NoticeDraft, issuedAt: Date, promisedCompletion: CivilDate?,
                promisedCompletionProvisional: Bool = false) {
        self.number = number
        self.year = year
        self.sequence = sequence
        self.draft = draft
        self.issuedAt = issuedAt
        self.promisedCompletion = promisedCompletion
        self.promisedCompletionProvisional = promisedCompletionProvisional
    }

    /// Printed under a provisional promised date (暂定): counted on weekends alone until the year's arrangement is loaded.
    public static let provisionalDateNote = "(暂按双休日计算;节假日安排公布后如有变动,本窗口将另行告知。)"

    /// The fixed sentence of a supplementary-materials notice: the time limit counts from completion.
    public static let timeLimitRule = "办件时限从材料补齐之日算起。"
}
