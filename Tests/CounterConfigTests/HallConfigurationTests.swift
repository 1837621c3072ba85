// The configuration file: defaults that run the demo, and errors that name file, line and key.
import CounterCore
import CounterTOML
import Foundation
import Testing
@testable import CounterConfig

@Suite struct HallConfigurationTests {
    func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/srv/countergate")
    }

    func errors(_ text: String) -> [ConfigError] {
        do { _ = try parse(text); return [] } catch let e as ConfigErrors { return e.errors } catch { return [] }
    }

    @Test func emptyFileGivesTheDemoDefaults() throws {
        let config = try parse("")
        #expect(config.http.bind == "127.0.0.1")
        #expect(config.http.port == 8080)
        #expect(config.windows.count == 3)
        #expect(config.store.dataDirectory == "/srv/countergate/demo-data")
        #expect(config.noticeNumberFormat.pattern == "太谷政务〔{year}〕第{seq:6}号")
        #expect(config.calendarYears.map(\.year).sorted() == [2025, 2026])
    }

    @Test("[printing] raster_font: unset by default, a path read against the file's folder, a wrong type named")
    func rasterFont() throws {
        #expect(try parse("").printing.rasterFont == nil)
        #expect(try parse("[printing]\nraster_font = \"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\"\n").printing.rasterFont
                == "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
        #expect(try parse("[printing]\nraster_font = \"fonts/cjk.ttc\"\n").printing.rasterFont == "/srv/countergate/fonts/cjk.ttc")
        let wrong = errors("[printing]\nraster_font = 3\n")
        #expect(wrong.count == 1 && wrong[0].key?.contains("raster_font") == true && wrong[0].line == 2
                && wrong[0].message.contains("CJK font file"), "\(wrong)")
    }

    @Test func fullFileIsRead() throws {
        let config = try parse("""
            [hall]
            name = "太谷县政务服务中心"
            phone = "0354-6221234"

            [http]
            bind = "127.0.0.1"
            port = 9080

            [store]
            data_dir = "/var/lib/countergate"

            [notices]
            number_format = "太谷政务〔{year}〕第{seq:5}号"

            [fallback]
            scope = "served-windows"
            enter_after_seconds = 30
            leave_after_seconds = 90

            [[window]]
            number = 1
            name = "市场准入"
            department = "县市场监督管理局"

            [[window]]
            number = 2
            department = "县自然资源局"

            [[device]]
            id = "entrance-terminal"
            kind = "terminal"
            profile = "zk-generic"
            address = "tcp://127.0.0.1:4370"
            windows = [1]
            """)
        #expect(config.http.port == 9080)
        #expect(config.store.dataDirectory == "/var/lib/countergate")
        #expect(config.noticeNumberFormat.render(year: 2026, sequence: 12) == "太谷政务〔2026〕第00012号")
        #expect(config.fallback == .init(scope: .servedWindows, enterAfterSeconds: 30, leaveAfterSeconds: 90))
        #expect(config.windows.map(\.name) == ["市场准入", "2号窗口"])
        #expect(config.devices.first?.role == "entrance-terminal")
        #expect(config.devices.first?.windows == [1])
    }

    @Test("[printing] pdf_font: unset by default (the installed fonts are searched), a relative path resolved, a number refused")
    func pdfFont() throws {
        #expect(try parse("").printing.pdfFont == nil)
        #expect(try parse("[printing]\npdf_font = \"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\"\n").printing.pdfFont
                == "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
        #expect(try parse("[printing]\npdf_font = \"fonts/notice.ttf\"\n").printing.pdfFont == "/srv/countergate/fonts/notice.ttf")
        let found = errors("[printing]\npdf_font = 12\n")
        #expect(found.first?.key == "printing.pdf_font" && found.first?.line == 2, "\(found)")
        #expect(found.first?.message.contains("TrueType Chinese font") == true, "\(found)")
    }

    @Test func wrongTypeNamesFileLineAndKey() {
        let found = errors("[hall]\nname = \"x\"\n\n[http]\nport = \"80a\"\n")
        #expect(found.count == 1)
        #expect(found.first?.file == "hall.toml")
        #expect(found.first?.line == 5)
        #expect(found.first?.key == "http.port")
        #expect(found.first?.description == "hall.toml:5: key `http.port`: expected an integer from 0 to 65535, found string \"80a\"")
    }

    @Test func typoIsNotIgnored() {
        let found = errors("[http]\nprot = 8080\n")
        #expect(found.first?.line == 2)
        #expect(found.first?.key == "http.prot")
        #expect(found.first?.message.contains("did you mean `http.port`") == true)
        #expect(errors("[htpp]\nport = 1\n").first?.key == "htpp")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = errors("""
            [http]
            bind = "localhost:80"
            port = 70000

            [fallback]
            enter_after_seconds = 300
            leave_after_seconds = 60

            [[window]]
            number = 1

            [[window]]
            number = 1
            department = "x"

            [[device]]
            id = "a b"
            kind = "scanner"
            """)
        let keys = found.map { "\($0.line):\($0.key ?? "")" }
        #expect(keys.contains("2:http.bind"))
        #expect(keys.contains("3:http.port"))
        #expect(keys.contains("7:fallback.leave_after_seconds"))
        #expect(keys.contains("9:window[1].department"))
        #expect(keys.contains("12:window[2].number"))
        #expect(keys.contains("17:device[1].id"))
    }

    @Test func badNumberFormatIsExplained() {
        let found = errors("[notices]\nnumber_format = \"第{seq:6}号\"\n")
        #expect(found.first?.line == 2)
        #expect(found.first?.key == "notices.number_format")
        #expect(found.first?.message.contains("{year}") == true)
    }

    @Test func syntaxErrorNamesTheLine() {
        let found = errors("[http]\nport = 80 80\n")
        #expect(found.first?.line == 2)
        #expect(found.first?.file == "hall.toml")
    }

    @Test func missingFileIsNamed() {
        #expect(throws: ConfigErrors.self) { try HallConfiguration.load(path: "/nonexistent/countergate.toml") }
    }

    @Test func deviceNamingAnUnconfiguredWindowIsRefused() {
        let found = errors("""
            [[window]]
            number = 1
            department = "x"

            [[device]]
            id = "t1"
            kind = "terminal"
            profile = "zk"
            address = "sim"
            windows = [1, 4]
            """)
        #expect(found.map(\.message).contains("window 4 is not configured"))
    }
}

@Suite struct CalendarDataTests {
    @Test func shippedYearsCiteTheirNotices() throws {
        let years = try ShippedCalendar.years()
        let y2025 = try #require(years.first { $0.year == 2025 })
        #expect(y2025.documentNumber == "国办发明电〔2024〕12号")
        #expect(y2025.published == CivilDate("2024-11-12"))
        #expect(y2025.notice.contains("2025年部分节假日安排"))
        let y2026 = try #require(years.first { $0.year == 2026 })
        #expect(y2026.published == CivilDate("2025-11-04"))
        #expect(!y2026.source.isEmpty)
    }

    @Test func shippedDataMatchesThePublishedDays() throws {
        let calendar = try WorkingDayCalendar(years: ShippedCalendar.years())
        // 2026: Feb 14 and Feb 28 are working Saturdays; Feb 15-23 off; Oct 1-7 off; Sep 20 and Oct 10 worked.
        #expect(try calendar.kind(of: CivilDate("2026-02-14")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-28")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-15")!) == .holiday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-09-25")!) == .holiday("中秋节"))
        #expect(try calendar.kind(of: CivilDate("2026-10-10")!) == .makeUpWorkday("国庆节"))
        // 2025: Spring Festival Jan 28 - Feb 4, Jan 26 and Feb 8 worked; National Day Oct 1-8.
        #expect(try calendar.kind(of: CivilDate("2025-01-26")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2025-10-08")!) == .holiday("国庆节、中秋节"))
        #expect(try calendar.kind(of: CivilDate("2025-10-11")!).isWorkingDay)
        // Whole-year counts, worked out by hand from the notices:
        // 2026: 365 - 104 weekend days - 19 holidays on weekdays + 6 make-up days = 248.
        // 2025: 365 - 104 - 18 + 5 = 248.
        #expect(try calendar.workingDays(from: CivilDate("2026-01-01")!, through: CivilDate("2026-12-31")!) == 248)
        #expect(try calendar.workingDays(from: CivilDate("2025-01-01")!, through: CivilDate("2025-12-31")!) == 248)
        // Across the year end: Dec 31 2025 accepted, one working day is Sun Jan 4 2026.
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2025-12-31")!, workingDays: 1) == CivilDate("2026-01-04"))
    }

    @Test func anotherYearIsAddedByConfiguration() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-cal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
            year = 2027
            notice = "测试用:2027年节假日安排"
            published = 2026-11-01
            source = "test fixture, not a real notice"

            [[holiday]]
            name = "元旦"
            from = 2027-01-01
            to = 2027-01-01
            """.write(to: directory.appendingPathComponent("cn-2027.toml"), atomically: true, encoding: .utf8)
        let config = try HallConfiguration.parse(text: "[calendar]\nfiles = [\"cn-2027.toml\"]\n", file: "hall.toml", baseDirectory: directory.path)
        let calendar = try config.calendar()
        #expect(try calendar.kind(of: CivilDate("2027-01-01")!) == .holiday("元旦"))
        #expect(try calendar.kind(of: CivilDate("2027-01-04")!) == .workday)
    }

    @Test func brokenCalendarFileIsLocated() {
        do {
            _ = try CalendarFile.parse(text: "year = 2027\nnotice = \"x\"\npublished = \"2026-11-01\"\nsource = \"s\"\n", file: "cn-2027.toml")
            Issue.record("accepted a quoted date")
        } catch let error as ConfigErrors {
            #expect(error.errors.first?.line == 3)
            #expect(error.errors.first?.key == "published")
        } catch { Issue.record("\(error)") }
        #expect(throws: ConfigErrors.self) {
            try CalendarFile.parse(text: "year = 2027\nnotice = \"x\"\npublished = 2026-11-01\nsource = \"s\"\n[[workday]]\ndate = 2027-01-06\nfor = \"x\"\n", file: "c.toml")
        }
    }
}

@Suite struct ExampleConfigurationTests {
    /// docs/countergate.example.toml is what ops copy; it must stay readable as the docs change.
    @Test func theDocumentedExampleIsAccepted() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try HallConfiguration.load(path: root.appendingPathComponent("docs/countergate.example.toml").path)
        #expect(config.store.dataDirectory == "/var/lib/countergate")
        #expect(config.devices.map(\.id) == ["entrance-terminal"])
        #expect(config.windows.count == 2)
    }
}
