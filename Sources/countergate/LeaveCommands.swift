// `countergate leave ...`: leave and outings (请假, 因公外出) from the command line: a request by or for a person, the
// window lead's opinion, the decision of the duty chief, the inspection office or the leader in charge, as the hall's
// rules say (考勤制度 第二条、第三条); every act audited.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

extension LeaveKind: ExpressibleByArgument {}

struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave",
        abstract: "Leave and outings (请假, 因公外出): request, the window lead's opinion, approve or refuse, withdraw, list.",
        discussion: """
            An outing up to half a day, or arriving late or leaving early on business: the duty chief of that day (当日值班长, \
            as the duty roster names them: countergate roster) or the inspection office (督查室); sick or personal leave up to \
            half a day: the duty chief of that day; beyond half a day: the hall's leader in charge (中心分管领导); where the person's window has a lead (窗口负责人), the lead's opinion comes first. \
            A request made after its start is a make-up (补办) and shown as such. Approved leave counts on the monthly sheet \
            (GET /api/v1/attendance/sheet).
            """,
        subcommands: [Request.self, Opinion.self, Approve.self, Refuse.self, Withdraw.self, List.self])

    /// `2026-11-26 08:30` in the hall's time.
    static func instant(_ text: String, option: String) -> Date {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let day = CivilDate(String(parts[0])), let time = ClockTime(String(parts[1])) else {
            fail("\(option) \(text): expected a day and a time, e.g. \"2026-11-26 08:30\"")
        }
        return HallTime.start(of: day).addingTimeInterval(TimeInterval(time.minutes * 60))
    }

    static func line(_ stored: StoredLeave) -> String {
        let request = stored.request
        return "\(stored.id)\t\(request.staffID)\t\(request.kind.chineseName)\t\(HallTime.format(request.start)) – \(HallTime.format(request.end))\t"
            + "\(request.state.rawValue)\(request.madeUp ? " (补办)" : "")\t\(request.reason)"
            + (request.leadOpinion.map { "\t意见: \($0)" } ?? "") + (request.decidedBy.map { "\tby \($0)" } ?? "")
    }

    static func act(_ global: GlobalOptions, _ body: (LeaveDesk) async throws -> StoredLeave) async {
        let config = global.loadConfiguration(allowDefaults: true)
        let desk = LeaveDesk(config: config, store: openStoreForTools(config), clock: commandClock)
        do { printLine(line(try await body(desk))) } catch { fail("\(error)") }
    }

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request leave or an outing for a person.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Whose leave (staff id).") var staffID: String
        @Option(help: "sick, personal, business-outing, meeting, training, late-on-business, early-on-business.") var kind: LeaveKind
        @Option(help: "From, e.g. \"2026-11-26 08:30\".") var from: String
        @Option(help: "Until, e.g. \"2026-11-26 12:00\".") var to: String
        @Option(help: "Why (kept with the request).") var reason: String
        @Option(help: "Who files it (default: the person).") var by: String?

        func run() async throws {
            let (start, end) = (LeaveCommand.instant(from, option: "--from"), LeaveCommand.instant(to, option: "--to"))
            await LeaveCommand.act(global) { try await $0.request(for: staffID, kind: kind, from: start, to: end, reason: reason, by: by ?? staffID) }
        }
    }

    struct Opinion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The window lead's opinion (意见) on a request of their window.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "The window lead (staff id).") var by: String
        @Option(help: "The opinion, e.g. \"同意,B岗接替\".") var note: String

        func run() async throws { await LeaveCommand.act(global) { try await $0.opinion(on: id, by: by, text: note) } }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a request (the duty chief or inspection office up to half a day; the leader beyond).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "Who approves (staff id).") var by: String

        func run() async throws { await LeaveCommand.act(global) { try await $0.decide(id, by: by, approve: true) } }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "Who refuses (staff id).") var by: String

        func run() async throws { await LeaveCommand.act(global) { try await $0.decide(id, by: by, approve: false) } }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take back one's own waiting request.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's id.") var id: Int64
        @Option(help: "The person whose request it is (staff id).") var by: String

        func run() async throws { await LeaveCommand.act(global) { try await $0.withdraw(id, by: by) } }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The requests of a month (id, person, kind, from – to, state, reason).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The month, YYYY-MM (default: this month).") var month: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let text = month ?? String(CivilDate(commandClock.now()).description.prefix(7))
            guard let first = CivilDate(text + "-01") else { fail("--month \(text): expected YYYY-MM") }
            let end = first.adding(days: CivilDate.daysIn(month: first.month, year: first.year))
            let leaves = await reporting { try await openStoreForTools(config).leaves(from: HallTime.start(of: first), to: HallTime.start(of: end)) }
            for stored in leaves { printLine(LeaveCommand.line(stored)) }
            printLine("\(leaves.count) request(s) in \(text)")
        }
    }
}

/// `countergate roster ...`: the duty roster (值班表): who is the duty chief (值班长) of each working day.
struct RosterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "The duty roster (值班表): set the duty chief of days, rotate several over a period, list.",
        discussion: """
            "每日由中心管理人员轮流担任值班长": the duty chief of a day approves that day's short leave, and only they (their \
            token, countergate token create --staff) can. A person on the roster must hold the duty-chief role in the staff list.
            """,
        subcommands: [Assign.self, Rotate.self, List.self])

    static func day(_ text: String, option: String) -> CivilDate {
        guard let day = CivilDate(text) else { fail("\(option) \(text): expected a day, e.g. 2026-12-07") }
        return day
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Make a person the duty chief of one day or of several.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The day, e.g. 2026-12-07 (or the first of several with --through).") var day: String
        @Argument(help: "The duty chief's staff id.") var staffID: String
        @Option(help: "The last day, for several days in a row (every day, working or not).") var through: String?

        func run() async throws {
            let first = RosterCommand.day(day, option: "DAY")
            let last = through.map { RosterCommand.day($0, option: "--through") } ?? first
            guard first <= last, last.dayNumber - first.dayNumber <= 366 else { fail("--through \(last) is before \(first) or more than a year after it") }
            let config = global.loadConfiguration(allowDefaults: true)
            let desk = LeaveDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let days = (0...(last.dayNumber - first.dayNumber)).map { first.adding(days: $0) }
            let set = await reporting { try await desk.setRoster(days: days, staffID: staffID, by: "cli") }
            for entry in set { printLine("\(entry.day)\t\(entry.day.chineseWeekday)\t值班长 \(entry.staffID)") }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rotate duty chiefs (轮流) over the working days of a period.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The first day.") var from: String
        @Option(help: "The last day.") var through: String
        @Option(help: "The duty chiefs in turn, comma-separated staff ids (D007,D009).") var chiefs: String

        func run() async throws {
            let ids = chiefs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let config = global.loadConfiguration(allowDefaults: true)
            let desk = LeaveDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let set = await reporting {
                try await desk.rotateRoster(chiefs: ids, from: RosterCommand.day(from, option: "--from"),
                                            through: RosterCommand.day(through, option: "--through"), by: "cli")
            }
            for entry in set.days { printLine("\(entry.day)\t\(entry.day.chineseWeekday)\t值班长 \(entry.staffID)") }
            printLine("\(set.days.count) working days set; days off have no duty chief")
            for year in set.weekdaysOnly {
                printLine("! no holiday arrangement is loaded for \(year): its weekdays were taken as working days; after "
                    + "countergate calendar import FILE, rotate \(year) again")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the roster of a period (default: this month).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The first day.") var from: String?
        @Option(help: "The last day.") var through: String?

        func run() async throws {
            let today = CivilDate(commandClock.now())
            let first = from.map { RosterCommand.day($0, option: "--from") } ?? CivilDate(year: today.year, month: today.month, day: 1)!
            let last = through.map { RosterCommand.day($0, option: "--through") }
                ?? first.adding(days: CivilDate.daysIn(month: first.month, year: first.year) - first.day)
            let config = global.loadConfiguration(allowDefaults: true)
            let roster = await reporting { try await openStoreForTools(config).dutyRoster(from: first, through: last) }
            if roster.isEmpty { printLine("nobody on the roster from \(first) to \(last); countergate roster set DAY STAFF_ID or roster rotate"); return }
            for entry in roster { printLine("\(entry.day)\t\(entry.day.chineseWeekday)\t值班长 \(entry.staffID)") }
        }
    }
}
