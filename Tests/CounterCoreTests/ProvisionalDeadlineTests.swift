// Promised dates across a year with no holiday arrangement: counted on weekends alone and marked provisional (暂定);
// and which years are due when (this year always, next year from 1 November).
import Foundation
import Testing
@testable import CounterCore

@Suite struct ProvisionalDeadlineTests {
    let calendar = try! Fixtures.calendar()  // 2025 and 2026

    @Test("into a missing year: weekends alone, provisional, naming the year")
    func intoAMissingYear() throws {
        // Accepted Mon 2026-12-28, 10 working days: Tue 29 (1), Wed 30 (2), Thu 31 (3); 2027 on weekends alone:
        // Fri Jan 1 (4), Mon 4 (5), Tue 5 (6), Wed 6 (7), Thu 7 (8), Fri 8 (9), Mon 11 (10).
        let promised = try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2026-12-28")!, workingDays: 10)
        #expect(promised == PromisedCompletion(date: CivilDate("2027-01-11")!, missingYears: [2027]))
        #expect(promised.provisional)
        // The throwing count still refuses, for the code that must not guess.
        #expect(throws: WorkingDayCalendarError.noDataForYear(2027)) {
            try calendar.promisedCompletionDate(acceptedOn: CivilDate("2026-12-28")!, workingDays: 10)
        }
        // Thu 2026-12-31 + 1: Fri 2027-01-01, a working day on weekends alone (whatever 元旦 will be).
        #expect(try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2026-12-31")!, workingDays: 1)
            == PromisedCompletion(date: CivilDate("2027-01-01")!, missingYears: [2027]))
        let saturday = calendar.provisionalKind(of: CivilDate("2027-01-02")!)
        #expect(saturday.kind == .weekend && saturday.provisional)
        let worked = calendar.provisionalKind(of: CivilDate("2026-02-14")!)
        #expect(worked.kind == .makeUpWorkday("春节") && !worked.provisional)
    }

    @Test("within loaded years the date is final and the same as the throwing count")
    func withinLoadedYears() throws {
        // Thu 2026-02-12 + 5: Fri 13, Sat 14 worked, Tue 24, Wed 25, Thu 26.
        let promised = try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2026-02-12")!, workingDays: 5)
        #expect(promised == PromisedCompletion(date: CivilDate("2026-02-26")!, missingYears: []))
        #expect(!promised.provisional)
        // Accepted on the last day of a missing year: the acceptance day is not counted, so nothing provisional is crossed.
        // Tue 2024-12-31 + 1: Wed 2025-01-01 is 元旦, Thu Jan 2.
        #expect(try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2024-12-31")!, workingDays: 1)
            == PromisedCompletion(date: CivilDate("2025-01-02")!, missingYears: []))
    }

    @Test("across two missing years, both named; a period that is not positive is still refused")
    func acrossTwoMissingYears() throws {
        let empty = try WorkingDayCalendar(years: [])
        // Thu 2027-12-30 + 5: Fri 31 (1), Sat/Sun 2028-01-01/02 off, Mon 3 (2), Tue 4 (3), Wed 5 (4), Thu 6 (5).
        #expect(try empty.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2027-12-30")!, workingDays: 5)
            == PromisedCompletion(date: CivilDate("2028-01-06")!, missingYears: [2027, 2028]))
        #expect(throws: WorkingDayCalendarError.invalidPeriod(0)) {
            try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate("2026-03-02")!, workingDays: 0)
        }
    }

    @Test("this year is due always, next year from 1 November")
    func dueYears() {
        let loaded: Set<Int> = [2025, 2026]
        #expect(CalendarCoverage(today: CivilDate("2026-10-31")!, covered: loaded).overdueYears == [])
        #expect(CalendarCoverage(today: CivilDate("2026-11-01")!, covered: loaded).overdueYears == [2027])
        #expect(CalendarCoverage(today: CivilDate("2026-12-31")!, covered: loaded.union([2027])).overdueYears == [])
        #expect(CalendarCoverage(today: CivilDate("2027-01-04")!, covered: loaded).overdueYears == [2027])
        #expect(CalendarCoverage(today: CivilDate("2027-11-02")!, covered: [2026]).overdueYears == [2027, 2028])
    }

    @Test("the years missing for the next twelve months")
    func nextTwelveMonths() {
        #expect(CalendarCoverage(today: CivilDate("2026-03-15")!, covered: [2025, 2026]).missingInNextTwelveMonths == [2027])
        #expect(CalendarCoverage(today: CivilDate("2026-12-06")!, covered: [2026, 2027]).missingInNextTwelveMonths == [])
        #expect(CalendarCoverage(today: CivilDate("2028-02-29")!, covered: [2028]).missingInNextTwelveMonths == [2029])
        #expect(CalendarCoverage(today: CivilDate("2026-01-01")!, covered: []).missingInNextTwelveMonths == [2026, 2027])
    }
}
