// `countergate bench attendance-sheet`: the monthly sheet's cost (behind scripts/bench-attendance). 200 people, a year
// of four punches a working day, leave and corrections, in a fresh store; then, in one run: the month's sheet (every
// day judged per person) beside a straightforward SQL reference (each person's first and last punch per day of the
// month, grouped by SQLite), and the whole year recomputed after a holiday changed.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import GRDB

extension BenchCommand {
    struct AttendanceSheet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "attendance-sheet")
        @Option var people = 200
        @Option var runs = 5
        @Option var dataDir: String

        func validate() throws {
            guard runs >= 1, people >= 20 else { throw ValidationError("--runs must be at least 1 and --people at least 20") }
        }

        func run() async throws {
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = dataDir
            config.windows = (1...20).map { ServiceWindow(number: $0, name: "\($0)号窗口", department: "部门\($0)") }
            let store = try GatewayRuntime.openStore(config)
            let clock = ManualClock(HallTime.start(of: CivilDate(year: 2027, month: 1, day: 2)!))
            // The people: ten a window, the first of each window its A post, the second its B post.
            var rows = ["staff_id,name,window,department,roles,terminal_user_id,post"]
            for n in 1...people {
                let window = (n - 1) % 20 + 1
                rows.append("S\(n),职员\(n),\(window),部门\(window),clerk\(n <= 20 ? "|duty-chief" : ""),\(n),\(n <= 20 ? "A" : n <= 40 ? "B" : "")")
            }
            _ = try await store.importStaff(try StaffList.parse(rows.joined(separator: "\n") + "\n", windows: Set(1...20)), actor: "bench", at: clock.now())
            // A year of punches: 08:2x, 12:0x, 14:2x, 17:3x on every working day, a minute's spread by person.
            let calendar = try config.calendar()
            var day = CivilDate(year: 2026, month: 1, day: 1)!
            var punches: [Punch] = []
            var total = 0
            while day.year == 2026 {
                if try calendar.isWorkingDay(day) {
                    let midnight = HallTime.start(of: day)
                    for n in 1...people {
                        for minutes in [8 * 60 + 20, 12 * 60 + 2, 14 * 60 + 20, 17 * 60 + 33] {
                            punches.append(Punch(terminalSerial: "BENCH", terminalUserID: String(n), at: midnight.addingTimeInterval(TimeInterval((minutes + n % 7) * 60)),
                                                 verification: .fingerprint, direction: .checkIn, staffID: "S\(n)"))
                        }
                    }
                }
                if punches.count >= 50_000 { total += try await store.record(punches: punches, receivedAt: clock.now()).inserted; punches = [] }
                day = day.adding(days: 1)
            }
            total += try await store.record(punches: punches, receivedAt: clock.now()).inserted
            // Leave and corrections in November: a tenth of the people take a morning off, a twentieth get a 补卡.
            let desk = LeaveDesk(config: config, store: store, clock: clock)
            let november = (1...30).compactMap { CivilDate(year: 2026, month: 11, day: $0) }.filter { (try? calendar.isWorkingDay($0)) == true }
            _ = try await desk.setRoster(days: november, staffID: "S1", by: "bench")
            for n in stride(from: 21, through: people, by: 10) {
                let on = HallTime.start(of: november[n % november.count])
                let leave = try await desk.request(for: "S\(n)", kind: .personal, from: on.addingTimeInterval(8.5 * 3600), to: on.addingTimeInterval(12 * 3600),
                                                   reason: "事假", by: "S\(n)")
                if leave.request.state == .awaitingLead { continue }
                _ = try await desk.decide(leave.id, by: "S1", approve: true)
            }
            for n in stride(from: 25, through: people, by: 20) {
                _ = try await desk.correctPunch(of: "S\(n)", at: HallTime.start(of: november[3]).addingTimeInterval(17.5 * 3600), reason: "补卡", by: "S1")
            }

            let sheets = MonthlySheetDesk(config: config, store: store, clock: clock)
            let timer = ContinuousClock()
            func median(_ body: () async throws -> Void) async rethrows -> Double {
                var times: [Double] = []
                for _ in 0..<runs {
                    let start = timer.now
                    try await body()
                    times.append((timer.now - start).seconds)
                }
                return times.sorted()[times.count / 2]
            }
            var checked = 0
            let month = try await median { checked = try await sheets.compute(year: 2026, month: 11).people.count }
            // The reference: SQLite groups each person's punches of the month by day (first, last, how many).
            let from = Int64(HallTime.start(of: CivilDate(year: 2026, month: 11, day: 1)!).timeIntervalSince1970)
            let to = Int64(HallTime.start(of: CivilDate(year: 2026, month: 12, day: 1)!).timeIntervalSince1970)
            var groups = 0
            let reference = try await median {
                groups = try await store.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT staff_id, (punched_at + 28800) / 86400 AS day, MIN(punched_at), MAX(punched_at), COUNT(*)
                        FROM punches WHERE punched_at >= ? AND punched_at < ? AND staff_id IS NOT NULL GROUP BY staff_id, day
                        """, arguments: [from, to]).count
                }
            }
            // A holiday changed (国庆节 one day shorter): every month of the year recomputed.
            var changed = config
            changed.calendarYears = config.calendarYears.map { year in
                guard year.year == 2026 else { return year }
                return HolidayYear(year: year.year, notice: year.notice, documentNumber: year.documentNumber, published: year.published, source: year.source,
                                   holidays: year.holidays.map { $0.name == "国庆节" ? HolidayPeriod(name: $0.name, days: Array($0.days.dropLast())) : $0 },
                                   makeUpWorkdays: year.makeUpWorkdays)
            }
            let yearDesk = MonthlySheetDesk(config: changed, store: store, clock: clock)
            let year = try await median { for m in 1...12 { _ = try await yearDesk.compute(year: 2026, month: m) } }
            printJSON(["people": Double(checked), "punches": Double(total), "monthSheetMilliseconds": month * 1000,
                       "sqlReferenceMilliseconds": reference * 1000, "referenceGroups": Double(groups), "yearRecomputeMilliseconds": year * 1000,
                       "peakRSSMegabytes": peakRSSMegabytes()])
        }
    }
}
