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
            Up to half a day the duty chief (值班长) or the inspection office (督查室) approves; beyond half a day the hall's \
            leader in charge (中心分管领导); where the person's window has a lead (窗口负责人), the lead's opinion comes first. \
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
