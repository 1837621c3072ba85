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

    @Test("the card column: cards separated by |, normalised to 10 digits; an empty cell or no column gives none")
    func cardColumn() throws {
        let rows = try StaffList.parse("""
            staff_id,name,window,department,roles,card
            1,张三,1,局,clerk,12345678| 0087654321 
            2,李四,1,局,clerk,
            3,王五,1,局,clerk,0|4294967295|
            """, windows: [1])
        #expect(rows.map(\.cards) == [["0012345678", "0087654321"], [], ["0000000000", "4294967295"]])
        let chinese = try StaffList.parse("工号,姓名,窗口,派驻单位,角色,卡号\n9,孙强,,中心,网络管理员,\"00123\"\n", windows: [])
        #expect(chinese.first?.cards == ["0000000123"])
        let none = try StaffList.parse(header + "1,张三,1,局,clerk,101,A\n", windows: [1])
        #expect(none.first?.cards == [])
    }

    @Test("a bad card number is a problem of its row and column; a card on two rows names both")
    func badAndRepeatedCards() {
        let text = """
            staff_id,name,window,department,roles,card
            1,张三,1,局,clerk,12345678
            2,李四,1,局,clerk,4294967296|12a4
            3,王五,1,局,clerk,0012345678
            4,赵六,1,局,clerk,77|77
            5,钱七,1,局,clerk,1.23457E+09
            """
        #expect(throws: StaffListError.self) { try StaffList.parse(text, windows: [1]) }
        do {
            _ = try StaffList.parse(text, windows: [1])
        } catch {
            let cards = error.problems.filter { $0.column == "card" }
            #expect(cards.filter { $0.row == 3 }.count == 2, "out of range, and a letter: \(cards)")
            #expect(cards.contains { $0.row == 3 && $0.description.contains("\"4294967296\" is not a decimal card number") })
            #expect(cards.contains { $0.row == 3 && $0.message.contains("`a`") })
            // The same card written two ways is one card: row 4 names row 2.
            #expect(cards.contains { $0.row == 4 && $0.message.contains("0012345678") && $0.message.contains("row 2") })
            #expect(cards.contains { $0.row == 5 && $0.message.contains("listed twice") })
            #expect(cards.contains { $0.row == 6 && $0.message.contains("`.`") })
            #expect(error.description.contains("row 4, column card: card 0012345678 is already given to the person on row 2"))
        }
    }

    @Test("card numbers in canonical form: 10 digits of the 32-bit id; what is not one says why")
    func cardNumberText() {
        #expect(CardNumberText.canonical(0) == "0000000000")
        #expect(CardNumberText.canonical(12_345_678) == "0012345678")
        #expect(CardNumberText.canonical(UInt32.max) == "4294967295")
        #expect(CardNumberText.canonical(decimal: " 8106606\t") == .success("0008106606"))
        #expect(CardNumberText.canonical(decimal: "") == .failure(.empty))
        #expect(CardNumberText.canonical(decimal: "12 34") == .failure(.invalidCharacter(" ")))
        #expect(CardNumberText.canonical(decimal: "٣٤") == .failure(.invalidCharacter("٣")))
        #expect(CardNumberText.canonical(decimal: "12345678901") == .failure(.wrongLength(11)))
        #expect(CardNumberText.canonical(decimal: "4294967296") == .failure(.outOfRange))
        #expect(CardNumberText.id(decimal: "12345678", digits: 10...10) == .failure(.wrongLength(8)))
    }
}
