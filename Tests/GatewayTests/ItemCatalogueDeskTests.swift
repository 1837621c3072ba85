// The window's item catalogue (事项目录) at the desk: imported from CSV and from an XLSX made by another program
// (openpyxl), versioned (a notice records the version it used), a notice issued from an item, a malformed line named;
// an acceptance linked to the supplementary-materials notice before it, and the waits the duty chief sees.
import CounterConfig
import CounterCore
import CounterGateTestSupport
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite(.serialized) struct ItemCatalogueDeskTests {
    static let list = """
        窗口,事项名称,承诺时限,申请材料,联办部门
        1,食品经营许可(新办),5,营业执照副本复印件；法定代表人身份证明；食品安全管理制度文本,
        1,开办餐饮店(一件事),10,营业执照副本复印件；消防安全检查申请表,县市场监督管理局；县消防救援大队
        2,不动产登记(转移),7,不动产权证书；身份证明；转移合同,

        """

    static func file(_ hall: APITestHall, _ name: String, _ text: String) throws -> String {
        let directory = URL(fileURLWithPath: hall.config.store.dataDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func draft(_ kind: NoticeKind, item: String, window: Int = 1, clerk: String = "D001", on day: String = "2026-11-26") -> NoticeDraft {
        NoticeDraft(kind: kind, applicant: "李堃", item: item, window: window, clerk: clerk, receivedOn: CivilDate(day)!)
    }

    @Test("a CSV imported, a notice issued from an item records the version; the same file again changes nothing; a new list is a new version")
    func importAndIssueFromTheCatalogue() async throws {
        let hall = try await HallAPITests.hall()
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let first = try await catalogue.importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        #expect(first.created && first.version.version == 1 && first.version.items == 3 && first.version.source == "items.csv")
        let again = try await catalogue.importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        #expect(!again.created && again.version.version == 1)

        // An acceptance from the catalogue: period, materials received and the version filled in.
        let filled = try await catalogue.fill(Self.draft(.acceptance, item: "食品经营许可(新办)"))
        #expect(filled.promisedWorkingDays == 5 && filled.catalogueVersion == 1)
        #expect(filled.materialsReceived == ["营业执照副本复印件", "法定代表人身份证明", "食品安全管理制度文本"])
        let desk = NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let issued = try await desk.issueAndPrint(filled, idempotencyKey: "cat-1")
        #expect(issued.notice.notice.promisedCompletion != nil)
        #expect(try await hall.store.notice(number: issued.notice.notice.number)?.notice.draft.catalogueVersion == 1)

        // A joint item's departments; a supplementary notice's missing materials are those not received.
        let joint = try await catalogue.fill(Self.draft(.jointAcceptance, item: "开办餐饮店(一件事)"))
        #expect(joint.departments == ["县市场监督管理局", "县消防救援大队"] && joint.promisedWorkingDays == 10)
        var partial = Self.draft(.supplementaryMaterials, item: "不动产登记(转移)", window: 2, clerk: "D003")
        partial.materialsReceived = ["身份证明"]
        let supplementary = try await catalogue.fill(partial)
        #expect(supplementary.materialsMissing == ["不动产权证书", "转移合同"] && supplementary.catalogueVersion == 1)
        // What the clerk typed is kept.
        var typed = Self.draft(.acceptance, item: "食品经营许可(新办)")
        typed.promisedWorkingDays = 3
        #expect(try await catalogue.fill(typed).promisedWorkingDays == 3)

        // An item the window does not have: named, with the window's items.
        let unknown = await #expect(throws: ItemCatalogueDeskError.self) { try await catalogue.fill(Self.draft(.acceptance, item: "户籍证明")) }
        #expect(unknown?.description.contains("食品经营许可(新办)、开办餐饮店(一件事)") == true)
        #expect(unknown?.clerkMessage.contains("1号窗口的事项目录中没有“户籍证明”") == true)

        // A new list: version 2 in use; the notice keeps version 1, which stays readable.
        let second = try await catalogue.importFile(try Self.file(hall, "items-2027.csv", Self.list.replacingOccurrences(of: "1,食品经营许可(新办),5", with: "1,食品经营许可(新办),4")), actor: "D008")
        #expect(second.created && second.version.version == 2)
        #expect(try await catalogue.fill(Self.draft(.acceptance, item: "食品经营许可(新办)")).promisedWorkingDays == 4)
        #expect(try await hall.store.catalogueItems(version: 1)?.items.first?.promisedWorkingDays == 5)
        #expect(try await hall.store.notice(number: issued.notice.notice.number)?.notice.draft.catalogueVersion == 1)
        #expect(try await hall.store.catalogueVersions().map(\.version) == [1, 2])
    }

    @Test("a malformed list is refused with its lines named and the catalogue in use unchanged; windows must be configured")
    func badListsAreRefused() async throws {
        let hall = try await HallAPITests.hall()
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        _ = try await catalogue.importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        let bad = Self.list + "1,食品经营许可(新办),6,身份证明,\n2,户籍证明,-3,身份证,\n"
        let error = await #expect(throws: ItemCatalogueDeskError.self) { try await catalogue.importFile(try Self.file(hall, "bad.csv", bad), actor: "D008") }
        let text = try #require(error?.description)
        #expect(text.contains("line 5, column 事项名称: 食品经营许可(新办) of window 1 is already on line 2"), "\(text)")
        #expect(text.contains("line 6, column 承诺时限: the period -3 is negative"), "\(text)")
        #expect(try await hall.store.catalogueVersions().count == 1)
        let elsewhere = await #expect(throws: ItemCatalogueDeskError.self) {
            try await catalogue.importFile(try Self.file(hall, "w9.csv", "窗口,事项名称,承诺时限,申请材料\n9,户籍证明,3,身份证\n"), actor: "D008")
        }
        #expect(elsewhere?.description.contains("line 2, column 窗口: window 9 is not configured (configured: 1, 2, 3)") == true, "\(String(describing: elsewhere))")
        let missing = await #expect(throws: ItemCatalogueDeskError.self) { try await catalogue.importFile("/nonexistent/items.csv", actor: "D008") }
        #expect(missing?.description.contains("cannot read the item catalogue /nonexistent/items.csv") == true)
    }

    @Test("an XLSX written by openpyxl (shared strings, deflated parts) reads as the same items; a cut file is refused")
    func xlsxFromAnotherProgram() async throws {
        let hall = try await HallAPITests.hall()
        let directory = URL(fileURLWithPath: hall.config.store.dataDirectory)
        let xlsx = directory.appendingPathComponent("事项目录.xlsx")
        let script = """
            import csv, io, sys, openpyxl
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = "事项目录"
            sheet.append(["2026年事项目录"])  # a title row above the header, as halls' lists have
            for row in csv.reader(io.StringIO(sys.argv[2])):
                sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
            other = book.create_sheet("说明")
            other.append(["not read"])
            book.save(sys.argv[1])
            """
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, xlsx.path, Self.list])
        #expect(run.status == 0, "\(run.stderr)")
        let bytes = try Data(contentsOf: xlsx)
        let rows = try XLSXSheetReader.firstSheetRows(bytes)
        #expect(rows.first?.cells == ["2026年事项目录"] && rows.first?.line == 1)
        #expect(rows.dropFirst().first?.cells == ["窗口", "事项名称", "承诺时限", "申请材料", "联办部门"])
        let fromXLSX = try ItemCatalogue.parse(rows: rows)
        let fromCSV = try ItemCatalogue.parse(csv: Self.list)
        #expect(fromXLSX.map(\.name) == fromCSV.map(\.name))
        #expect(fromXLSX.map(\.materials) == fromCSV.map(\.materials) && fromXLSX.map(\.promisedWorkingDays) == [5, 10, 7])
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let imported = try await catalogue.importFile(xlsx.path, actor: "D008")
        #expect(imported.version.items == 3 && imported.version.source == "事项目录.xlsx")

        let cut = directory.appendingPathComponent("cut.xlsx")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let refused = await #expect(throws: ItemCatalogueDeskError.self) { try await catalogue.importFile(cut.path, actor: "D008") }
        #expect(refused?.description.contains("cut.xlsx") == true && refused?.description.contains("save the list again") == true)
    }

    @Test("an acceptance follows the supplementary notice of its application; the waits say how long; wrong links refused")
    func supplementaryThenAcceptance() async throws {
        let hall = try await HallAPITests.hall()
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        _ = try await catalogue.importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        let desk = NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock)
        // Thu 26 November: materials incomplete at window 1, and another at window 2 that stays open.
        var first = Self.draft(.supplementaryMaterials, item: "食品经营许可(新办)")
        first.materialsReceived = ["营业执照副本复印件"]
        let supplementary = try await desk.issueAndPrint(try await catalogue.fill(first), idempotencyKey: "s-1").notice.notice
        let open = try await desk.issueAndPrint(try await catalogue.fill(Self.draft(.supplementaryMaterials, item: "不动产登记(转移)", window: 2, clerk: "D003")),
                                                idempotencyKey: "s-2").notice.notice
        // Mon 30 November the applicant comes back complete.
        hall.clock.advance(by: 4 * 86_400)
        var accept = try await catalogue.fill(Self.draft(.acceptance, item: "食品经营许可(新办)", on: "2026-11-30"))
        accept.follows = supplementary.number
        let accepted = try await desk.issueAndPrint(accept, idempotencyKey: "a-1").notice.notice
        #expect(accepted.draft.follows == supplementary.number)

        let waits = try await catalogue.waits(from: CivilDate("2026-11-01")!, to: CivilDate("2026-11-30")!)
        #expect(waits.count == 2)
        let closed = try #require(waits.first { $0.supplementary == supplementary.number })
        // Thu 26 to Mon 30: 4 calendar days, 2 working days (Fri 27, Mon 30).
        #expect(closed.acceptance == accepted.number && closed.days == 4 && closed.workingDays == 2 && !closed.open)
        let stillOpen = try #require(waits.first { $0.supplementary == open.number })
        #expect(stillOpen.open && stillOpen.acceptance == nil && stillOpen.days == 4)

        // Wrong links: an acceptance is not a supplementary notice; one supplementary notice is followed once; same window.
        var twice = try await catalogue.fill(Self.draft(.acceptance, item: "食品经营许可(新办)", on: "2026-11-30"))
        twice.follows = supplementary.number
        await #expect(throws: ItemCatalogueDeskError.followsAlreadyAccepted(supplementary.number, by: accepted.number)) {
            try await desk.issueAndPrint(twice, idempotencyKey: "a-2")
        }
        twice.follows = accepted.number
        await #expect(throws: ItemCatalogueDeskError.followsNotSupplementary(accepted.number, kind: .acceptance)) {
            try await desk.issueAndPrint(twice, idempotencyKey: "a-3")
        }
        twice.follows = open.number
        await #expect(throws: ItemCatalogueDeskError.followsOtherWindow(open.number, window: 2)) { try await desk.issueAndPrint(twice, idempotencyKey: "a-4") }
        twice.follows = "太谷政务〔2026〕第999999号"
        await #expect(throws: ItemCatalogueDeskError.followsUnknown("太谷政务〔2026〕第999999号")) { try await desk.issueAndPrint(twice, idempotencyKey: "a-5") }
        // The same request again (a retry) is not "followed twice".
        #expect(try await desk.issueAndPrint(accept, idempotencyKey: "a-1").notice.notice.number == accepted.number)
        // Only an acceptance follows.
        var rejection = Self.draft(.rejection, item: "食品经营许可(新办)")
        rejection.follows = supplementary.number
        #expect(rejection.problems().contains { $0.field == "follows" })
    }

    @Test("through the API: the catalogue, a notice from an item with follows, the preview filled in, the waits")
    func throughTheAPI() async throws {
        let hall = try await HallAPITests.hall()
        _ = try await ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
            .importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        let clerk = try await hall.store.createToken(name: "window 1", role: .clerk(window: 1), staffID: "D001", actor: "cli", at: hall.clock.now()).token
        let chief = try await hall.store.createToken(name: "chief", role: .dutyChief, staffID: "D007", actor: "cli", at: hall.clock.now()).token
        try await hall.app(routes: { HallAPITests.api(hall).register(on: $0) }).test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil, key: String? = nil) async throws -> (HTTPResponse.Status, Any?, String) {
                var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                if body != nil { headers[.contentType] = "application/json" }
                if let key { headers[.idempotencyKey] = key }
                return try await client.execute(uri: "/api/v1" + uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                    let text = String(buffer: response.body)
                    return (response.status, try? JSONSerialization.jsonObject(with: Data(text.utf8)), text)
                }
            }
            let (status, json, text) = try await call(.get, "/catalogue?window=1", clerk)
            #expect(status == .ok, "\(text)")
            let body = try #require(json as? [String: Any])
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(body["version"] as? Int == 1 && items.count == 2 && items[1]["joint"] as? Bool == true)

            let preview = try await call(.post, "/notices/preview", clerk,
                                         #"{"kind":"supplementary-materials","applicant":"张喆","item":"食品经营许可(新办)","window":1,"clerk":"D001","fromCatalogue":true,"materialsReceived":["营业执照副本复印件"]}"#)
            #expect(preview.0 == .ok)
            let shown = try #require(preview.1 as? [String: Any])
            #expect(shown["materialsMissing"] as? [String] == ["法定代表人身份证明", "食品安全管理制度文本"] && shown["catalogueVersion"] as? Int == 1)
            #expect((shown["text"] as? String)?.contains("1. 法定代表人身份证明") == true)
            let unknownPreview = try await call(.post, "/notices/preview", clerk,
                                                #"{"kind":"acceptance","applicant":"张喆","item":"户籍证明","window":1,"clerk":"D001","fromCatalogue":true}"#)
            #expect(unknownPreview.2.contains("1号窗口的事项目录中没有“户籍证明”"), "\(unknownPreview.2)")

            let issued = try await call(.post, "/notices", clerk,
                                        #"{"kind":"supplementary-materials","applicant":"张喆","item":"食品经营许可(新办)","window":1,"clerk":"D001","fromCatalogue":true}"#, key: "api-s1")
            #expect(issued.0 == .created, "\(issued.2)")
            let number = try #require(((issued.1 as? [String: Any])?["notice"] as? [String: Any])?["number"] as? String)
            let followed = try await call(.post, "/notices", clerk,
                                          #"{"kind":"acceptance","applicant":"张喆","item":"食品经营许可(新办)","window":1,"clerk":"D001","fromCatalogue":true,"follows":"\#(number)"}"#, key: "api-a1")
            #expect(followed.0 == .created, "\(followed.2)")
            let notice = try #require((followed.1 as? [String: Any])?["notice"] as? [String: Any])
            #expect(notice["follows"] as? String == number && notice["catalogueVersion"] as? Int == 1)
            let again = try await call(.post, "/notices", clerk,
                                       #"{"kind":"acceptance","applicant":"张喆","item":"食品经营许可(新办)","window":1,"clerk":"D001","fromCatalogue":true,"follows":"\#(number)"}"#, key: "api-a2")
            #expect(again.0 == .conflict, "\(again.2)")
            let unknownItem = try await call(.post, "/notices", clerk,
                                             #"{"kind":"acceptance","applicant":"张喆","item":"户籍证明","window":1,"clerk":"D001","fromCatalogue":true}"#, key: "api-x")
            #expect(unknownItem.0 == .unprocessableContent && unknownItem.2.contains("window 1 has no item"))

            let waits = try await call(.get, "/notices/waits?from=2026-11-01", chief)
            #expect(waits.0 == .ok, "\(waits.2)")
            let rows = try #require(waits.1 as? [[String: Any]])
            #expect(rows.count == 1 && rows[0]["acceptance"] as? String != nil && rows[0]["days"] as? Int == 0 && rows[0]["open"] as? Bool == false)
        }
    }

    @Test("damaged and hostile workbooks are refused with what to do, never expanded: too wide, a zip bomb, another compression, an old .xls")
    func hostileWorkbooks() async throws {
        let hall = try await HallAPITests.hall()
        let directory = URL(fileURLWithPath: hall.config.store.dataDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Made with Python's zipfile: a cell in column XFD; a 100 MB sheet of zeros deflated to a small file; a part
        // compressed with bzip2 (method 12).
        let script = """
            import sys, zipfile
            d = sys.argv[1]
            rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
            book = '<?xml version="1.0"?><workbook xmlns:r="r"><sheets><sheet name="s" r:id="rId1"/></sheets></workbook>'
            def write(name, sheet, method=zipfile.ZIP_DEFLATED):
                with zipfile.ZipFile(d + "/" + name, "w", method) as z:
                    z.writestr("xl/workbook.xml", book)
                    z.writestr("xl/_rels/workbook.xml.rels", rels)
                    z.writestr("xl/worksheets/sheet1.xml", sheet)
            write("wide.xlsx", '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>窗口</t></is></c><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>')
            write("bomb.xlsx", '<worksheet><sheetData>' + ' ' * (100 << 20) + '</sheetData></worksheet>')
            write("bzip2.xlsx", '<worksheet/>', zipfile.ZIP_BZIP2)
            """
        let run = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, directory.path])
        #expect(run.status == 0, "\(run.stderr)")
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        func refusal(_ name: String) async -> String {
            do {
                _ = try await catalogue.importFile(directory.appendingPathComponent(name).path, actor: "D008")
                return "imported"
            } catch { return "\(error)" }
        }
        #expect(await refusal("wide.xlsx").contains("column 16384, beyond the 64 columns"))
        #expect(await refusal("bomb.xlsx").contains("more than a list has"))
        #expect(await refusal("bzip2.xlsx").contains("compressed with method 12"))
        try Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)).write(to: directory.appendingPathComponent("old.xls"))
        #expect(await refusal("old.xls").contains("save it from Excel or WPS as .xlsx"))
        try Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0xFF, count: 100)).write(to: directory.appendingPathComponent("garbage.xlsx"))
        #expect(await refusal("garbage.xlsx").contains("not a complete .xlsx file"))
        #expect(try await hall.store.catalogueVersions().isEmpty)
    }

    @Test("one acceptance in force per supplementary notice, even when two clerks send theirs at once; not another applicant's")
    func twoAcceptancesAtOnce() async throws {
        let hall = try await HallAPITests.hall()
        let catalogue = ItemCatalogueDesk(config: hall.config, store: hall.store, clock: hall.clock)
        _ = try await catalogue.importFile(try Self.file(hall, "items.csv", Self.list), actor: "D008")
        let desk = NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let supplementary = try await desk.issueAndPrint(try await catalogue.fill(Self.draft(.supplementaryMaterials, item: "食品经营许可(新办)")),
                                                         idempotencyKey: "s").notice.notice
        var accept = try await catalogue.fill(Self.draft(.acceptance, item: "食品经营许可(新办)"))
        accept.follows = supplementary.number
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask { [accept] in (try? await desk.issueAndPrint(accept, idempotencyKey: "a-\(i)")) != nil }
            }
            var ok = 0
            for await issued in group where issued { ok += 1 }
            return ok
        }
        #expect(outcomes == 1)
        #expect(try await hall.store.notices(year: 2026).filter { $0.notice.draft.follows == supplementary.number }.count == 1)
        var other = accept
        other.applicant = "王喆"
        await #expect(throws: ItemCatalogueDeskError.followsOtherApplicant(supplementary.number, applicant: "李堃")) {
            try await catalogue.checkFollows(other)
        }
    }
}
