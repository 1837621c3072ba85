// Working days of the hall: weekends and public holidays are off, make-up working days (调休上班) are worked.
import Foundation

/// What kind of day a date is for the hall.
public enum DayKind: Sendable, Hashable {
    case workday
    case weekend
    /// A public holiday (放假), named as in the notice.
    case holiday(String)
    /// A weekend day that is worked (调休上班), making up for the named holiday.
    case makeUpWorkday(String)

    public var isWorkingDay: Bool {
        switch self {
        case .workday, .makeUpWorkday: return true
        case .weekend, .holiday: return false
        }
    }
}

/// Why the calendar cannot answer.
public enum WorkingDayCalendarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No State Council arrangement is loaded for the year; guessing "weekends only" would print wrong dates.
    case noDataForYear(Int)
    /// Two data sets claim the same year.
    case yearDefinedTwice(Int, first: String, second: String)
    /// The data for a year contradicts itself.
    case inconsistentData([String])
    /// A period of working days that cannot be counted (zero or negative).
    case invalidPeriod(Int)

    public var description: String {
        switch self {
        case .noDataForYear(let year):
            return "no holiday arrangement (节假日安排) is loaded for \(year): import the State Council's arrangement for \(year) "
                + "with `countergate calendar import \(year).json` (the holiday-cn data set's file, or a calendar file; "
                + "docs/configuration.md, Calendar); until then promised dates in \(year) are provisional, counted on weekends alone"
        case .yearDefinedTwice(let year, let first, let second):
            return "the holiday arrangement for \(year) is given twice (\(first) and \(second)): keep one"
        case .inconsistentData(let problems):
            return "the holiday data is inconsistent: " + problems.joined(separator: "; ")
        case .invalidPeriod(let days):
            return "a promised period must be at least one working day, got \(days)"
        }
    }
}

/// The hall's working-day calendar, built from the published arrangement of each year it knows.
public struct WorkingDayCalendar: Sendable {
    public let years: [Int: HolidayYear]
    private let offDays: [CivilDate: String]
    private let workedWeekendDays: [CivilDate: String]

    /// - Parameter years: one arrangement per year; a year given twice, or data that contradicts itself, is an error.
    public init(years list: [HolidayYear]) throws(WorkingDayCalendarError) {
        var byYear: [Int: HolidayYear] = [:]
        var off: [CivilDate: String] = [:]
        var worked: [CivilDate: String] = [:]
        var problems: [String] = []
        for year in list {
            if let existing = byYear[year.year] {
                throw .yearDefinedTwice(year.year, first: existing.notice, second: year.notice)
            }
            byYear[year.year] = year
            problems += year.problems()
            for period in year.holidays { for day in period.days { off[day] = period.name } }
            for day in year.makeUpWorkdays { worked[day.date] = day.forHoliday }
        }
        guard problems.isEmpty else { throw .inconsistentData(problems) }
        years = byYear
        offDays = off
        workedWeekendDays = worked
    }

    /// The years this calendar can answer for, in order.
    public var coveredYears: [Int] { years.keys.sorted() }

    /// What kind of day `date` is.
    /// - Throws: ``WorkingDayCalendarError/noDataForYear(_:)`` when the date's year has no published arrangement loaded.
    public func kind(of date: CivilDate) throws(WorkingDayCalendarError) -> DayKind {
        guard years[date.year] != nil else { throw .noDataForYear(date.year) }
        if let name = offDays[date] { return .holiday(name) }
        if let name = workedWeekendDays[date] { return .makeUpWorkday(name) }
        return date.isWeekend ? .weekend : .workday
    }

    public func isWorkingDay(_ date: CivilDate) throws(WorkingDayCalendarError) -> Bool {
        try kind(of: date).isWorkingDay
    }

    /// The promised completion date (承诺期限) of an item accepted on `acceptedOn` with a period of
    /// `workingDays` working days.
    ///
    /// The acceptance day itself is not counted (自受理之日起…个工作日: counting starts the next day), so an item
    /// accepted on a Friday with a 1-working-day promise is due the following Monday.
    /// - Throws: when any day crossed lies in a year with no data, or the period is not positive.
    public func promisedCompletionDate(acceptedOn: CivilDate, workingDays: Int) throws(WorkingDayCalendarError) -> CivilDate {
        guard workingDays >= 1 else { throw .invalidPeriod(workingDays) }
        var remaining = workingDays
        var day = acceptedOn
        while remaining > 0 {
            day = day.adding(days: 1)
            if try isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }

    /// What kind of day `date` is, or, for a year with no arrangement loaded, what it is on weekends alone
    /// (Saturday and Sunday off, every other day worked), marked provisional.
    public func provisionalKind(of date: CivilDate) -> (kind: DayKind, provisional: Bool) {
        guard years[date.year] != nil else { return (date.isWeekend ? .weekend : .workday, true) }
        // The year is loaded, so `kind(of:)` cannot throw.
        return ((try? kind(of: date)) ?? (date.isWeekend ? .weekend : .workday), false)
    }

    /// The promised completion date (承诺期限) as ``promisedCompletionDate(acceptedOn:workingDays:)`` counts it,
    /// except that a day in a year with no arrangement loaded is counted on weekends alone instead of refused: the
    /// date is then provisional (暂定) and names the years it still waits for.
    ///
    /// A clerk's notice is never refused for a missing year; the provisional mark tells the duty chief and ops that
    /// the date must be checked once the State Council's arrangement for those years is loaded.
    /// - Throws: ``WorkingDayCalendarError/invalidPeriod(_:)`` when the period is not positive.
    public func promisedCompletionDateAllowingProvisional(acceptedOn: CivilDate, workingDays: Int) throws(WorkingDayCalendarError) -> PromisedCompletion {
        guard workingDays >= 1 else { throw .invalidPeriod(workingDays) }
        var remaining = workingDays
        var day = acceptedOn
        var missing: Set<Int> = []
        while remaining > 0 {
            day = day.adding(days: 1)
            let (kind, provisional) = provisionalKind(of: day)
            if provisional { missing.insert(day.year) }
            if kind.isWorkingDay { remaining -= 1 }
        }
        return PromisedCompletion(date: day, missingYears: missing.sorted())
    }

    /// The number of working days in `from...through` (both ends included).
    public func workingDays(from: CivilDate, through: CivilDate) throws(WorkingDayCalendarError) -> Int {
        guard from <= through else { return 0 }
        var count = 0
        var day = from
        while day <= through {
            if try isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}

/// A promised completion date and whether it is final: a date counted across a year with no holiday arrangement
/// loaded is provisional (暂定), counted on weekends alone.
public struct PromisedCompletion: Sendable, Hashable {
    public let date: CivilDate
    /// The years crossed that have no arrangement loaded, in order; empty when the date is final.
    public let missingYears: [Int]

    public init(date: CivilDate, missingYears: [Int]) {
        self.date = date
        self.missingYears = missingYears
    }

    /// Counted on weekends alone for at least one year: to be checked when that year's arrangement is loaded.
    public var provisional: Bool { !missingYears.isEmpty }
}
