// Which years' holiday arrangements the hall needs now: this year always, next year from 1 November.
import Foundation

/// The years a calendar must cover on a given day, and what is missing.
///
/// The State Council publishes next year's arrangement (国务院办公厅关于YYYY年部分节假日安排的通知) in late October
/// or November; from 1 November a notice accepted now can promise a date in January, so next year is due then.
public struct CalendarCoverage: Sendable, Hashable {
    /// The day asked about (the hall's today).
    public let today: CivilDate
    /// The years that have an arrangement loaded.
    public let covered: Set<Int>

    public init(today: CivilDate, covered: Set<Int>) {
        self.today = today
        self.covered = covered
    }

    /// The month from which next year's arrangement is expected.
    public static let nextYearDueMonth = 11

    /// The years whose absence must be warned about today, in order: this year's whenever it is missing, next year's
    /// from 1 November.
    public var overdueYears: [Int] {
        var years: [Int] = []
        if !covered.contains(today.year) { years.append(today.year) }
        if today.month >= Self.nextYearDueMonth, !covered.contains(today.year + 1) { years.append(today.year + 1) }
        return years
    }

    /// The years a date in the next twelve months (today through the same day a year on) falls in that have no
    /// arrangement loaded: promised dates there are provisional.
    public var missingInNextTwelveMonths: [Int] {
        let end = CivilDate(year: today.year + 1, month: today.month, day: min(today.day, CivilDate.daysIn(month: today.month, year: today.year + 1)))!
        return Array(today.year...end.year).filter { !covered.contains($0) }
    }
}
