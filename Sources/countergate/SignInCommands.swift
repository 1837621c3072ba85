// `countergate signin ...`, `countergate staff pin set` and `countergate attendance ...`: sign-in mode (签到考勤) from
// the command line: staff sign in personally, the duty chief (值班长) confirms or rejects, conflicts are listed.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import Logging

/// Reads a PIN: from standard input when it is not a terminal (scripts, tests), else asked for without echo.
func readPIN(prompt: String) -> String {
    if isatty(STDIN_FILENO) == 0 {
        return (readLine() ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
    guard let entered = getpass(prompt) else { fail("no PIN entered") }
    return String(cString: entered)
}

struct SignInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signin",
        abstract: "Sign-in mode (签到考勤): sign in personally, and the duty chief's review.",
        subcommands: [Person.self, Pending.self, Confirm.self, Reject.self],
        defaultSubcommand: Person.self)

    struct Person: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "person",
            abstract: "Sign a person in with their staff id and PIN (asked for; or one line on standard input).",
            discussion: "Only while the terminal serving the person is down (the hall is in sign-in mode). Each sign-in awaits the duty chief's confirmation.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Your staff id (工号).") var staffID: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let pin = readPIN(prompt: "PIN (签到密码) for \(staffID): ")
            do {
                let signIn = try await SignInDesk(config: config, store: store, clock: commandClock).signIn(staffID: staffID, pin: pin)
                printLine("签到成功,等待值班长确认 (signed in; sign-in \(signIn.id) awaits the duty chief)")
            } catch let refusal as SignInRefusal {
                fail("\(refusal.chinese) (\(refusal))")
            } catch {
                fail("\(error)")
            }
        }
    }

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The sign-ins awaiting the duty chief, oldest first.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let pending = await reporting { try await store.pendingSignIns() }
            if pending.isEmpty { printLine("no sign-ins await review (没有待确认的签到)"); return }
            for item in pending {
                let name = (try? await store.staff(id: item.signIn.staffID))?.name ?? ""
                printLine("\(item.id)\t\(item.signIn.staffID)\t\(name)\t\(HallTime.format(item.signIn.at))\t\(item.signIn.method.rawValue)\t\(item.signIn.terminalRole)")
            }
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The duty chief confirms sign-ins, by id or all pending at once.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("as"), help: "The duty chief's staff id.") var dutyChief: String
        @Flag(help: "Confirm every pending sign-in (except the duty chief's own).") var all = false
        @Argument(help: "Sign-in ids.") var ids: [Int64] = []

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("name sign-in ids, or --all") }
        }

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            guard let reviewer = await reporting({ try await store.staff(id: dutyChief) }) else { fail("no staff member \(dutyChief)") }
            guard reviewer.roles.contains(.dutyChief) else { fail(SignInReviewError.notDutyChief(dutyChief).description) }
            let chosen = all ? await reporting { try await store.pendingSignIns() }.filter { $0.signIn.staffID != dutyChief }.map(\.id) : ids
            try await each(chosen, of: "sign-in", done: "confirmed") { id in
                let done = try await store.review(signIn: id, by: dutyChief, at: commandClock.now())
                return "confirmed \(id) (\(done.signIn.staffID))"
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The duty chief rejects a sign-in, saying why.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("as"), help: "The duty chief's staff id.") var dutyChief: String
        @Option(help: "Why, in words the person can read.") var reason: String
        @Argument(help: "Sign-in ids.") var ids: [Int64]

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            for id in ids {
                let done = await reporting { try await store.review(signIn: id, by: dutyChief, at: commandClock.now(), rejectReason: reason) }
                printLine("rejected \(id) (\(done.signIn.staffID)): \(reason)")
            }
        }
    }
}

/// The duty chief's acts on several records at once: `act` for each id, what it did printed, why not on standard
/// error; then how many were done; exit status 1 when any was not.
func each(_ ids: [Int64], of noun: String, done verb: String, _ act: (Int64) async throws -> String) async throws {
    var failures = 0
    for id in ids {
        do {
            printLine(try await act(id))
        } catch {
            failures += 1
            FileHandle.standardError.write(Data("\(noun) \(id): \(error)\n".utf8))
        }
    }
    printLine("\(ids.count - failures) \(verb)" + (failures > 0 ? ", \(failures) not" : ""))
    if failures > 0 { throw ExitCode(1) }
}

extension StaffCommand {
    struct PIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pin", abstract: "Sign-in PINs (签到密码).", subcommands: [Set.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a person's sign-in PIN (4-8 digits; asked for twice, or one line on standard input); clears a lock.",
                discussion: "Stored as a salted PBKDF2-HMAC-SHA256 hash; the PIN itself is never stored or logged.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The staff id.") var staffID: String

            func run() async throws {
                let config = global.loadConfiguration(allowDefaults: true)
                let store = openStoreForTools(config)
                let pin = readPIN(prompt: "new PIN for \(staffID): ")
                if isatty(STDIN_FILENO) != 0, readPIN(prompt: "again: ") != pin { fail("the two PINs differ; nothing was changed") }
                await reporting { try await SignInDesk(config: config, store: store, clock: commandClock).setPIN(pin, staffID: staffID, actor: "cli") }
                printLine("PIN set for \(staffID)")
            }
        }
    }
}

struct AttendanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attendance", abstract: "The attendance mode, and what sign-in mode left to review.",
        subcommands: [Mode.self, Conflicts.self, Resolve.self, Records.self, Reconcile.self, Correct.self, Sheet.self, Publish.self])

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The duty chief records a punch the terminal did not take (补卡), with the reason (audited, counted on the monthly sheet).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Whose punch (staff id).") var staffID: String
        @Option(help: "When, e.g. \"2026-11-26 08:30\".") var at: String
        @Option(help: "Why (kept in the audit log).") var reason: String
        @Option(name: .customLong("as"), help: "The duty chief's staff id.") var dutyChief: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let instant = LeaveCommand.instant(at, option: "--at")
            let desk = LeaveDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let done = await reporting { try await desk.correctPunch(of: staffID, at: instant, reason: reason, by: dutyChief) }
            printLine("补卡 \(done.id): \(done.staffID) at \(HallTime.format(done.at)), by \(done.correctedBy): \(done.reason)")
        }
    }

    struct Sheet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The monthly sheet (月度考勤汇总) of a month: a table, or written as CSV or XLSX (the published copy once published).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The month, YYYY-MM.") var month: String
        @Option(help: "Write CSV (UTF-8 with a BOM) to this file.") var csv: String?
        @Option(help: "Write XLSX to this file.") var xlsx: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let (year, number): (Int, Int)
            do { (year, number) = try MonthlySheetDesk.month(month) } catch { fail("--month: \(error)") }
            let desk = MonthlySheetDesk(config: config, store: openStoreForTools(config), clock: commandClock)
            let sheet = await reporting { try await desk.sheet(year: year, month: number) }
            if let csv { await reporting { try Data(MonthlySheetExport.csv(sheet, hall: config.hall.name).utf8).write(to: URL(fileURLWithPath: csv)) } }
            if let xlsx { await reporting { try MonthlySheetExport.xlsx(sheet, hall: config.hall.name).write(to: URL(fileURLWithPath: xlsx)) } }
            printLine("\(sheet.month) 月度考勤汇总: \(MonthlySheetExport.stateText(sheet))")
            printLine("staff\tname\tdue\tpresent\tlate\tearly\t缺卡\tleave\toutings\t旷工\t补卡\tpending")
            for p in sheet.people {
                printLine("\(p.staffId)\t\(p.name)\t\(p.daysDue)\t\(p.daysPresent)\t\(p.lateCount)/\(p.lateMinutes)\t\(p.earlyCount)/\(p.earlyMinutes)\t"
                    + "\(p.missingPunches)\t\(p.leaveTotal)\t\(p.outingShifts)\t\(p.absentDays)\t\(p.corrections)\t\(p.pendingDays)")
            }
            if sheet.unmatchedPunches > 0 {
                printLine("! \(sheet.unmatchedPunches) punches of the month have a terminal user id nobody on the staff list has: counted for nobody "
                    + "(GET /api/v1/attendance/punches lists them; give the id to a person in the staff list: countergate staff import)")
            }
            for a in sheet.amendments { printLine("更正\t\(a.staffId)\t\(a.name)\t\(a.figure)\t\(a.published) → \(a.now)") }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish (公示) a month's sheet: it must be over and judged for everybody; frozen from then on, later changes shown as amendments.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The month, YYYY-MM.") var month: String
        @Option(name: .customLong("as"), help: "The inspection office's staff id (督查室).") var inspector: String

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let (year, number): (Int, Int)
            do { (year, number) = try MonthlySheetDesk.month(month) } catch { fail("--month: \(error)") }
            let store = openStoreForTools(config)
            guard let person = await reporting({ try await store.staff(id: inspector) }), person.has(.inspection) else {
                fail("--as \(inspector): the inspection office (督查室) publishes the sheet; name a staff member with the inspection role")
            }
            let desk = MonthlySheetDesk(config: config, store: store, clock: commandClock)
            let sheet = await reporting { try await desk.publish(year: year, month: number, by: person.id) }
            printLine("\(sheet.month) published (已公示) by \(person.id) \(person.name): \(sheet.people.count) people")
        }
    }

    struct Mode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each terminal role's mode: normal, or sign-in (签到考勤) since when and why.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let stored = await reporting { try await store.attendanceModes() }
            let roles = Swift.Set(config.devices.filter { $0.kind == .terminal }.map(\.role)).union(stored.keys).sorted()
            if roles.isEmpty { printLine("no terminals are configured"); return }
            for role in roles {
                if let state = stored[role], state.mode == "sign-in" {
                    printLine("\(role)\tsign-in (签到考勤) since \(HallTime.format(state.since)): \(state.reason)")
                } else {
                    printLine("\(role)\tnormal")
                }
            }
        }
    }

    struct Conflicts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What the reconciliation after sign-in mode found for the duty chief to look at.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let open = await reporting { try await store.openAttendanceConflicts() }
            if open.isEmpty { printLine("no conflicts (没有需要核对的记录)"); return }
            for conflict in open {
                printLine("\(conflict.id)\t\(conflict.kind)\t\(conflict.terminalRole)\t\(conflict.description)")
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The duty chief settles a conflict `attendance conflicts` listed, saying what was decided (audited).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("as"), help: "The duty chief's staff id.") var dutyChief: String
        @Option(help: "What was decided (处理意见), kept in the audit log.") var note: String
        @Argument(help: "Conflict ids.") var ids: [Int64]

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            try await each(ids, of: "conflict", done: "resolved") { id in
                let done = try await store.resolveAttendanceConflict(id, by: dutyChief, note: note, at: commandClock.now())
                return "resolved \(id) (\(done.staffID): \(done.kind))"
            }
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile a terminal role's punches and sign-ins of whole days again (the gateway does it when sign-in mode ends).",
            discussion: "Reconciling twice stores nothing twice. Conflicts found are listed by `attendance conflicts`.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The terminal role.") var role: String
        @Option(help: "The first day, YYYY-MM-DD.") var from: String
        @Option(help: "The last day, YYYY-MM-DD (default: the first).") var to: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            guard config.devices.contains(where: { $0.kind == .terminal && $0.role == role }) else {
                fail("no terminal role \(role) is configured; see countergate attendance mode")
            }
            guard let first = CivilDate(from) else { fail("--from \(from): expected YYYY-MM-DD") }
            guard let last = CivilDate(to ?? from) else { fail("--to \(to ?? ""): expected YYYY-MM-DD") }
            let start = HallTime.start(of: first), end = HallTime.start(of: last).addingTimeInterval(86_400 - 1)
            guard start <= end else { fail("--to is before --from") }
            let store = openStoreForTools(config)
            var logger = Logger(label: "countergate.attendance")
            logger.logLevel = .warning
            let fallback = SignInFallback(config: config, store: store, clock: commandClock, logger: logger)
            let (records, conflicts) = await reporting { try await fallback.reconcileOrThrow(role: role, from: start, to: end) }
            printLine("\(role) \(first)…\(last): \(records) new record(s), \(conflicts) new conflict(s)"
                      + (conflicts > 0 ? "; see countergate attendance conflicts" : ""))
        }
    }

    struct Records: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The reconciled attendance records of a day: each with its sources (punch, sign-in).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The day, YYYY-MM-DD (default today).") var date: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let day: CivilDate
            if let date {
                guard let parsed = CivilDate(date) else { fail("--date \(date): expected YYYY-MM-DD") }
                day = parsed
            } else {
                day = CivilDate(commandClock.now())
            }
            let start = HallTime.start(of: day)
            let records = await reporting { try await store.attendanceRecords(from: start, to: start.addingTimeInterval(86_400)) }
            if records.isEmpty { printLine("no reconciled records on \(day)"); return }
            for record in records {
                let sources = [record.punchID.map { "punch \($0)" }, record.signInID.map { "sign-in \($0)" }].compactMap { $0 }.joined(separator: " + ")
                printLine("\(record.staffID)\t\(HallTime.format(record.at))\t\(sources)\t\(record.terminalRole)")
            }
        }
    }
}
