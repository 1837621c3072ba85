// /api/v1, one resource: the calendar: the holiday years loaded, those due and missing, and the notices whose promised
// date is provisional (暂定) for want of one. The duty chief's and ops pages show it.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird

extension HallAPI {
    /// The calendar routes.
    func registerCalendar(on api: APIRouteBuilder) {
        let calendarRoutes = api.group("/calendar")
        calendarRoutes.on(.get, "", "read-notices") { _, context in
            _ = try context.require(.readNotices)
            return try json(try await calendarStatus())
        }
    }

    /// The calendar as the pages show it, on the hall's today.
    func calendarStatus() async throws -> CalendarBody {
        let today = CivilDate(clock.now())
        let calendar = try config.calendar()
        let coverage = CalendarCoverage(today: today, covered: Set(calendar.coveredYears))
        let years = config.calendarYears.map { year in
            CalendarBody.Year(year: year.year, notice: year.notice, source: year.source,
                              origin: config.calendarOrigins[year.year]?.description ?? "shipped with CounterGate")
        }
        let provisional = try await ProvisionalDeadlines.review(store: store, calendar: calendar, today: today).map {
            CalendarBody.ProvisionalNotice(notice: NoticeBody($0.notice), missingYears: $0.missingYears,
                                           countedNow: $0.countedNow?.description, changed: $0.changed)
        }
        return CalendarBody(today: today.description, years: years, missingInNextTwelveMonths: coverage.missingInNextTwelveMonths,
                            warnings: CalendarWarnings.due(config: config, today: today, configPath: config.sourceFile),
                            provisionalNotices: provisional)
    }
}

/// GET /api/v1/calendar.
struct CalendarBody: Encodable, Sendable {
    struct Year: Encodable, Sendable {
        let year: Int
        /// The State Council notice the data comes from.
        let notice: String
        let source: String
        /// Where the gateway loaded it from: shipped, a `[calendar] files` entry, or imported into the data folder.
        let origin: String
    }

    struct ProvisionalNotice: Encodable, Sendable {
        let notice: NoticeBody
        /// The years the date is still counted across on weekends alone (empty once they are all loaded).
        let missingYears: [Int]
        /// The date counted with the arrangements loaded now, once every year it crosses is loaded (nil until then);
        /// when it differs from the printed date, the applicant must be told.
        let countedNow: String?
        /// `countedNow` differs from the printed date.
        let changed: Bool
    }

    let today: String
    let years: [Year]
    /// Years a date in the next twelve months falls in that have no arrangement loaded.
    let missingInNextTwelveMonths: [Int]
    /// This year's arrangement when missing, next year's from 1 November: with the command that loads it.
    let warnings: [CalendarWarning]
    /// Notices in force whose promised date is provisional and not yet past.
    let provisionalNotices: [ProvisionalNotice]
}
