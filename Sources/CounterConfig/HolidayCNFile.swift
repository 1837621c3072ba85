// The holiday-cn data set's yearly JSON (github.com/NateScarlet/holiday-cn), read into a year of holiday data.
import CounterCore
import Foundation

/// A calendar file that cannot be used, said for ops: which file, what is wrong, what to do.
public struct CalendarDataError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let problems: [String]
    public let advice: String

    public init(file: String, problems: [String], advice: String) {
        self.file = file
        self.problems = problems
        self.advice = advice
    }

    public var description: String {
        "\(file) is not usable holiday data (节假日安排): " + problems.joined(separator: "; ") + ". " + advice
    }
}

/// One year of the holiday-cn data set (`2027.json`): `year`, `papers` (the State Council notices' addresses) and
/// `days`, each `{"name": "春节", "date": "2027-02-06", "isOffDay": true}`; a day with `isOffDay` false is a weekend
/// day worked (调休上班) for the named holiday.
public enum HolidayCNFile {
    /// A year read from the data set, and the days it lists that lie in another year (the notice of a year sometimes
    /// starts its 元旦 break in the last days of December), which one year's arrangement cannot hold.
    public struct Reading: Sendable, Hashable {
        public let year: HolidayYear
        public let otherYearsDays: [Day]
    }

    /// One entry of `days`.
    public struct Day: Sendable, Hashable, Codable {
        public let name: String
        public let date: CivilDate
        public let isOffDay: Bool
    }

    private struct Document: Decodable {
        let year: Int
        let papers: [String]
        let days: [Entry]
    }

    private struct Entry: Decodable {
        let name: String
        let date: String
        let isOffDay: Bool
    }

    static let advice = "Download the year's file again from the holiday-cn data set (https://github.com/NateScarlet/holiday-cn, "
        + "e.g. 2027.json), or write the arrangement as a calendar file (docs/configuration.md, Calendar), and import it again"

    /// Whether `data` looks like JSON rather than a TOML calendar file (it starts with `{`).
    public static func looksLikeJSON(_ data: Data) -> Bool {
        String(decoding: data.prefix(64), as: UTF8.self).drop { $0.isWhitespace || $0 == "\u{FEFF}" }.first == "{"
    }

    /// Reads one year of the data set.
    /// - Parameter file: the file's name or path, for messages (a file named `2027.json` must hold 2027).
    /// - Throws: ``CalendarDataError`` naming what is wrong: not JSON, a key missing or of the wrong type, a date that
    ///   does not exist, a year with no days yet (the data set's placeholder before the notice is out), days that
    ///   contradict each other (``HolidayYear/problems()``).
    public static func parse(_ data: Data, file: String) throws(CalendarDataError) -> Reading {
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: data) } catch let error as DecodingError {
            throw CalendarDataError(file: file, problems: [describe(error)], advice: advice)
        } catch {
            throw CalendarDataError(file: file, problems: ["cannot be read as JSON (\(error))"], advice: advice)
        }
        let year = document.year
        guard (2000...2200).contains(year) else {
            throw CalendarDataError(file: file, problems: ["`year` is \(year), not a year CounterGate can use (2000-2200)"], advice: advice)
        }
        let base = (file as NSString).lastPathComponent
        if base.count == 9, base.hasSuffix(".json"), let named = Int(base.prefix(4)), named != year {
            throw CalendarDataError(file: file, problems: ["the file is named \(base) but holds the year \(year)"],
                                    advice: "Check it is the right file, rename it after the year it holds, and import it again")
        }
        guard !document.days.isEmpty else {
            throw CalendarDataError(file: file, problems: ["the year \(year) lists no days"
                + (document.papers.isEmpty ? " and no State Council notice" : "")],
                advice: "The data set publishes an empty file for a year before the State Council's notice is out (usually in "
                    + "November); download \(year).json again once the notice is published and it lists the holidays")
        }
        guard !document.papers.isEmpty else {
            throw CalendarDataError(file: file, problems: ["`papers` names no State Council notice, so the data cannot cite its source"],
                                    advice: advice)
        }
        var problems: [String] = []
        var days: [Day] = []
        for (index, entry) in document.days.enumerated() {
            guard let date = CivilDate(entry.date) else {
                problems.append("days[\(index)] (\(entry.name)): \"\(entry.date)\" is not a date YYYY-MM-DD that exists")
                continue
            }
            if entry.name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("days[\(index)] (\(entry.date)) has no holiday name") }
            days.append(Day(name: entry.name, date: date, isOffDay: entry.isOffDay))
        }
        guard problems.isEmpty else { throw CalendarDataError(file: file, problems: problems, advice: advice) }

        let inYear = days.filter { $0.date.year == year }.sorted { $0.date < $1.date }
        var holidays: [HolidayPeriod] = []
        for day in inYear where day.isOffDay {
            // Consecutive off days of one name are one period (春节 2月6日至12日).
            if let last = holidays.last, last.name == day.name, let end = last.days.last, end.adding(days: 1) == day.date {
                holidays[holidays.count - 1] = HolidayPeriod(name: last.name, days: last.days + [day.date])
            } else {
                holidays.append(HolidayPeriod(name: day.name, days: [day.date]))
            }
        }
        let workdays = inYear.filter { !$0.isOffDay }.map { HolidayYear.MakeUpWorkday(date: $0.date, forHoliday: $0.name) }
        let result = HolidayYear(year: year, notice: noticeTitle(year: year, papers: document.papers.count), documentNumber: nil,
                                 published: publishedDate(document.papers[0]), source: document.papers.joined(separator: " "),
                                 holidays: holidays, makeUpWorkdays: workdays)
        let inconsistent = result.problems()
        guard inconsistent.isEmpty else { throw CalendarDataError(file: file, problems: inconsistent, advice: advice) }
        return Reading(year: result, otherYearsDays: days.filter { $0.date.year != year }.sorted { $0.date < $1.date })
    }

    /// 国务院办公厅关于YYYY年部分节假日安排的通知, the title every year's notice has had; a second paper is a later change.
    static func noticeTitle(year: Int, papers: Int) -> String {
        "国务院办公厅关于\(year)年部分节假日安排的通知" + (papers > 1 ? "(及其后调整的通知)" : "")
    }

    /// The day of the notice when its address carries it (`.../zhengceku/2014-12/16/content_9302.htm`); newer addresses
    /// give only the month (`202511/`), and then the day is not known.
    static func publishedDate(_ url: String) -> CivilDate? {
        let parts = url.split(separator: "/").map(String.init)
        for (i, part) in parts.enumerated() where i + 1 < parts.count && part.count == 7 && part.dropFirst(4).first == "-" {
            if let date = CivilDate(part + "-" + parts[i + 1]) { return date }
        }
        return nil
    }

    /// A decoding error as a sentence naming the key.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return "`\(at)` is missing (expected {\"year\": 2027, \"papers\": [...], \"days\": [{\"name\", \"date\", \"isOffDay\"}, ...]})"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected = type == Bool.self ? "true or false" : type == Int.self ? "a number" : type == String.self ? "text" : "\(type)"
            return "`\(path(context.codingPath))` should be \(expected)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "is not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))" }
            return "`\(path(context.codingPath))`: \(context.debugDescription)"
        @unknown default:
            return "cannot be read (\(error))"
        }
    }
}
