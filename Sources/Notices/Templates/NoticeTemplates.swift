// The hall's wording for each of the five notices, and the two copies (第一联 / 第二联) they print as.
import CounterCore
import ESCPOS
import Foundation

/// What a notice needs beyond the notice itself: who the hall is, the window and the clerk by name.
public struct NoticeContext: Sendable, Hashable {
    public var hallName: String
    public var hallPhone: String
    public var window: ServiceWindow?
    /// The clerk's name (the notice stores the staff id).
    public var clerkName: String
    /// A reprint is marked as one on paper (补打).
    public var reprint: Bool

    public init(hallName: String, hallPhone: String, window: ServiceWindow?, clerkName: String, reprint: Bool = false) {
        self.hallName = hallName
        self.hallPhone = hallPhone
        self.window = window
        self.clerkName = clerkName
        self.reprint = reprint
    }
}

/// The two copies every notice prints as (一式两份).
public enum NoticeCopy: Int, Sendable, CaseIterable {
    case applicant = 1
    case window = 2

    /// 第一联(交服务对象) / 第二联(窗口留存).
    public var label: String {
        switch self {
        case .applicant: return "第一联(交服务对象)"
        case .window: return "第二联(窗口留存)"
        }
    }
}

public enum NoticeTemplates {
    /// Lays out both copies of `notice` for paper `columns` wide, with a cut after each copy.
    public static func document(for notice: Notice, context: NoticeContext, columns: Int) -> NoticeDocument {
        var blocks: [NoticeBlock] = []
        for copy in NoticeCopy.allCases {
            blocks += self.copy(notice, context: context, copy: copy, columns: columns)
            blocks.append(.cut)
        }
        return NoticeDocument(number: notice.number, columns: columns, blocks: blocks)
    }

    /// One copy: header, the kind's body, the common footer, the QR code and room for the seal.
    static func copy(_ notice: Notice, context: NoticeContext, copy: NoticeCopy, columns: Int) -> [NoticeBlock] {
        let d = notice.draft
        let window = d.kind.titleNamesWindow ? NoticeKind.titleWindow(windowName: context.window?.name, windowNumber: d.window) : nil
        var b: [NoticeBlock] = [.text(context.hallName, .heading)]
        b += title(d.kind.paperTitle(windowName: context.window?.name, windowNumber: d.window), window: window, columns: columns)
        b += [
            .text("编号:\(notice.number)", .init(alignment: .center, role: .number)),
            .text(copy.label + (context.reprint ? " 【补打】" : ""), .init(alignment: .center, role: .copyLabel)),
            .rule,
            .text("\(d.applicant):"),
        ]
        b += body(notice)
        if let next = d.nextStep, next.contains(where: { !$0.isWhitespace }) {
            b.append(.text("下一步:\(next)", style: .body, hangingIndent: 4))
        }
        b.append(.rule)
        let windowText = context.window.map { "\($0.chineseLabel)(\($0.name))" } ?? "\(d.window)号窗口"
        b.append(.text("受理窗口:\(windowText)", style: .body, hangingIndent: 5))
        b.append(.text("经办人:\(context.clerkName)"))
        b.append(.text("咨询电话:\(context.hallPhone)"))
        b.append(.text("出具日期:\(CivilDate(notice.issuedAt).chineseText)", .init(role: .issueDate)))
        b.append(.qr(notice.number))
        b.append(.text("(窗口印章)", .init(alignment: .center, role: .seal)))
        b.append(.blank(4))
        b.append(.text("谢谢您的配合!", .centered))
        return b
    }

    /// The title, large (double width and height) when it fits the paper on one line; else split after the window's
    /// name when each part fits (不动产登记窗口 / 联办件受理通知书), never mid-word; else bold at normal size.
    static func title(_ text: String, window: String?, columns: Int) -> [NoticeBlock] {
        let large = max(1, columns / 2)
        if ESCPOSText.displayWidth(text) <= large { return [.text(text, .title)] }
        if let window, text.hasPrefix(window) {
            let rest = String(text.dropFirst(window.count))
            if ESCPOSText.displayWidth(window) <= large && ESCPOSText.displayWidth(rest) <= large {
                return [.text(window, .title), .text(rest, .title)]
            }
        }
        return [.text(text, .heading)]
    }

    /// The kind's own wording, from the hall's rules (domain.md): what it must carry.
    static func body(_ notice: Notice) -> [NoticeBlock] {
        let d = notice.draft
        let item = "“\(d.item)”"
        var b: [NoticeBlock] = []
        func list(_ title: String, _ items: [String]) {
            b.append(.text(title))
            for (i, entry) in items.enumerated() where entry.contains(where: { !$0.isWhitespace }) {
                b.append(.text("  \(i + 1). \(entry)", style: .body, hangingIndent: 5))
            }
        }
        switch d.kind {
        case .acceptance:
            b.append(.text("    您好!您申请的\(item)事项,经审查,申请材料齐全、符合法定形式,本窗口决定予以受理。"))
            list("已收材料:", d.materialsReceived)
            b += promise(notice)
        case .jointAcceptance:
            let departments = d.departments.filter { !$0.isEmpty }.joined(separator: "、")
            b.append(.text("    您好!您申请的\(item)事项为联办件,涉及\(departments)。本窗口为首办窗口,负责受理和协调,办理结果由本窗口统一告知您。"))
            list("已收材料:", d.materialsReceived)
            b += promise(notice)
        case .supplementaryMaterials:
            b.append(.text("    您好!您申请的\(item)事项,申请材料不齐全或不符合法定形式。现一次性告知,请补齐以下全部材料:"))
            list("需补齐的材料:", d.materialsMissing)
            if !d.materialsReceived.isEmpty { list("已收材料:", d.materialsReceived) }
            b.append(.text("收件日期:\(d.receivedOn.chineseText)"))
            b.append(.text(Notice.timeLimitRule))
            b.append(.text("材料补齐后,请到本窗口提交。"))
        case .rejection:
            b.append(.text("    您好!您申请的\(item)事项,经审查,不符合受理条件,本窗口决定不予受理。"))
            b.append(.text("不予受理理由:\(d.rejectionReason ?? "")", style: .body, hangingIndent: 7))
            b.append(.text("依据:\(d.rejectionBasis ?? "")", style: .body, hangingIndent: 3))
            b.append(.text("收件日期:\(d.receivedOn.chineseText)"))
            b.append(.text("如对本决定有异议,可依法申请行政复议或者提起行政诉讼。"))
        case .returned:
            b.append(.text("    您好!您申请的\(item)事项不属于本单位职权范围,申请材料予以退回。"))
            b.append(.text("请您向\(d.redirectTo ?? "")申请办理。", style: .body, hangingIndent: 3))
            b.append(.text("收件日期:\(d.receivedOn.chineseText)"))
            b.append(.text("谢谢您的理解。"))
        }
        return b
    }

    static func promise(_ notice: Notice) -> [NoticeBlock] {
        let d = notice.draft
        var b: [NoticeBlock] = [.text("受理日期:\(d.receivedOn.chineseText)")]
        if let days = d.promisedWorkingDays { b.append(.text("承诺期限:\(days)个工作日")) }
        if let date = notice.promisedCompletion {
            b.append(.text("承诺办结日期:\(date.chineseText)", .init(bold: true)))
            if notice.promisedCompletionProvisional {
                // The year's holiday arrangement was not loaded when the notice was issued: the applicant is told.
                b.append(.text(Notice.provisionalDateNote))
            }
            b.append(.text("请于承诺办结日期后凭本通知书到本窗口领取办理结果;如提前办结,我们将及时通知您。"))
        }
        return b
    }
}
