// `countergate calendar import|list`: the State Council's holiday arrangements (节假日安排) the gateway counts with.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Import and list the years of holiday arrangements (节假日安排) promised dates are counted with.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a year's holiday arrangement and install it where the gateway loads it on start.",
            discussion: """
                FILE is the holiday-cn data set's file of the year (https://github.com/NateScarlet/holiday-cn, e.g. 2027.json) \
                or a calendar file in CounterGate's own format (docs/configuration.md, Calendar). It is checked (every day in \
                the year, make-up working days on weekends, no day both off and worked) and written as \
                <data folder>/calendar/cn-YYYY.toml, which the gateway reads on every start: restart a running gateway.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The year's file: holiday-cn JSON or a calendar file (TOML).", valueName: "file"))
        var file: String
        @Flag(help: "Replace the year when it is already loaded (shipped, under [calendar] files, or imported before).")
        var replace = false

        func run() async throws {
            let path = global.configPath()
            let config = global.loadConfiguration(allowDefaults: true)
            let source = await reporting { try CalendarImportSource.read(path: file) }
            let installed = await reporting {
                try CalendarImport.install(source, into: config, replace: replace) {
                    if let path { try HallConfiguration.load(path: path) } else { try HallConfiguration.defaults() }
                }
            }
            let year = installed.source.year
            printLine("imported \(year.year) from \(file) (\(installed.source.format.rawValue)): \(year.notice)")
            printLine("  source: \(year.source)")
            let offDays = year.holidays.reduce(0) { $0 + $1.days.count }
            printLine("  holidays (放假): \(year.holidays.count) periods, \(offDays) days off")
            for period in year.holidays {
                let first = period.days.min()!, last = period.days.max()!
                printLine("    \(period.name): \(first)" + (first == last ? "" : " – \(last)") + " (\(period.days.count) day\(period.days.count == 1 ? "" : "s"))")
            }
            printLine("  make-up working days (调休上班): \(year.makeUpWorkdays.count)")
            for day in year.makeUpWorkdays {
                printLine("    \(day.date) \(day.date.chineseWeekday), for \(day.forHoliday)")
            }
            if !installed.source.otherYearsDays.isEmpty {
                printLine("  left out, being in another year (add them to that year's arrangement if it matters): "
                    + installed.source.otherYearsDays.map { "\($0.date) \($0.name) \($0.isOffDay ? "放假" : "上班")" }.joined(separator: ", "))
            }
            if let replaced = installed.replaced { printLine("  replaces \(year.year) as loaded from \(replaced)") }
            printLine("installed as \(installed.path)")
            printLine("the gateway reads it when it starts: restart a running gateway (systemctl restart countergate) to count \(year.year) with it")
            if FileManager.default.fileExists(atPath: config.databasePath) {
                let store = openStoreForTools(config)
                let reloaded = await reporting { if let path { try HallConfiguration.load(path: path) } else { try HallConfiguration.defaults() } }
                let review = await reporting {
                    try await ProvisionalDeadlines.review(store: store, calendar: try reloaded.calendar(), today: CivilDate(commandClock.now()))
                }
                let changed = review.filter(\.changed)
                if !review.isEmpty {
                    printLine("\(review.count) notice(s) in force have a provisional promised date (暂定); with \(year.year) loaded "
                        + "\(changed.count) of them fall on another day: `countergate calendar list` names them")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the years loaded and where each came from, the years missing for the next 12 months, and notices with provisional dates.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let path = global.configPath()
            let config = global.loadConfiguration(allowDefaults: true)
            let today = CivilDate(commandClock.now())
            printLine("year\tnotice\tfrom")
            for year in config.calendarYears {
                printLine("\(year.year)\t\(year.notice)\t\(config.calendarOrigins[year.year]?.description ?? "shipped with CounterGate")")
            }
            let coverage = CalendarCoverage(today: today, covered: Set(config.calendarYears.map(\.year)))
            let missing = coverage.missingInNextTwelveMonths
            if missing.isEmpty {
                printLine("every year of the next 12 months (to \(today.year + 1)-\(String(format: "%02d", today.month))) is loaded")
            } else {
                printLine("missing for the next 12 months: " + missing.map(String.init).joined(separator: ", ")
                    + " (promised dates there are provisional, 暂定, counted on weekends alone)")
            }
            for warning in CalendarWarnings.due(config: config, today: today, configPath: path) {
                printLine("due now: \(warning.year); once published, run: \(warning.command)")
            }
            guard FileManager.default.fileExists(atPath: config.databasePath) else { return }
            let store = openStoreForTools(config)
            let review = await reporting { try await ProvisionalDeadlines.review(store: store, calendar: try config.calendar(), today: today) }
            guard !review.isEmpty else { return }
            printLine("notices with a provisional promised date (暂定):")
            for item in review {
                let notice = item.notice.notice
                let now = item.countedNow.map { $0 == notice.promisedCompletion ? "confirmed \($0)" : "now counted \($0): tell the applicant" }
                    ?? "still waiting for " + item.missingYears.map(String.init).joined(separator: ", ")
                printLine("  \(notice.number)\twindow \(notice.draft.window)\t\(notice.draft.applicant)\tpromised \(notice.promisedCompletion?.description ?? "-") (暂定)\t\(now)")
            }
        }
    }
}
