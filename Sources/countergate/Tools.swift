// The ops tools: config check, staff import/list, notice numbers, audit verification.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Check the configuration.",
                                                    subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the configuration and report every problem with file, line and key; exit 1 if there is any.",
            discussion: """
                Runs every check `countergate serve` runs before it starts (the data folder, the calendar, TLS, the device \
                profiles and addresses), with the same messages: a configuration this accepts is one the gateway starts.
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let startup = await reporting { try GatewayStartup.check(config) }
            let years = config.calendarYears.map(\.year).sorted().map(String.init).joined(separator: ", ")
            printLine("""
                configuration OK: \(config.sourceFile ?? "built-in demo defaults")
                  hall: \(config.hall.name) (\(config.hall.phone))
                  windows: \(config.windows.map(\.chineseLabel).joined(separator: "、"))
                  devices: \(config.devices.isEmpty ? "none" : config.devices.map { "\($0.id) (\($0.kind.rawValue), role \($0.role))" }.joined(separator: ", "))
                  HTTP: \(config.http.bind):\(config.http.port)
                  data: \(config.store.dataDirectory) (durability \(config.store.durability))
                  notice numbers: \(config.noticeNumberFormat.render(year: 2026, sequence: 123)) (pattern \(config.noticeNumberFormat.pattern))
                  fallback: \(config.fallback.scope.rawValue), enter after \(config.fallback.enterAfterSeconds) s, leave after \(config.fallback.leaveAfterSeconds) s
                  calendar years: \(years)
                  profiles: printers \(config.printing.profilesDirectory), readers \(config.badges.profilesDirectory)
                checked as serve does before it starts:
                """ + startup.checked.map { "\n  ✓ \($0)" }.joined() + startup.warnings.map { "\n  ! \($0)" }.joined())
        }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Import and list the hall's staff.",
                                                    subcommands: [Import.self, List.self, Card.self, PIN.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a staff list (CSV). Every row is checked first; if any row is wrong, nothing is imported.",
            discussion: """
                Columns: staff_id,name,window,department,roles,terminal_user_id,post,card
                roles: clerk, window-lead, duty-chief, inspection, ops, leader (中心分管领导) (or their Chinese names), separated by |
                post: A or B (AB岗). A person already on file is updated.
                card (卡号, optional): badge card numbers in decimal as printed on the card, separated by |. A person                 whose cell lists cards has exactly those afterwards; an empty cell keeps the person's cards. A card                 held by someone not in the list stops the import. The summary counts the cards added, moved, removed.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The CSV file (UTF-8).", valueName: "staff.csv"))
        var file: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file): check the path") }
            guard let text = String(data: data, encoding: .utf8) else {
                fail("\(file) is not UTF-8; save it as UTF-8 (in Excel: CSV UTF-8) and import again")
            }
            let rows: [StaffListRow]
            do { rows = try StaffList.parse(text, windows: Set(config.windows.map(\.number))) } catch { fail("\(file): \(error)") }
            let summary = await reporting {
                let store = try GatewayRuntime.openStore(config)
                try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock)
                return try await store.importStaff(rows, actor: "cli", at: commandClock.now())
            }
            printLine("\(file): \(summary)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the staff on file.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let (staff, cards) = await reporting {
                let store = try GatewayRuntime.openStore(config)
                return (try await store.staff(), try await store.cardsByStaff())
            }
            if json {
                struct Listed: Encodable {
                    let person: Staff
                    let cards: [String]
                    func encode(to encoder: any Encoder) throws {
                        try person.encode(to: encoder)
                        enum Key: String, CodingKey { case cards }
                        var container = encoder.container(keyedBy: Key.self)
                        try container.encode(cards, forKey: .cards)
                    }
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                printLine(String(decoding: try encoder.encode(staff.map { Listed(person: $0, cards: cards[$0.id] ?? []) }), as: UTF8.self))
                return
            }
            if staff.isEmpty { printLine("no staff on file; import a list with `countergate staff import staff.csv`"); return }
            for person in staff {
                let window = person.window.map { "\($0)号窗口" } ?? "—"
                let roles = person.roles.sorted().map(\.chineseName).joined(separator: "、")
                printLine("\(person.id)\t\(person.name)\t\(window)\t\(person.post.map { $0.rawValue + "岗" } ?? "")\t\(person.department)\t\(roles)\t考勤号 \(person.terminalUserID ?? "—")\t卡号 \(cards[person.id]?.joined(separator: ",") ?? "—")")
            }
        }
    }
}

struct NoticeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notice", abstract: "Notices (通知书).",
                                                    subcommands: [Number.self, Void.self])

    struct Number: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the number the next notice will get.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Show without taking it (numbers are only taken by issuing a notice).") var peek = false
        @Option(help: "The year (default: this year in the hall's time zone).") var year: Int?

        func validate() throws {
            guard peek else { throw ValidationError("numbers are taken only by issuing a notice; use --peek to see the next one") }
        }

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let year = self.year ?? CivilDate(commandClock.now()).year
            let number = await reporting {
                try await GatewayRuntime.openStore(config).peekNoticeNumber(year: year, format: config.noticeNumberFormat)
            }
            printLine(number)
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log.",
                                                    subcommands: [Verify.self, Reanchor.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit log: its hash chain, the notices, punches, 补卡 and sign-ins its entries sealed, and its end against the anchor; exit 1 and name the first bad entry.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let report = await reporting { try await GatewayRuntime.openStore(config).auditReport() }
            if json {
                printJSON(AuditReportJSON(report))
            } else {
                for line in report.lines { printLine(line) }
            }
            if !report.isSound { throw ExitCode.failure }
        }
    }

    struct Reanchor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record why the log's end moved (an older backup restored, the anchor or its key lost) and anchor it there.",
            discussion: "The reason and what the anchor said before are written to the audit log as an entry of its own (audit.reanchored).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Why, for the inspection office (e.g. \"restored the backup of 2026-12-01 after the disk failed\").") var reason: String
        @Option(help: "Who does it (default: your login).") var actor: String = ProcessInfo.processInfo.environment["USER"] ?? "ops"

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let (before, entry) = await reporting {
                try await GatewayRuntime.openStore(config).reanchorAudit(actor: actor, reason: reason, at: commandClock.now())
            }
            printLine("the anchor said: \(before.description)")
            printLine("recorded as entry \(entry.id) (audit.reanchored by \(entry.actor)); the log is anchored there")
        }
    }
}

/// `audit verify --json`.
struct AuditReportJSON: Encodable {
    let sound: Bool
    let chain: String
    let entries: Int?
    let badEntry: BadEntry?
    let unrecordedRow: UnrecordedRow?
    let anchor: String
    let anchorSound: Bool
    let anchorProblem: String?

    struct BadEntry: Encodable {
        let id: Int64
        let action: String?
        let subject: String?
        let actor: String?
        let at: String?
        let reason: String
    }

    struct UnrecordedRow: Encodable {
        let table: String
        let rowID: Int64
        let reason: String
    }

    init(_ report: AuditReport) {
        sound = report.isSound
        chain = report.verification.description
        anchor = report.anchor.description
        anchorSound = report.anchor.isSound
        anchorProblem = report.anchorProblem
        switch report.verification {
        case .intact(let n):
            entries = n
            badEntry = nil
            unrecordedRow = nil
        case .broken(let id, let reason):
            entries = nil
            badEntry = BadEntry(id: id, action: report.badEntry?.action, subject: report.badEntry?.subject, actor: report.badEntry?.actor,
                                at: report.badEntry.map { HallTime.format($0.at) }, reason: reason)
            unrecordedRow = nil
        case .unrecordedRow(let table, let rowID, let reason):
            entries = nil
            badEntry = nil
            unrecordedRow = UnrecordedRow(table: table, rowID: rowID, reason: reason)
        }
    }
}
