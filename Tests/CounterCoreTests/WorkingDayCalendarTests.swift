// Working days across the 2026 Spring Festival, National Day and the 2025/2026 year end.
import Foundation
import Testing
@testable import CounterCore

/// The 2025 and 2026 arrangements as the notices give them, built in code so the core is tested alone
/// (CounterConfigTests checks the shipped data files say the same).
enum Fixtures {
    static func days(_ from: String, _ to: String) -> [CivilDate] {
        let a = CivilDate(from)!, b = CivilDate(to)!
        return (0...(b.dayNumber - a.dayNumber)).map { a.adding(days: $0) }
    }

    static let y2025 = HolidayYear(
        year: 2025, notice: "国务院办公厅关于2025年部分节假日安排的通知", documentNumber: "国办发明电〔2024〕12号",
        published: CivilDate("2024-11-12")!, source: "test",
        holidays: [
            HolidayPeriod(name: "元旦", days: days("2025-01-01", "2025-01-01")),
            HolidayPeriod(name: "春节", days: days("2025-01-28", "2025-02-04")),
            HolidayPeriod(name: "国庆节、中秋节", days: days("2025-10-01", "2025-10-08")),
        ],
        makeUpWorkdays: [.init(date: CivilDate("2025-01-26")!, forHoliday: "春节"), .init(date: CivilDate("2025-02-08")!, forHoliday: "春节"),
                         .init(date: CivilDate("2025-09-28")!, forHoliday: "国庆节"), .init(date: CivilDate("2025-10-11")!, forHoliday: "国庆节")])

    static let y2026 = HolidayYear(
        year: 2026, notice: "国务院办公厅关于2026年部分节假日安排的通知", documentNumber: "国办发明电〔2025〕7号",
        published: CivilDate("2025-11-04")!, source: "test",
        holidays: [
            HolidayPeriod(name: "元旦", days: days("2026-01-01", "2026-01-03")),
            HolidayPeriod(name: "春节", days: days("2026-02-15", "2026-02-23")),
            HolidayPeriod(name: "国庆节", days: days("2026-10-01", "2026-10-07")),
        ],
        makeUpWorkdays: [.init(date: CivilDate("2026-01-04")!, forHoliday: "元旦"), .init(date: CivilDate("2026-02-14")!, forHoliday: "春节"),
                         .init(date: CivilDate("2026-02-28")!, forHoliday: "春节"), .init(date: CivilDate("2026-09-20")!, forHoliday: "国庆节"),
                         .init(date: CivilDate("2026-10-10")!, forHoliday: "国庆节")])

    static func calendar() throws -> WorkingDayCalendar { try WorkingDayCalendar(years: [y2025, y2026]) }
}

@Suite struct WorkingDayCalendarTests {
    let calendar = try! Fixtures.calendar()

    @Test func springFestival2026WorkingSaturdays() throws {
        #expect(try calendar.kind(of: CivilDate("2026-02-14")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-28")!) == .makeUpWorkday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-16")!) == .holiday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-23")!) == .holiday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-02-24")!) == .workday)
        #expect(try calendar.kind(of: CivilDate("2026-02-21")!) == .holiday("春节"))
        #expect(try calendar.kind(of: CivilDate("2026-03-07")!) == .weekend)
    }

    @Test func promisedDateAcrossSpringFestival() throws {
        // Accepted Thu 2026-02-12: Fri 13 (1), Sat 14 worked (2), 15-23 holiday, Tue 24 (3), Wed 25 (4), Thu 26 (5).
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-02-12")!, workingDays: 5) == CivilDate("2026-02-26"))
        // 27 Fri (6), Sat 28 worked (7), Mon Mar 2 (8).
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-02-12")!, workingDays: 8) == CivilDate("2026-03-02"))
        #expect(try calendar.workingDays(from: CivilDate("2026-02-09")!, through: CivilDate("2026-03-01")!) == 5 + 1 + 4 + 1)  // Feb 9-13, Sat 14, Feb 24-27, Sat 28
    }

    @Test func promisedDateAcrossNationalDay2026() throws {
        // Accepted Wed 2026-09-30: Oct 1-7 off, Thu 8 (1), Fri 9 (2), Sat 10 worked (3), Sun 11 off, Mon 12 (4).
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-09-30")!, workingDays: 1) == CivilDate("2026-10-08"))
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-09-30")!, workingDays: 3) == CivilDate("2026-10-10"))
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-09-30")!, workingDays: 4) == CivilDate("2026-10-12"))
        #expect(try calendar.kind(of: CivilDate("2026-09-20")!) == .makeUpWorkday("国庆节"))
    }

    @Test func acrossTheYearEnd() throws {
        // Accepted Wed 2025-12-31; Jan 1-3 off, Sun Jan 4 2026 worked, Mon Jan 5.
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2025-12-31")!, workingDays: 1) == CivilDate("2026-01-04"))
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2025-12-31")!, workingDays: 2) == CivilDate("2026-01-05"))
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2025-12-30")!, workingDays: 1) == CivilDate("2025-12-31"))
        #expect(try calendar.workingDays(from: CivilDate("2025-12-29")!, through: CivilDate("2026-01-04")!) == 4)
    }

    @Test func acceptanceOnFridayIsDueMonday() throws {
        #expect(try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-03-06")!, workingDays: 1) == CivilDate("2026-03-09"))
    }

    @Test func yearWithoutDataIsReportedNotGuessed() throws {
        #expect(throws: WorkingDayCalendarError.noDataForYear(2027)) {
            try calendar.kind(of: CivilDate("2027-03-03")!)
        }
        // A promise that runs into 2027 must not silently count 2027 as weekends-only.
        #expect(throws: WorkingDayCalendarError.noDataForYear(2027)) {
            try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-12-28")!, workingDays: 10)
        }
        #expect(throws: WorkingDayCalendarError.noDataForYear(2024)) {
            try calendar.isWorkingDay(CivilDate("2024-12-31")!)
        }
        #expect(WorkingDayCalendarError.noDataForYear(2027).description.contains("2027"))
    }

    @Test func inconsistentDataIsRefused() {
        let bad = HolidayYear(year: 2026, notice: "x", documentNumber: nil, published: CivilDate("2025-11-04")!, source: "",
                              holidays: [HolidayPeriod(name: "春节", days: [CivilDate("2026-02-14")!])],
                              makeUpWorkdays: [.init(date: CivilDate("2026-02-14")!, forHoliday: "春节"),
                                               .init(date: CivilDate("2026-02-16")!, forHoliday: "春节")])
        #expect(throws: WorkingDayCalendarError.self) { try WorkingDayCalendar(years: [bad]) }
        let problems = bad.problems().joined(separator: "\n")
        #expect(problems.contains("2026-02-14 is both"))
        #expect(problems.contains("2026-02-16 is a 周一"))
        #expect(throws: WorkingDayCalendarError.self) { try WorkingDayCalendar(years: [Fixtures.y2026, Fixtures.y2026]) }
    }

    @Test func civilDateArithmetic() {
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2026-02-14")!.isoWeekday == 6)
        #expect(CivilDate("2026-01-04")!.chineseWeekday == "周日")
        #expect(CivilDate("2025-12-31")!.adding(days: 1) == CivilDate("2026-01-01"))
        #expect(CivilDate(dayNumber: CivilDate("1969-07-20")!.dayNumber) == CivilDate("1969-07-20"))
        // An instant late on Dec 31 UTC is already Jan 1 in the hall.
        #expect(CivilDate(Date(timeIntervalSince1970: 1_767_225_600 - 3600)) == CivilDate("2026-01-01"))
    }
}
