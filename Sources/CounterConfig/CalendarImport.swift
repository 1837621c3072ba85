// `countergate calendar import`: a year of holiday data checked and installed where the gateway loads it on start.
import CounterCore
import Foundation

/// A year of holiday data read from a file ops were given: the holiday-cn data set's JSON or a calendar file (TOML).
public struct CalendarImportSource: Sendable {
    public enum Format: String, Sendable {
        case holidayCN = "holiday-cn JSON"
        case calendarFile = "calendar file (TOML)"
    }

    public let path: String
    public let format: Format
    public let year: HolidayYear
    /// Days the JSON lists in another year (a 元旦 break starting in December), which this year's arrangement cannot hold.
    public let otherYearsDays: [HolidayCNFile.Day]

    /// Reads and checks `path`; JSON when it starts with `{`, a calendar file otherwise.
    /// - Throws: ``CalendarDataError`` for bad JSON or data, ``ConfigErrors`` for a calendar file with mistakes (each at its
    ///   line), both naming the file.
    public static func read(path: String) throws -> CalendarImportSource {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CalendarDataError(file: path, problems: ["cannot be read (\(error.localizedDescription))"],
                                    advice: "Check the path; the file is the holiday-cn data set's YYYY.json or a calendar file (docs/configuration.md, Calendar)")
        }
        if HolidayCNFile.looksLikeJSON(data) {
            let reading = try HolidayCNFile.parse(data, file: path)
            return CalendarImportSource(path: path, format: .holidayCN, year: reading.year, otherYearsDays: reading.otherYearsDays)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CalendarDataError(file: path, problems: ["is neither JSON nor UTF-8 text"],
                                    advice: "Give the holiday-cn data set's YYYY.json or a calendar file saved as UTF-8")
        }
        return CalendarImportSource(path: path, format: .calendarFile, year: try CalendarFile.parse(text: text, file: path), otherYearsDays: [])
    }
}

/// Why a year was not installed.
public enum CalendarImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The year is loaded already and `--replace` was not given.
    case alreadyLoaded(year: Int, from: String, notice: String, file: String)
    /// Written, but the configuration did not load with it; the file was taken back out.
    case notLoadable(year: Int, problem: String)
    case cannotWrite(path: String, problem: String)

    public var description: String {
        switch self {
        case .alreadyLoaded(let year, let from, let notice, let file):
            return "the holiday arrangement for \(year) is already loaded from \(from) (\(notice)); nothing was changed. "
                + "To replace it with \(file), run the import again with --replace"
        case .notLoadable(let year, let problem):
            return "\(year) was not installed: with it the configuration does not load (\(problem)); nothing was changed"
        case .cannotWrite(let path, let problem):
            return "cannot write \(path) (\(problem)): run the import as the user the gateway runs as (countergate), or make the data folder writable by it"
        }
    }
}

/// Installs checked years into the data folder's `calendar/` (``HallConfiguration/importedCalendarDirectory``).
public enum CalendarImport {
    /// What an install did.
    public struct Installed: Sendable {
        public let source: CalendarImportSource
        /// The file written: `<data>/calendar/cn-YYYY.toml`.
        public let path: String
        /// Where the year was loaded from before, when it was replaced.
        public let replaced: CalendarOrigin?
    }

    /// Writes `source`'s year as a calendar file where `config` loads imported years, then loads the configuration again
    /// with `reload` to prove the gateway will start with it; if it does not, the file is put back as it was.
    /// - Parameters:
    ///   - replace: replace a year already loaded (shipped, listed under `[calendar] files`, or imported before).
    ///   - reload: reads the configuration as the gateway will (the same file, or the defaults).
    public static func install(_ source: CalendarImportSource, into config: HallConfiguration, replace: Bool,
                               reload: () throws -> HallConfiguration) throws -> Installed {
        let year = source.year.year
        let previous = config.calendarOrigins[year]
        if let previous, !replace {
            throw CalendarImportError.alreadyLoaded(year: year, from: previous.description,
                                                    notice: config.calendarYears.first { $0.year == year }?.notice ?? "", file: source.path)
        }
        let directory = config.importedCalendarDirectory
        // A year imported before is rewritten in its own file, so the folder never holds a year twice.
        var target = (directory as NSString).appendingPathComponent(CalendarFile.fileName(year: year))
        if case .imported(let path)? = previous { target = path }
        var comments = ["China's public holidays and make-up working days (调休) of \(year): \(source.year.notice).",
                        "Imported by `countergate calendar import` from \((source.path as NSString).lastPathComponent) (\(source.format.rawValue))."]
        if !source.otherYearsDays.isEmpty {
            comments.append("Left out, being in another year: " + source.otherYearsDays.map {
                "\($0.date) \($0.name) \($0.isOffDay ? "放假" : "上班")"
            }.joined(separator: ", ") + ".")
        }
        let text = CalendarFile.text(of: source.year, comments: comments)
        let fm = FileManager.default
        let before = fm.contents(atPath: target)
        let temporary = (directory as NSString).appendingPathComponent(".\(CalendarFile.fileName(year: year)).new")
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: temporary, toPath: target)
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw CalendarImportError.cannotWrite(path: target, problem: error.localizedDescription)
        }
        func putBack() {
            if let before { try? before.write(to: URL(fileURLWithPath: target)) } else { try? fm.removeItem(atPath: target) }
        }
        let reloaded: HallConfiguration
        do { reloaded = try reload() } catch {
            putBack()
            throw CalendarImportError.notLoadable(year: year, problem: "\(error)")
        }
        guard reloaded.calendarOrigins[year] == .imported(target), reloaded.calendarYears.first(where: { $0.year == year }) == source.year else {
            putBack()
            throw CalendarImportError.notLoadable(year: year, problem: "the configuration read back loads \(year) from "
                + (reloaded.calendarOrigins[year]?.description ?? "nowhere") + " instead of \(target)")
        }
        return Installed(source: source, path: target, replaced: previous)
    }
}
