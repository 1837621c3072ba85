// The staff list: every bad row reported with its row number, nothing accepted when any row is bad.
import Testing
@testable import CounterCore

@Suite struct StaffListTests {
    let header = "staff_id,name,window,department,roles,terminal_user_id,post\n"

    @Test func goodListParses() throws {
        let rows = try StaffList.parse("\u{FEFF}" + header + "1,张三,1,县市场监督管理局,clerk|窗口负责人,101,A\r\n2,\"李四, 小\",1,县市场监督管理局,clerk,102,B\n3,赵六,,中心,值班长,,\n", windows: [1, 2])
        #expect(rows.count == 3)
        #expect(rows[0].staff.roles == [.clerk, .windowLead])
        #expect(rows[1].staff.name == "李四, 小")
        #expect(rows[2].staff.window == nil && rows[2].staff.roles == [.dutyChief])
        #expect(rows[2].row == 4)
        let pairs = try PostPairs.build(from: rows.map(\.staff))
        #expect(pairs[1]?.backup(for: "1") == "2")
    }

    @Test func everyBadRowIsReportedWithItsNumber() {
        let text = header + "1,张三,1,局,clerk,101,A\n1,重复,1,局,clerk,102,B\n3,王五,7,局,clerk,103,\n4,钱七,1,局,boss,101,\n5,,1,,clerk,x y,C\n"
        do {
            _ = try StaffList.parse(text, windows: [1, 2])
            Issue.record("a bad list was accepted")
        } catch {
            let rows = error.problems.map(\.row)
            #expect(rows.contains(3))  // duplicate id
            #expect(rows.contains(4))  // window 7 not configured
            #expect(rows.contains(5))  // unknown role, duplicate terminal id
            #expect(error.problems.filter { $0.row == 6 }.count >= 4)  // no name, no department, bad terminal id, bad post
            #expect(error.description.contains("row 4, column window"))
            #expect(error.description.contains("nothing was changed"))
        }
    }

    @Test func twoAPostsOnOneWindowIsAnError() {
        #expect(throws: StaffListError.self) {
            try StaffList.parse(header + "1,张三,1,局,clerk,,A\n2,李四,1,局,clerk,,A\n", windows: [1])
        }
    }

    @Test func malformedCSVAndHeaders() {
        #expect(throws: StaffListError.self) { try StaffList.parse("", windows: [1]) }
        #expect(throws: StaffListError.self) { try StaffList.parse("staff_id,name\n1,x\n", windows: [1]) }
        #expect(throws: StaffListError.self) { try StaffList.parse(header + "1,\"unterminated,1,局,clerk,,\n", windows: [1]) }
        #expect(throws: StaffListError.self) { try StaffList.parse(header + "1,a\"b,1,局,clerk,,\n", windows: [1]) }
        #expect(throws: StaffListError.self) { try StaffList.parse(header + "1,张三,1,局\n", windows: [1]) }
    }

    @Test func chineseHeadersAreAccepted() throws {
        let rows = try StaffList.parse("工号,姓名,窗口,派驻单位,角色\n9,孙强,,中心,网络管理员\n", windows: [])
        #expect(rows.first?.staff.roles == [.ops])
    }
}
