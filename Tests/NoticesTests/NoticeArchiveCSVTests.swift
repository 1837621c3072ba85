// The quarter's notice register as CSV: Excel-readable UTF-8, Chinese columns, fields quoted where needed.
import CounterCore
import Foundation
import Notices
import Testing

@Suite struct NoticeArchiveCSVTests {
    @Test("a BOM, the Chinese header, one CRLF row a notice, quotes doubled inside quoted fields, void shown with its reason")
    func register() throws {
        let draft = NoticeDraft(kind: .acceptance, applicant: "李堃", item: "食品经营许可,连锁", window: 1, clerk: "D001",
                                receivedOn: try #require(CivilDate(year: 2026, month: 11, day: 26)), promisedWorkingDays: 5)
        let notice = Notice(number: "太谷政务〔2026〕第000001号", year: 2026, sequence: 1, draft: draft, issuedAt: Date(timeIntervalSince1970: 1_795_660_200),
                            promisedCompletion: CivilDate(year: 2026, month: 12, day: 3))
        let csv = NoticeArchiveCSV.text([
            .init(notice: notice, voided: false, voidReason: nil, issuedAt: "2026-11-26T08:30:00+08:00"),
            .init(notice: notice, voided: true, voidReason: "填错\"姓名\"", issuedAt: "2026-11-26T08:30:00+08:00"),
        ])
        let lines = csv.components(separatedBy: "\r\n")
        #expect(csv.hasPrefix("\u{FEFF}编号,种类,申请人,申请事项,窗口,经办人,受理日期,承诺办结日期,签发时间,作废,作废原因\r\n"))
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[1] == "太谷政务〔2026〕第000001号,\(draft.kind.title),李堃,\"食品经营许可,连锁\",1,D001,2026-11-26,2026-12-03,2026-11-26T08:30:00+08:00,否,")
        #expect(lines[2].hasSuffix(",是,\"填错\"\"姓名\"\"\""))
    }
}
