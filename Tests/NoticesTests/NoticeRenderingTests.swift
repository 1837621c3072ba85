// Every notice kind on 58 mm and 80 mm printers: golden bytes, decoded back to the very lines the preview shows.
import CounterCore
import ESCPOS
import Foundation
import Testing
@testable import Notices

enum NoticeFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let profiles = try! PrinterProfiles.load(directory: root.appendingPathComponent("drivers/printers").path)
    static let window = ServiceWindow(number: 3, name: "市场准入窗口", department: "县市场监督管理局")
    static let context = NoticeContext(hallName: "太谷县政务服务中心", hallPhone: "0354-6000000", window: window, clerkName: "王喆")
    /// 2026-02-12 10:00 in the hall.
    static let issued = Date(timeIntervalSince1970: 1_770_861_600)

    static func notice(_ kind: NoticeKind) -> Notice {
        var draft = NoticeDraft(kind: kind, applicant: "李堃(太谷县赟达商贸有限公司)", item: "食品经营许可(新办)", window: 3, clerk: "D001",
                                receivedOn: CivilDate("2026-02-12")!)
        switch kind {
        case .acceptance, .jointAcceptance:
            draft.materialsReceived = ["营业执照副本复印件", "法定代表人身份证明", "食品安全管理制度文本"]
            draft.promisedWorkingDays = 5
            if kind == .jointAcceptance { draft.departments = ["县市场监督管理局", "县消防救援大队", "县卫生健康局"] }
        case .supplementaryMaterials:
            draft.materialsReceived = ["营业执照副本复印件"]
            draft.materialsMissing = ["法定代表人身份证明", "经营场所使用证明(租赁合同、产权证明)", "食品安全管理人员健康证明"]
        case .rejection:
            draft.rejectionReason = "申请经营项目不属于食品经营许可范围。"
            draft.rejectionBasis = "《食品经营许可和备案管理办法》第二条"
        case .returned:
            draft.redirectTo = "县自然资源局(2号窗口)"
        }
        draft.nextStep = "请到5号窗口领取《营业执照》。"
        let promised: CivilDate? = draft.kind.carriesPromisedDate ? CivilDate("2026-02-26") : nil
        return Notice(number: "太谷政务〔2026〕第000123号", year: 2026, sequence: 123, draft: draft, issuedAt: issued, promisedCompletion: promised)
    }
}

@Suite struct NoticeRenderingTests {
    static let cases: [(NoticeKind, String)] = NoticeKind.allCases.flatMap { kind in ["xprinter-xp58", "xprinter-xp80"].map { (kind, $0) } }

    @Test(arguments: cases)
    func goldenBytesDecodeBackToThePreview(kind: NoticeKind, profileID: String) throws {
        let profile = try #require(NoticeFixtures.profiles[profileID])
        let document = NoticeTemplates.document(for: NoticeFixtures.notice(kind), context: NoticeFixtures.context,
                                                columns: NoticeESCPOS.columns(for: profile))
        let bytes = try NoticeESCPOS.bytes(document, profile: profile)

        // Golden bytes: a change to the paper must be a deliberate one (UPDATE_GOLDEN=1 rewrites them).
        let golden = NoticeFixtures.root.appendingPathComponent("Tests/Fixtures/notices/\(kind.rawValue)-\(profileID).hex")
        let hex = stride(from: 0, to: bytes.count, by: 32).map { i in
            bytes[i..<min(i + 32, bytes.count)].map { String(format: "%02x", $0) }.joined()
        }.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try hex.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(hex == expected, "the bytes of \(kind.rawValue) on \(profileID) changed; if intended, run with UPDATE_GOLDEN=1")

        // Decoded back, the paper says what the preview says, line for line (the decoder's own [QR …] and
        // [CUT] markers aside); a printer with a cutter cuts after each copy, one without feeds to the tear bar.
        let printout = ESCPOSPrintout(bytes: bytes)
        let pages = printout.allPages
        func meaningful(_ lines: [String]) -> [String] {
            lines.map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("[") && !$0.hasPrefix("✂") }
        }
        let paper = meaningful(pages.flatMap(\.texts))
        let shown = meaningful(NoticePreview.plainText(document).components(separatedBy: "\n"))
        #expect(paper == shown)
        #expect(pages.flatMap(\.qrCodes) == ["太谷政务〔2026〕第000123号", "太谷政务〔2026〕第000123号"])
        if profile.cutter != .none { #expect(printout.pages.count == 2 && printout.pages.allSatisfy { $0.cut != nil }) }
        for line in pages.flatMap(\.lines) where line.width == 1 {
            #expect(ESCPOSText.displayWidth(line.text) <= profile.columnsFontA, "line too wide: \(line.text)")
        }
        let all = paper.joined(separator: "\n")
        #expect(all.contains("第一联(交服务对象)") && all.contains("第二联(窗口留存)"))
        #expect(all.contains("李堃(太谷县赟达商贸有限公司):"))
        #expect(all.contains("经办人:王喆"))
        // The title is set double width and may wrap: joined, the paper carries the seed's title.
        #expect(paper.joined().contains(kind.paperTitle(windowName: NoticeFixtures.window.name, windowNumber: 3)))
    }

    /// The seed's five titles (政务中心服务规范: 《太谷县政务中心承诺件受理通知书》, 承诺件补办材料通知书, 不予受理通知书,
    /// 《…××窗口联办件受理通知书》, 《…××窗口退回件通知书》), read back from the paper of both printer widths, under the
    /// hall's name and above the number; the hall's phone from the configuration on every copy.
    @Test(arguments: ["xprinter-xp58", "xprinter-xp80"])
    func seedTitlesOnPaper(profileID: String) throws {
        let profile = try #require(NoticeFixtures.profiles[profileID])
        let expected: [NoticeKind: String] = [
            .acceptance: "承诺件受理通知书", .supplementaryMaterials: "承诺件补办材料通知书", .rejection: "不予受理通知书",
            .jointAcceptance: "市场准入窗口联办件受理通知书", .returned: "市场准入窗口退回件通知书",
        ]
        for kind in NoticeKind.allCases {
            let document = NoticeTemplates.document(for: NoticeFixtures.notice(kind), context: NoticeFixtures.context,
                                                    columns: NoticeESCPOS.columns(for: profile))
            let lines = ESCPOSPrintout(bytes: try NoticeESCPOS.bytes(document, profile: profile)).allPages.flatMap(\.texts)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("[") }
            let paper = lines.joined()
            let title = try #require(expected[kind])
            let hall = try #require(paper.range(of: "太谷县政务服务中心"))
            let titled = try #require(paper.range(of: title, range: hall.upperBound..<paper.endIndex), "\(kind): no \(title) on \(profileID)")
            #expect(paper[hall.upperBound..<titled.lowerBound].isEmpty, "\(kind): the title does not follow the hall's name")
            let number = try #require(paper.range(of: "编号:太谷政务〔2026〕第000123号"))
            #expect(titled.upperBound <= number.lowerBound)
            #expect(paper.components(separatedBy: title).count - 1 == 2, "\(kind): the title is not on both copies")
            #expect(paper.components(separatedBy: "咨询电话:0354-6000000").count - 1 == 2)
        }
    }

    @Test func windowNameInTheTitleAsTheSeedWritesIt() {
        #expect(NoticeKind.jointAcceptance.paperTitle(windowName: "不动产登记", windowNumber: 7) == "不动产登记窗口联办件受理通知书")
        #expect(NoticeKind.returned.paperTitle(windowName: "不动产登记窗口", windowNumber: 7) == "不动产登记窗口退回件通知书")
        #expect(NoticeKind.returned.paperTitle(windowName: nil, windowNumber: 7) == "7号窗口退回件通知书")
        #expect(NoticeKind.returned.paperTitle(windowName: "  ", windowNumber: 7) == "7号窗口退回件通知书")
        #expect(NoticeKind.acceptance.paperTitle(windowName: "不动产登记", windowNumber: 7) == "承诺件受理通知书")
    }

    @Test func eachKindCarriesWhatTheRulesRequire() throws {
        func text(_ kind: NoticeKind) -> String {
            NoticePreview.plainText(NoticeTemplates.document(for: NoticeFixtures.notice(kind), context: NoticeFixtures.context, columns: 48))
        }
        let acceptance = text(.acceptance)
        #expect(acceptance.contains("承诺期限:5个工作日") && acceptance.contains("承诺办结日期:2026年2月26日"))
        #expect(acceptance.contains("3. 食品安全管理制度文本"))
        let supplementary = text(.supplementaryMaterials)
        #expect(supplementary.contains("一次性告知"))
        #expect(supplementary.contains("办件时限从材料补齐之日算起"))
        #expect(supplementary.contains("3. 食品安全管理人员健康证明"))
        let rejection = text(.rejection)
        #expect(rejection.contains("不予受理理由") && rejection.contains("《食品经营许可和备案管理办法》第二条"))
        let joint = text(.jointAcceptance)
        #expect(joint.contains("县消防救援大队") && joint.contains("首办窗口"))
        let returned = text(.returned)
        #expect(returned.contains("请您向县自然资源局(2号窗口)申请办理"))
        for kind in NoticeKind.allCases {
            let t = text(kind)
            #expect(t.contains("下一步:请到5号窗口领取《营业执照》。"))
            #expect(t.contains("咨询电话:0354-6000000"))
            #expect(t.contains("(窗口印章)"))
        }
    }

    @Test func reprintIsMarkedOnPaper() throws {
        var context = NoticeFixtures.context
        context.reprint = true
        let text = NoticePreview.plainText(NoticeTemplates.document(for: NoticeFixtures.notice(.acceptance), context: context, columns: 32))
        #expect(text.contains("第一联(交服务对象) 【补打】"))
    }

    @Test func textThePrinterCannotCarryIsRefusedBeforeSending() throws {
        var notice = NoticeFixtures.notice(.acceptance)
        // A GBK printer that prints text only (no raster images): one with raster draws the line instead
        // (RasterNoticeTests).
        let gbk = try #require(NoticeFixtures.profiles.profiles.first { $0.encoding == .gbk && $0.textOutput == .text })
        var draft = notice.draft
        draft.applicant = "𠮷野家"  // U+20BB7: a 4-byte GB18030 character, outside GBK
        notice = Notice(number: notice.number, year: 2026, sequence: 123, draft: draft, issuedAt: notice.issuedAt, promisedCompletion: notice.promisedCompletion)
        let document = NoticeTemplates.document(for: notice, context: NoticeFixtures.context, columns: NoticeESCPOS.columns(for: gbk))
        #expect(throws: ESCPOSError.self) { try NoticeESCPOS.bytes(document, profile: gbk) }
    }

    @Test func htmlPreviewHasBothCopies() {
        let html = NoticePreview.html(NoticeTemplates.document(for: NoticeFixtures.notice(.supplementaryMaterials), context: NoticeFixtures.context, columns: 48))
        #expect(html.components(separatedBy: "<section class=\"notice-copy\">").count == 3)
        #expect(html.contains("补办材料通知书"))
        #expect(!html.contains("<script"))
    }

    @Test func testPagePrintsOnEveryShippedProfile() throws {
        for profile in NoticeFixtures.profiles.profiles where profile.chineseFont {
            let bytes = try NoticeTestPage.bytes(hallName: "太谷县政务服务中心", printer: profile)
            #expect(ESCPOSPrintout(bytes: bytes).allPages.first?.texts.contains { $0.contains("打印机测试页") } == true, "\(profile.id)")
        }
    }
}
