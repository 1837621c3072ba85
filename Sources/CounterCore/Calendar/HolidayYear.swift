// One year's public holidays and make-up working days (调休), as one State Council notice published them.
import Foundation

/// A named holiday period of a year (春节, 国庆节) and the days it closes the hall.
public struct HolidayPeriod: Sendable, Hashable, Codable {
    public let name: String
    public let days: [CivilDate]

    public init(name: String, days: [CivilDate]) {
        self.name = name
        self.days = days
    }
}

/// The published arrangement of one year: which days are off, which weekend days are worked, and the notice
/// that says so (国务院办公厅关于YYYY年部分节假日安排的通知).
public struct HolidayYear: Sendable, Hashable, Codable {
    public let year: Int
    /// The notice's title.
    public let notice: String
    /// The notice's document number (文号), e.g. 国办发明电〔2024〕12号, when known.
    public let documentNumber: String?
    /// The day the notice was issued, when known (a data set that gives only the notice's address may not say).
    public let published: CivilDate?
    /// Where the text can be read.
    public let source: String
    public let holidays: [HolidayPeriod]
    /// Weekend days that are working days (上班) under the notice; the name says which holiday they make up for.
    public let makeUpWorkdays: [MakeUpWorkday]

    public struct MakeUpWorkday: Sendable, Hashable, Codable {
        public let date: CivilDate
        public let forHoliday: String
        public init(date: CivilDate, forHoliday: String) {
            self.date = date
            self.forHoliday = forHoliday
        }
    }

    public init(year: Int, notice: String, documentNumber: String?, published: CivilDate?, source: String,
                holidays: [HolidayPeriod], makeUpWorkdays: [MakeUpWorkday]) {
        self.year = year
        self.notice = notice
        self.documentNumber = documentNumber
        self.published = published
        self.source = source
        self.holidays = holidays
        self.makeUpWorkdays = makeUpWorkdays
    }

    /// Checks the data is self-consistent: every day lies in the year, a make-up working day is a weekend day,
    /// no day is both off and worked, no day is listed twice. Returns what is wrong, in words for ops.
    public func problems() -> [String] {
        var found: [String] = []
        if notice.trimmingCharacters(in: .whitespaces).isEmpty { found.append("year \(year): the notice it comes from is not named") }
        var seen: [CivilDate: String] = [:]
        for period in holidays {
            if period.days.isEmpty { found.append("year \(year): holiday \(period.name) has no days") }
            for day in period.days {
                if day.year != year { found.append("year \(year): holiday \(period.name) lists \(day), which is not in \(year)") }
                if let other = seen[day] { found.append("year \(year): \(day) is listed twice (\(other) and \(period.name))") }
                seen[day] = period.name
            }
        }
        for workday in makeUpWorkdays {
            let day = workday.date
            if day.year != year { found.append("year \(year): make-up working day \(day) is not in \(year)") }
            if !day.isWeekend { found.append("year \(year): make-up working day \(day) is a \(day.chineseWeekday), not a weekend day") }
            if let other = seen[day] { found.append("year \(year): \(day) is both a holiday (\(other)) and a make-up working day") }
            seen[day] = "上班"
        }
        return found
    }
}
