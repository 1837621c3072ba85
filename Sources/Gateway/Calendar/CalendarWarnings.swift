// What doctor and the ops page say about missing holiday years: this year's always, next year's from 1 November.
import CounterConfig
import CounterCore
import Foundation

/// A year of holiday arrangement that is due and not loaded, with the command that loads it.
public struct CalendarWarning: Sendable, Hashable, Codable {
    public let year: Int
    /// For ops, in English with the Chinese term.
    public let message: String
    /// For the ops page (Chinese).
    public let chinese: String
    /// The exact command that fixes it.
    public let command: String
}

public enum CalendarWarnings {
    /// `countergate calendar import 2027.json [--config PATH]`.
    public static func importCommand(year: Int, configPath: String?) -> String {
        "countergate calendar import \(year).json" + (configPath.map { " --config \(shellQuoted($0))" } ?? "")
    }

    /// The warnings due on `today` for the years `config` has loaded (``CalendarCoverage/overdueYears``).
    /// - Parameter configPath: the configuration file, named in the command when there is one.
    public static func due(config: HallConfiguration, today: CivilDate, configPath: String?) -> [CalendarWarning] {
        let coverage = CalendarCoverage(today: today, covered: Set(config.calendarYears.map(\.year)))
        return coverage.overdueYears.map { year in
            let command = importCommand(year: year, configPath: configPath)
            if year == today.year {
                return CalendarWarning(
                    year: year,
                    message: "no holiday arrangement (节假日安排) is loaded for \(year), this year: promised completion dates in \(year) are "
                        + "counted on weekends alone and marked provisional (暂定)",
                    chinese: "未载入\(year)年(今年)的节假日安排:承诺办结日期暂按双休日计算,标为“暂定”。请载入国务院办公厅公布的\(year)年节假日安排。",
                    command: command)
            }
            return CalendarWarning(
                year: year,
                message: "no holiday arrangement (节假日安排) is loaded for \(year) yet; the State Council publishes it in late October or "
                    + "November, and until it is loaded promised completion dates in \(year) are provisional (暂定), counted on weekends alone",
                chinese: "尚未载入\(year)年的节假日安排(国务院办公厅一般于10月底或11月公布):承诺办结日期落在\(year)年的,暂按双休日计算,标为“暂定”。",
                command: command)
        }
    }

    /// The fix doctor prints: where the file comes from and the command.
    public static func fix(_ warning: CalendarWarning) -> String {
        "once the State Council has published the \(warning.year) arrangement, download \(warning.year).json of the holiday-cn data set "
            + "(https://github.com/NateScarlet/holiday-cn) or write a calendar file (docs/configuration.md, Calendar), then run `\(warning.command)` "
            + "and restart the gateway"
    }

    static func shellQuoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) } ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
