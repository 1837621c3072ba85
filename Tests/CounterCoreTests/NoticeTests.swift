// Notice kinds, their required fields, and the number format.
import Foundation
import Testing
@testable import CounterCore

@Suite struct NoticeTests {
    func draft(_ kind: NoticeKind) -> NoticeDraft {
        NoticeDraft(kind: kind, applicant: "某某公司", item: "食品经营许可", window: 1, clerk: "D001",
                    receivedOn: CivilDate("2026-03-02")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 10)
    }

    @Test func numberFormatRendersPerYear() throws {
        let format = try NoticeNumberFormat("太谷政务〔{year}〕第{seq:6}号")
        #expect(format.render(year: 2026, sequence: 123) == "太谷政务〔2026〕第000123号")
        #expect(format.render(year: 2027, sequence: 1_234_567) == "太谷政务〔2027〕第1234567号")
        #expect(try NoticeNumberFormat("{year}-{seq}").render(year: 2026, sequence: 7) == "2026-7")
    }

    @Test func numberFormatWithoutYearOrSequenceIsRefused() {
        #expect(throws: NoticeNumberFormat.Invalid.self) { try NoticeNumberFormat("第{seq:6}号") }
        #expect(throws: NoticeNumberFormat.Invalid.self) { try NoticeNumberFormat("〔{year}〕号") }
        #expect(throws: NoticeNumberFormat.Invalid.self) { try NoticeNumberFormat("〔{year}〕{sequence}") }
        #expect(throws: NoticeNumberFormat.Invalid.self) { try NoticeNumberFormat("〔{year}〕{seq") }
        #expect(throws: NoticeNumberFormat.Invalid.self) { try NoticeNumberFormat("〔{year}〕}{seq}") }
    }

    @Test func acceptanceNeedsPromiseAndNoMissingMaterials() {
        #expect(draft(.acceptance).problems().isEmpty)
        var d = draft(.acceptance)
        d.promisedWorkingDays = nil
        d.materialsMissing = ["身份证复印件"]
        let fields = Set(d.problems().map(\.field))
        #expect(fields == ["promisedWorkingDays", "materialsMissing"])
    }

    @Test func eachKindChecksItsOwnFields() {
        var supplementary = draft(.supplementaryMaterials)
        #expect(supplementary.problems().map(\.field) == ["materialsMissing"])
        supplementary.materialsMissing = ["法定代表人身份证明", "场所使用证明"]
        #expect(supplementary.problems().isEmpty)

        var rejection = draft(.rejection)
        #expect(Set(rejection.problems().map(\.field)) == ["rejectionReason", "rejectionBasis"])
        rejection.rejectionReason = "申请事项不属于许可范围"
        rejection.rejectionBasis = "《中华人民共和国行政许可法》第三十二条"
        #expect(rejection.problems().isEmpty)

        var joint = draft(.jointAcceptance)
        joint.departments = ["县市场监督管理局"]
        #expect(joint.problems().map(\.field) == ["departments"])
        joint.departments.append("县消防救援大队")
        #expect(joint.problems().isEmpty)

        var returned = draft(.returned)
        #expect(returned.problems().map(\.field) == ["redirectTo"])
        returned.redirectTo = "市行政审批服务管理局"
        #expect(returned.problems().isEmpty)

        let empty = NoticeDraft(kind: .returned, applicant: " ", item: "", window: 0, clerk: "", receivedOn: CivilDate("2026-03-02")!)
        #expect(Set(empty.problems().map(\.field)).isSuperset(of: ["applicant", "item", "clerk", "window"]))
    }

    @Test func kindsHaveTheHallsTitles() {
        #expect(NoticeKind.allCases.map(\.title) == ["受理通知书", "补办材料通知书", "不予受理通知书", "联办件受理通知书", "退回件通知书"])
        #expect(NoticeKind(token: "补办材料通知书") == .supplementaryMaterials)
        #expect(NoticeKind(token: "joint-acceptance") == .jointAcceptance)
    }
}
