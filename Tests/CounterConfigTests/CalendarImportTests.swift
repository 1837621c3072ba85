// Years of holiday data from the holiday-cn data set's JSON and from calendar files: read, checked, written in the
// project's own format, installed in the data folder and loaded on the next start.
import CounterCore
import CounterTOML
import Foundation
import Testing
@testable import CounterConfig

@Suite struct HolidayCNFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A made-up 2027 in the data set's format (Tests/Fixtures/calendar/README.md): not official data.
    static let fixture = root.appendingPathComponent("Tests/Fixtures/calendar/holiday-cn-2027-test-fixture.json").path

    static func parse(_ json: String, file: String = "2027.json") throws(CalendarDataError) -> HolidayCNFile.Reading {
        try HolidayCNFile.parse(Data(json.utf8), file: file)
    }

    @Test("the fixture's year: consecutive off days of a name are one period, isOffDay false are make-up working days")
    func readsTheDataSetsFormat() throws {
        let reading = try HolidayCNFile.parse(try Data(contentsOf: URL(fileURLWithPath: Self.fixture)), file: Self.fixture)
        let year = reading.year
        #expect(year.year == 2027)
        #expect(year.notice == "国务院办公厅关于2027年部分节假日安排的通知")
        #expect(year.source == "https://example.invalid/test-fixture/2026-11/04/not-a-real-notice.htm")
        #expect(year.published == CivilDate("2026-11-04"), "the day is in the address")
        #expect(year.holidays.map(\.name) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"])
        #expect(year.holidays[1].days.first == CivilDate("2027-02-05") && year.holidays[1].days.last == CivilDate("2027-02-13"))
        #expect(year.holidays[1].days.count == 9)
        #expect(year.makeUpWorkdays.map(\.date.description) == ["2027-01-31", "2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26", "2027-10-09"])
        #expect(year.makeUpWorkdays.first?.forHoliday == "春节")
        #expect(reading.otherYearsDays.isEmpty)

        let calendar = try WorkingDayCalendar(years: [year])
        #expect(try calendar.kind(of: CivilDate("2027-01-31")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2027-02-08")!) == .holiday("春节"))
        // Accepted Thu 2027-02-04, 3 working days: 02-05..13 off, Sun 14 off, Mon 15 (1), Tue 16 (2), Wed 17 (3).
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2027-02-04")!, workingDays: 3) == CivilDate("2027-02-17"))
    }

    @Test("written in the project's format and read back, the year is the same")
    func roundTripsThroughTheCalendarFileFormat() throws {
        let year = try HolidayCNFile.parse(try Data(contentsOf: URL(fileURLWithPath: Self.fixture)), file: Self.fixture).year
        let text = CalendarFile.text(of: year, comments: ["test"])
        #expect(text.hasPrefix("# test\nyear = 2027\nnotice = \"国务院办公厅关于2027年部分节假日安排的通知\"\npublished = 2026-11-04\n"))
        #expect(text.contains("[[holiday]]\nname = \"春节\"\nfrom = 2027-02-05\nto = 2027-02-13\n"))
        #expect(try CalendarFile.parse(text: text, file: "cn-2027.toml") == year)
        // A newer address gives the month only: the day is not guessed.
        let newer = try Self.parse(#"{"year": 2027, "papers": ["https://www.gov.cn/zhengce/zhengceku/202611/content_1.htm"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#)
        #expect(newer.year.published == nil)
        #expect(try CalendarFile.parse(text: CalendarFile.text(of: newer.year), file: "x.toml") == newer.year)
    }

    @Test("days in another year are kept apart, not dropped silently")
    func daysOfAnotherYear() throws {
        let reading = try Self.parse("""
            {"year": 2027, "papers": ["https://example.invalid/p"], "days": [
              {"name": "元旦", "date": "2026-12-31", "isOffDay": true},
              {"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}
            """)
        #expect(reading.year.holidays.map(\.days) == [[CivilDate("2027-01-01")!]])
        #expect(reading.otherYearsDays == [HolidayCNFile.Day(name: "元旦", date: CivilDate("2026-12-31")!, isOffDay: true)])
    }

    @Test("bad files: each error names the file, what is wrong and what to do")
    func malformed() {
        func problem(_ json: String, file: String = "2027.json") -> String {
            do { _ = try Self.parse(json, file: file); return "accepted" } catch { return error.description }
        }
        let notJSON = problem("{\"year\": 2027, \"papers\": [")
        #expect(notJSON.hasPrefix("2027.json is not usable holiday data") && notJSON.contains("not valid JSON") && notJSON.contains("Download"), "\(notJSON)")
        let noDays = problem(#"{"year": 2027, "papers": []}"#)
        #expect(noDays.contains("`days` is missing"), "\(noDays)")
        let wrongType = problem(#"{"year": 2027, "papers": ["p"], "days": [{"name": "春节", "date": "2027-02-05", "isOffDay": "yes"}]}"#)
        #expect(wrongType.contains("`days[0].isOffDay` should be true or false"), "\(wrongType)")
        let noSuchDay = problem(#"{"year": 2027, "papers": ["p"], "days": [{"name": "春节", "date": "2027-02-30", "isOffDay": true}]}"#)
        #expect(noSuchDay.contains("days[0] (春节): \"2027-02-30\" is not a date"), "\(noSuchDay)")
        // The data set's placeholder for a year whose notice is not out yet (it ships such a 2027.json).
        let placeholder = problem(#"{"$schema": "s", "$id": "i", "year": 2027, "papers": [], "days": []}"#)
        #expect(placeholder.contains("lists no days and no State Council notice") && placeholder.contains("download 2027.json again"), "\(placeholder)")
        let misnamed = problem(#"{"year": 2026, "papers": ["p"], "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true}]}"#)
        #expect(misnamed.contains("named 2027.json but holds the year 2026"), "\(misnamed)")
        // Inconsistent: a make-up working day on a Wednesday, a day both off and worked (HolidayYear.problems()).
        let inconsistent = problem("""
            {"year": 2027, "papers": ["p"], "days": [
              {"name": "春节", "date": "2027-02-10", "isOffDay": false},
              {"name": "春节", "date": "2027-02-06", "isOffDay": true},
              {"name": "春节", "date": "2027-02-06", "isOffDay": false}]}
            """)
        #expect(inconsistent.contains("2027-02-10 is a 周三, not a weekend day") && inconsistent.contains("2027-02-06 is both"), "\(inconsistent)")
    }
}

@Suite struct CalendarImportTests {
    /// A hall whose data folder is in `directory`; `extra` adds to the configuration.
    static func hall(_ directory: TemporaryDirectory, extra: String = "") throws -> String {
        let path = directory.file("hall.toml")
        try "[store]\ndata_dir = \"data\"\n\(extra)".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("installed in the data folder, loaded on the next start, listed as imported; a year loaded already needs --replace")
    func installsAndRefusesTwice() throws {
        let directory = try TemporaryDirectory("calendar-import")
        let path = try Self.hall(directory)
        let before = try HallConfiguration.load(path: path)
        #expect(before.calendarYears.map(\.year) == [2025, 2026])
        #expect(before.importedCalendarDirectory == directory.path + "/data/calendar")

        let source = try CalendarImportSource.read(path: HolidayCNFileTests.fixture)
        #expect(source.format == .holidayCN)
        let installed = try CalendarImport.install(source, into: before, replace: false) { try HallConfiguration.load(path: path) }
        #expect(installed.path == directory.path + "/data/calendar/cn-2027.toml")
        #expect(installed.replaced == nil)
        let after = try HallConfiguration.load(path: path)
        #expect(after.calendarYears.map(\.year) == [2025, 2026, 2027])
        #expect(after.calendarOrigins[2027] == .imported(installed.path))
        #expect(after.calendarOrigins[2026] == .shipped)
        #expect(try after.calendar().kind(of: CivilDate("2027-02-08")!) == .holiday("春节"))
        let written = try String(contentsOfFile: installed.path, encoding: .utf8)
        #expect(written.hasPrefix("# China's public holidays and make-up working days (调休) of 2027"))
        #expect(written.contains("Imported by `countergate calendar import` from holiday-cn-2027-test-fixture.json (holiday-cn JSON)"))

        // Again: refused, nothing changed.
        #expect(throws: CalendarImportError.alreadyLoaded(year: 2027, from: "\(installed.path) (imported)",
                                                          notice: "国务院办公厅关于2027年部分节假日安排的通知", file: HolidayCNFileTests.fixture)) {
            try CalendarImport.install(source, into: after, replace: false) { try HallConfiguration.load(path: path) }
        }
        // A shipped year replaced by a calendar file, with --replace: the import wins, the shipped one is named.
        let shipped2026 = directory.file("cn-2026-corrected.toml")
        try """
            year = 2026
            notice = "测试用:2026年节假日安排(更正)"
            source = "test fixture, not a real notice"

            [[holiday]]
            name = "元旦"
            from = 2026-01-01
            to = 2026-01-02
            """.write(toFile: shipped2026, atomically: true, encoding: .utf8)
        let correction = try CalendarImportSource.read(path: shipped2026)
        #expect(correction.format == .calendarFile)
        #expect(throws: CalendarImportError.self) {
            try CalendarImport.install(correction, into: after, replace: false) { try HallConfiguration.load(path: path) }
        }
        let replaced = try CalendarImport.install(correction, into: after, replace: true) { try HallConfiguration.load(path: path) }
        #expect(replaced.replaced == .shipped)
        let corrected = try HallConfiguration.load(path: path)
        #expect(corrected.calendarYears.first { $0.year == 2026 }?.notice == "测试用:2026年节假日安排(更正)")
        #expect(try corrected.calendar().kind(of: CivilDate("2026-01-03")!) == .weekend)
    }

    @Test("a year that makes the configuration fail to load is taken back out")
    func takenBackWhenTheConfigurationDoesNotLoad() throws {
        let directory = try TemporaryDirectory("calendar-import-bad")
        let path = try Self.hall(directory)
        let config = try HallConfiguration.load(path: path)
        let source = try CalendarImportSource.read(path: HolidayCNFileTests.fixture)
        struct Refused: Error {}
        #expect(throws: CalendarImportError.self) {
            try CalendarImport.install(source, into: config, replace: false) { throw Refused() }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/data/calendar/cn-2027.toml"))
        #expect(try HallConfiguration.load(path: path).calendarYears.map(\.year) == [2025, 2026])
    }

    @Test("a broken file in the data folder's calendar/ stops the configuration, named")
    func brokenImportedFileIsNamed() throws {
        let directory = try TemporaryDirectory("calendar-import-broken")
        let path = try Self.hall(directory)
        try FileManager.default.createDirectory(atPath: directory.path + "/data/calendar", withIntermediateDirectories: true)
        try "year = 2027\n".write(toFile: directory.path + "/data/calendar/cn-2027.toml", atomically: true, encoding: .utf8)
        do {
            _ = try HallConfiguration.load(path: path)
            Issue.record("a broken imported year was accepted")
        } catch let error as ConfigErrors {
            #expect(error.errors.contains { $0.file.hasSuffix("data/calendar/cn-2027.toml") && $0.key == "notice" }, "\(error)")
        }
    }

    @Test("a JSON file that is not holiday data is refused before anything is written")
    func badJSONWritesNothing() throws {
        let directory = try TemporaryDirectory("calendar-import-json")
        let bad = directory.file("2027.json")
        try #"{"year": 2027, "papers": [], "days": []}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: CalendarDataError.self) { try CalendarImportSource.read(path: bad) }
        #expect(throws: CalendarDataError.self) { try CalendarImportSource.read(path: directory.file("missing.json")) }
    }
}

/// A folder of its own for one test, removed when the test lets go of it.
final class TemporaryDirectory {
    let path: String
    init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
