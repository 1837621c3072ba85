// `countergate print ...` and `countergate printer ...`: notices and test pages through the spooler, printer status.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import Gateway

struct PrintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print", abstract: "Issue and print a notice (通知书), or a test page, through the print queue.",
        subcommands: [NoticePrint.self, TestPage.self])

    struct NoticePrint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notice",
            abstract: "Issue a notice (it takes the next number) and queue both copies for the window's printer.",
            discussion: """
                Kinds: acceptance (受理通知书), supplementary-materials (补办材料通知书), rejection (不予受理通知书),
                joint-acceptance (联办件受理通知书), returned (退回件通知书). The running gateway prints queued jobs.
                With --preview nothing is issued: the notice is shown as it would print.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The kind of notice (code or Chinese title).") var kind: String
        @Option(help: "The applicant (申请人).") var applicant: String
        @Option(help: "The item applied for (申请事项).") var item: String
        @Option(help: "The window number.") var window: Int
        @Option(help: "The clerk's staff id (经办人).") var clerk: String
        @Option(help: "The day the application was received, YYYY-MM-DD (default: today).") var received: String?
        @Option(name: .customLong("material"), help: "A material received (repeat for each).") var materials: [String] = []
        @Option(name: .customLong("missing"), help: "A material still missing (repeat for each).") var missing: [String] = []
        @Option(help: "The promised period in working days (承诺期限).") var days: Int?
        @Option(help: "Why the request is rejected.") var reason: String?
        @Option(help: "The rule the rejection rests on.") var basis: String?
        @Option(name: .customLong("department"), help: "A department of a joint item (repeat for each).") var departments: [String] = []
        @Option(help: "Where to apply instead (returned applications).") var redirectTo: String?
        @Option(help: "The applicant's next step (下一步).") var nextStep: String?
        @Flag(help: "Fill the promised period, materials and joint departments from the window's item catalogue (事项目录); --item names the item. For a supplementary-materials notice, the item's materials not given with --material are the missing ones.")
        var fromCatalogue = false
        @Option(help: "The supplementary-materials notice (补办材料通知书) this acceptance follows, by number: the same application, now complete.")
        var follows: String?
        @Option(help: "The printer role (default: the window's printer).") var role: String?
        @Option(help: "A key for this request; the same key again prints once (default: a new one).") var idempotencyKey: String?
        @Flag(help: "Show the notice as it would print (80 mm), without issuing or printing it.") var preview = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            guard let kind = NoticeKind(token: kind) else {
                fail("--kind \(self.kind) is not a notice kind; use one of " + NoticeKind.allCases.map { "\($0.rawValue) (\($0.title))" }.joined(separator: ", "))
            }
            let receivedOn: CivilDate
            if let received {
                guard let date = CivilDate(received) else { fail("--received \(received): expected YYYY-MM-DD") }
                receivedOn = date
            } else {
                receivedOn = CivilDate(commandClock.now())
            }
            var draft = NoticeDraft(kind: kind, applicant: applicant, item: item, window: window, clerk: clerk, receivedOn: receivedOn,
                                    materialsReceived: materials, materialsMissing: missing, promisedWorkingDays: days,
                                    rejectionReason: reason, rejectionBasis: basis, departments: departments, redirectTo: redirectTo,
                                    nextStep: nextStep)
            draft.follows = follows.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            guard config.windows.contains(where: { $0.number == window }) else {
                fail("window \(window) is not configured; windows: " + config.windows.map { String($0.number) }.joined(separator: ", "))
            }
            let store = openStoreForTools(config)
            let catalogue = ItemCatalogueDesk(config: config, store: store, clock: commandClock)
            let desk = NoticeDesk(config: config, store: store, clock: commandClock)
            let key = idempotencyKey ?? "cli-\(UUID().uuidString)"
            if fromCatalogue { draft = await reporting { [draft] in try await catalogue.fill(draft, idempotencyKey: key) } }
            // A year the calendar cannot count is said before anything is issued.
            _ = await reporting { try config.calendar() }
            let clerkOnFile = await reporting { try await store.staff(id: clerk) != nil }
            guard clerkOnFile else { fail("no staff member with id \(clerk); `countergate staff list` shows who is on file") }
            if preview {
                // The same preview as the clerk's page (POST /api/v1/notices/preview), laid out for the role's printer.
                // The notice it follows is checked as issuing checks it (NoticeDesk.issueAndPrint).
                await reporting { [draft] in try await catalogue.checkFollows(draft, idempotencyKey: key) }
                let shown = await reporting { [draft] in try await desk.preview(draft, printerRole: role) }
                guard shown.problems.isEmpty else { fail(NoticeNotIssuable(problems: shown.problems).description) }
                printLine(shown.text)
                return
            }
            guard let printer = role ?? PrinterRoles.role(forWindow: window, in: config) else {
                fail("no printer serves window \(window): configure one ([[device]] kind = \"printer\") or name it with --role")
            }
            // The path the API takes (NoticeDesk): the notice and its job; the running gateway's watch of the store prints it.
            let issued = await reporting { [draft] in try await desk.issueAndPrint(draft, printerRole: printer, idempotencyKey: key) }
            let (notice, job) = (issued.notice, issued.job)
            printLine("\(notice.notice.draft.kind.title) \(notice.notice.number) issued; print job \(job.id) queued on \(printer) (\(job.state.rawValue))")
            if let date = notice.notice.promisedCompletion {
                printLine("承诺办结日期:\(date.chineseText)" + (notice.notice.promisedCompletionProvisional
                    ? "(暂定:该年度节假日安排未载入,暂按双休日计算;`countergate calendar list` 列出缺少的年份)" : ""))
            }
        }
    }

    struct TestPage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Queue a test page on a printer role.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The printer role.") var role: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            guard config.devices.contains(where: { $0.kind == .printer && $0.role == role }) else {
                fail("no printer with role \(role) in the configuration")
            }
            let job = await reporting {
                try await openStoreForTools(config).enqueuePrintJob(idempotencyKey: "test-\(UUID().uuidString)", printerRole: role, noticeID: nil,
                                                                     copies: 1, at: commandClock.now(), kind: .test)
            }
            printLine("test page queued as job \(job.id) on \(role)")
        }
    }
}

extension NoticeCommand {
    struct Void: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "void", abstract: "Void a notice (作废); its number is kept, never reused.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The notice number.") var number: String
        @Option(help: "Why (kept in the audit log).") var reason: String
        @Option(help: "Who voids it (staff id).") var by: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let desk = NoticeDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            _ = await reporting { try await desk.void(number: number, reason: reason, by: by) }
            printLine("notice \(number) voided")
        }
    }
}

struct PrinterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "printer", abstract: "Receipt printers (打印机).",
                                                    subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask a printer for its status (DLE EOT): online, paper, cover, cutter.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The printer's role in the configuration.") var role: String

        func run() async throws {
            var config = global.loadConfiguration(allowDefaults: true)
            config.devices = config.devices.filter { $0.kind == .printer && $0.role == role }
            guard !config.devices.isEmpty else { fail("no printer with role \(role) in the configuration") }
            let printers = await reporting { try PrintSpooler.printers(of: config) }
            let store = openStoreForTools(config)
            let logger = global.makeLogger()
            let spooler = PrintSpooler(printers: printers, config: config, store: store, clock: commandClock, logger: logger)
            // The printer the role is bound to now: ops may have replaced the configured one (countergate devices replace).
            let bindings = RoleBindings(config: config, store: store, printerProfiles: try? PrinterProfiles.load(directory: config.printing.profilesDirectory),
                                        logger: logger)
            let printer = await reporting { try await bindings.printer(for: printers[0]).get() }
            let problem = await reporting {
                try await printer.transport.open()
                return try await spooler.readiness(printer)
            }
            await printer.transport.close()
            if let problem { fail(problem) }
            printLine(printer.profile.status == .none ? "\(printer.label): connected (this model cannot report its status)"
                                                      : "\(printer.label): online, paper loaded, cover closed")
        }
    }
}
