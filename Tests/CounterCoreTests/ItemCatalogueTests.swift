// The window's item catalogue (事项目录) as the hall keeps it: read with Chinese or English headers, every malformed line
// named by its number, duplicates and negative periods refused, nothing half-read.
import CounterCore
import Testing

@Suite struct ItemCatalogueTests {
    static let csv = """
        \u{FEFF}窗口,事项名称,承诺时限（工作日）,申请材料,联办部门
        3,食品经营许可(新办),5,营业执照副本复印件；法定代表人身份证明；食品安全管理制度文本,
        3,开办餐饮店(一件事),10个工作日,"营业执照副本复印件
        消防安全检查申请表;场所平面图",县市场监督管理局；县消防救援大队
        5号窗口,不动产登记(转移),7,"不动产权证书；身份证明|合同(协议、证明)",

        """

    @Test func readsTheHallsListWithItsChineseHeaders() throws {
        let items = try ItemCatalogue.parse(csv: Self.csv)
        #expect(items.count == 3)
        #expect(items[0] == CatalogueItem(window: 3, name: "食品经营许可(新办)", promisedWorkingDays: 5,
                                          materials: ["营业执照副本复印件", "法定代表人身份证明", "食品安全管理制度文本"], departments: [], line: 2))
        #expect(items[1].promisedWorkingDays == 10 && items[1].isJoint && items[1].departments == ["县市场监督管理局", "县消防救援大队"])
        #expect(items[1].materials == ["营业执照副本复印件", "消防安全检查申请表", "场所平面图"])
        // 、 is part of a material's name, not a separator; 5号窗口 is window 5; the line is where the row starts.
        #expect(items[2].window == 5 && items[2].materials == ["不动产权证书", "身份证明", "合同(协议、证明)"] && items[2].line == 5)
        #expect(!items[0].isJoint)
    }

    @Test func englishHeadersAndColumnsInAnotherOrder() throws {
        let items = try ItemCatalogue.parse(csv: "days,item,materials,window\n3,户籍证明,身份证;户口簿,2\n")
        #expect(items == [CatalogueItem(window: 2, name: "户籍证明", promisedWorkingDays: 3, materials: ["身份证", "户口簿"], line: 2)])
    }

    @Test func everyBadLineIsNamedAndNothingIsRead() throws {
        let text = """
            窗口,事项名称,承诺时限,申请材料,联办部门
            3,食品经营许可(新办),5,营业执照副本复印件,
            3,食品经营许可(新办),7,身份证明,
            x,户籍证明,3,身份证,
            4,建设工程规划许可,-5,申请表,
            4,,3,申请表,
            4,施工许可,3,,
            4,消防验收,20,申请表,县住建局
            4,临时占道,400,申请表,
            """
        let error = #expect(throws: ItemCatalogueError.self) { try ItemCatalogue.parse(csv: text) }
        let problems = try #require(error?.problems)
        #expect(problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        #expect(problems[0].message.contains("already on line 2"))
        #expect(problems[1].column == "窗口")
        #expect(problems[2].message.contains("negative"))
        #expect(problems[3].column == "事项名称")
        #expect(problems[4].column == "申请材料")
        #expect(problems[5].column == "联办部门")
        #expect(problems[6].message.contains("1 to 365"))
        #expect(error?.description.contains("the catalogue in use is unchanged") == true)
        #expect(error?.description.contains("line 5, column 承诺时限") == true)
    }

    @Test func aFileThatIsNotACatalogue() throws {
        let noColumns = #expect(throws: ItemCatalogueError.self) { try ItemCatalogue.parse(csv: "name,phone\n张三,123\n") }
        #expect(noColumns?.problems.count == 4)
        #expect(noColumns?.problems.first?.message.contains("窗口,事项名称,承诺时限,申请材料,联办部门") == true)
        let empty = #expect(throws: ItemCatalogueError.self) { try ItemCatalogue.parse(csv: "") }
        #expect(empty?.problems.first?.message.contains("empty") == true)
        let headerOnly = #expect(throws: ItemCatalogueError.self) { try ItemCatalogue.parse(csv: "窗口,事项名称,承诺时限,申请材料\n") }
        #expect(headerOnly?.problems.first?.message.contains("no items") == true)
        let badQuote = #expect(throws: ItemCatalogueError.self) { try ItemCatalogue.parse(csv: "窗口,事项名称,承诺时限,申请材料\n3,a\"b,5,x\n") }
        #expect(badQuote?.problems.first?.line == 2)
    }
}
