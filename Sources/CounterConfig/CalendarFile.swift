// Holiday data files: one State Council notice each, the shipped years and those ops add.
import CounterCore
import CounterTOML
import Foundation

/// Reads a calendar file (see `Calendar/cn-2026.toml` for the format).
public enum CalendarFile {
    public static func load(path: String) throws -> HolidayYear {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: nil, message: "calendar file cannot be read (\(error.localizedDescription))")])
        }
        return try parse(text: String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(text: String, file: String) throws -> HolidayYear {
        let root: TOMLTable
        do { root = try TOMLReader.parse(text) } catch {
            throw ConfigErrors(errors: [ConfigError(file: file, line: error.position.line, key: nil, message: error.message)])
        }
        let reader = TableReader(root, path: "", file: file)
        let year = reader.int("year", default: nil, range: 2000...2200, required: true)
        let notice = reader.requiredString("notice", expected: "the title of the State Council notice the data comes from")
        let number = reader.string("document_number")
        // The notice's day is optional: the holiday-cn data set gives only the notice's address, often without the day.
        let published = root["published"] == nil ? nil : reader.date("published").flatMap { CivilDate(year: $0.year, month: $0.month, day: $0.day) }
        let source = reader.requiredString("source", expected: "where the notice can be read (a URL)")
        var holidays: [HolidayPeriod] = []
        for table in reader.tables("holiday") {
            let name = table.requiredString("name", expected: "the holiday's name, e.g. 春节") ?? ""
            guard let from = table.date("from").flatMap(civil), let to = table.date("to").flatMap(civil) else { continue }
            if to < from { table.fail("to", at: table.table["to"]?.position.line ?? 0, "is before `from` (\(from))"); continue }
            holidays.append(HolidayPeriod(name: name, days: (0...(to.dayNumber - from.dayNumber)).map { from.adding(days: $0) }))
        }
        var workdays: [HolidayYear.MakeUpWorkday] = []
        for table in reader.tables("workday") {
            let name = table.requiredString("for", expected: "the holiday the day makes up for") ?? ""
            guard let date = table.date("date").flatMap(civil) else { continue }
            workdays.append(.init(date: date, forHoliday: name))
        }
        let errors = reader.finish()
        guard errors.isEmpty, let year, let notice, let source else {
            throw ConfigErrors(errors: errors)
        }
        let result = HolidayYear(year: year, notice: notice, documentNumber: number, published: published, source: source,
                                 holidays: holidays, makeUpWorkdays: workdays)
        let problems = result.problems()
        guard problems.isEmpty else {
            throw ConfigErrors(errors: problems.map { ConfigError(file: file, line: 0, key: nil, message: $0) })
        }
        return result
    }
}

extension CalendarFile {
    /// The file name an imported year is installed under: `cn-2027.toml`.
    public static func fileName(year: Int) -> String { "cn-\(year).toml" }

    /// A year written in the calendar file format (what ``parse(text:file:)`` reads back to the same year): one
    /// `[[holiday]]` per run of consecutive days, one `[[workday]]` per make-up working day.
    /// - Parameter comments: lines for the file's head (without `#`), e.g. where the data came from.
    public static func text(of year: HolidayYear, comments: [String] = []) -> String {
        var lines = comments.map { "# " + $0 }
        lines.append("year = \(year.year)")
        lines.append("notice = \(quoted(year.notice))")
        if let number = year.documentNumber { lines.append("document_number = \(quoted(number))") }
        if let published = year.published { lines.append("published = \(published)") }
        lines.append("source = \(quoted(year.source))")
        for period in year.holidays {
            for run in runs(period.days) {
                lines += ["", "[[holiday]]", "name = \(quoted(period.name))", "from = \(run.first!)", "to = \(run.last!)"]
            }
        }
        for day in year.makeUpWorkdays {
            lines += ["", "[[workday]]", "date = \(day.date)", "for = \(quoted(day.forHoliday))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Consecutive days together, in order.
    static func runs(_ days: [CivilDate]) -> [[CivilDate]] {
        var runs: [[CivilDate]] = []
        for day in days.sorted() {
            if let last = runs.last?.last, last.adding(days: 1) == day { runs[runs.count - 1].append(day) } else { runs.append([day]) }
        }
        return runs
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// The TOML reader checks dates exist, so this conversion does not fail in practice.
private func civil(_ d: TOMLLocalDate) -> CivilDate? { CivilDate(year: d.year, month: d.month, day: d.day) }

/// The years of holiday data shipped with CounterGate (in `Sources/CounterConfig/Calendar`).
public enum ShippedCalendar {
    public static func years() throws -> [HolidayYear] {
        guard let folder = Bundle.module.url(forResource: "Calendar", withExtension: nil) else {
            throw ConfigErrors(errors: [ConfigError(file: "Calendar", line: 0, key: nil,
                message: "the shipped calendar data is missing from the installation; reinstall CounterGate")])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        return try files.map { try CalendarFile.load(path: folder.appendingPathComponent($0).path) }
    }
}
