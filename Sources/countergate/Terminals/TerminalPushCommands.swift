// `countergate terminal …` on push terminals (they call the gateway; it cannot call them): what the protocol allows
// goes through the command queue, which the running gateway hands out at the terminal's next poll; the rest is read
// from what the gateway stored. And the verbs only push terminals have: approve, commands, send, fill-gap, quarantine.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import ZKTerminal

/// A push terminal named on the command line, with what the verbs need.
struct PushTarget {
    let config: HallConfiguration
    let device: HallConfiguration.Device
    let serial: String
    let store: HallStore
    /// How long to wait for a command's result: the terminal takes it at its next poll.
    let wait: Duration

    var commands: PushTerminalCommands { PushTerminalCommands(store: store, settings: config.push, clock: commandClock) }

    /// Queues `command`, waits for its result, and returns it (or exits saying why it did not come).
    func run(_ command: PushCommand, purpose: String) async -> PushCommandRecord {
        let ids = await reporting { try await commands.queue([command], serial: serial, purpose: purpose, by: DevicesCommand.actor(nil)) }
        printLine("queued command \(ids[0]) for push terminal \(serial); it takes it at its next poll (every \(config.push.delaySeconds) s) …")
        let records = await reporting { try await commands.wait(for: ids, timeout: wait) }
        guard let record = records.first, record.state.isFinished else {
            let last = (try? await store.pushTerminal(serial: serial))?.lastSeen
            fail("push terminal \(serial) did not take command \(ids[0]) within \(wait.components.seconds) s"
                 + (last.map { " (last heard of \(DevicesCommand.time($0)))" } ?? " (never heard of)")
                 + ". Check that the gateway runs (systemctl status countergate), that the terminal is on and that its server address is this gateway; "
                 + "the command stays queued (countergate terminal commands --role \(device.role))")
        }
        return record
    }

    func info(json: Bool) async {
        let record = await run(.info, purpose: "countergate terminal info")
        let known = await reporting { try await store.pushTerminal(serial: serial) }
        let stamps = await reporting { try await store.pushStamps(serial: serial) }
        var facts = known?.facts ?? [:]
        for line in (record.result ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            facts[line[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: "~ "))] = String(line[line.index(after: equals)...])
        }
        if json {
            printJSON(["serial": serial, "role": device.role, "device": device.id, "facts": facts.description, "stamps": stamps.description,
                       "result": record.state.rawValue])
            return
        }
        printLine("""
            serial number:  \(serial) (push terminal, role \(device.role), device \(device.id))
            firmware:       \(facts["FWVersion"] ?? "-")
            name:           \(facts["DeviceName"] ?? "-")
            address:        \(facts["IPAddress"] ?? known?.remoteAddress ?? "-")
            users:          \(facts["UserCount"] ?? "-")
            fingerprints:   \(facts["FPCount"] ?? "-")
            records:        \(facts["TransactionCount"] ?? "-")
            push version:   \(known?.pushVersion ?? "-"), text \(known?.textEncoding ?? "not seen yet")
            last handshake: \(known?.lastHandshake.map(DevicesCommand.time) ?? "-")
            stamps:         \(stamps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            """)
        if record.state != .done { fail("the terminal answered INFO with \(record.returnCode ?? 0): \(PushCommandResult.meaning(of: record.returnCode ?? 0))") }
    }

    func users(json: Bool) async {
        let users = await reporting { try await store.pushUsers(role: device.role) }
        if json { printJSON(users.map { ["pin": $0.pin, "name": $0.name, "privilege": String($0.privilege), "card": $0.card] }); return }
        for user in users { printLine("\(user.pin)\t\(user.name)\tprivilege \(user.privilege)\(user.card.isEmpty ? "" : "\tcard \(user.card)")") }
        printLine("\(users.count) users, as terminal \(serial) last reported them (its OPERLOG uploads); `countergate terminal send --role \(device.role) query-users` asks it again")
    }

    func logs(json: Bool, days: Int) async {
        let now = commandClock.now()
        let punches = await reporting { try await store.punches(from: now.addingTimeInterval(-Double(days) * 86_400), to: now.addingTimeInterval(86_400)) }
            .filter { $0.punch.terminalSerial == serial }
        if json {
            printJSON(punches.map { ["user_id": $0.punch.terminalUserID, "time": HallTime.format($0.punch.at), "verify": $0.punch.verification.code,
                                     "direction": $0.punch.direction.rawValue] })
            return
        }
        for stored in punches {
            printLine("\(stored.punch.terminalUserID)\t\(HallTime.format(stored.punch.at))\t\(stored.punch.verification.code)\t\(stored.punch.direction.rawValue)"
                      + (stored.flag.map { "\tflag: \($0)" } ?? ""))
        }
        printLine("\(punches.count) punches of the last \(days) day(s) stored from push terminal \(serial) (it uploads them itself; "
                  + "`countergate terminal fill-gap --role \(device.role) --from … --to …` asks it for a time range again)")
    }

    func sync() async {
        let before = await reporting { try await store.punchCount() }
        let record = await run(.check, purpose: "countergate terminal sync")
        let after = await reporting { try await store.punchCount() }
        printLine("push terminal \(serial) \(record.state == .done ? "checked for new data and uploads it now" : "answered CHECK with \(record.returnCode ?? 0)"); "
                  + "\(after - before) new punch(es) stored so far")
    }

    func backup(output: String) async {
        let users = await reporting { try await store.pushUsers(role: device.role) }
        let templates = await reporting { try await store.pushTemplates(role: device.role) }
        let facts = (try? await store.pushTerminal(serial: serial))?.facts ?? [:]
        // The same contents as the gateway's own backup of a push terminal (cards in either form the firmware writes).
        let (zkUsers, zkTemplates) = PushTerminalCopy.backupContents(users: users, templates: templates)
        let backup = TerminalBackup(serialNumber: serial, firmware: facts["FWVersion"] ?? "push terminal", takenAt: commandClock.now(), users: zkUsers, templates: zkTemplates)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do { try encoder.encode(backup).write(to: URL(fileURLWithPath: output)) } catch { fail("cannot write \(output): \(error.localizedDescription)") }
        printLine("\(zkUsers.count) users and \(zkTemplates.count) fingerprint templates of push terminal \(serial) (the gateway's copy, kept by its uploads) saved to \(output)")
    }

    func restore(_ backup: TerminalBackup) async {
        let queued = await reporting {
            try await commands.restore(users: backup.users, templates: backup.templates, serial: serial,
                                       purpose: "countergate terminal restore (file of \(backup.serialNumber))", by: DevicesCommand.actor(nil))
        }
        printLine("queued \(queued.users) users and \(queued.templates) templates as \(queued.ids.count) commands; waiting for the terminal to take them …")
        let records = await reporting { try await commands.wait(for: queued.ids, timeout: max(wait, .seconds(queued.ids.count / 50 * config.push.delaySeconds + 30))) }
        let done = records.filter { $0.state == .done }.count
        printLine("push terminal \(serial) ran \(done) of \(queued.ids.count) commands")
        if done < queued.ids.count {
            fail("\(queued.ids.count - done) command(s) not done: `countergate terminal commands --role \(device.role)` shows which and why")
        }
    }

    func time() -> Never {
        fail("""
            push terminal \(serial) takes its time from the gateway: every answer carries the HTTP Date header, and the handshake its \
            TimeZone (\(HallTime.chinaStandardTime.secondsFromGMT() / 3600)); there is nothing to read or set. If its clock is wrong, check the \
            gateway machine's clock (timedatectl) and the terminal's time zone setting
            """)
    }

    func watch() async {
        printLine("watching punches uploaded by push terminal \(serial) (Ctrl-C stops)")
        var seen = Set<Int64>()
        var since = commandClock.now().addingTimeInterval(-60)
        while true {
            let now = commandClock.now()
            let punches = (try? await store.punches(from: since, to: now.addingTimeInterval(86_400))) ?? []
            for stored in punches where stored.punch.terminalSerial == serial && !seen.contains(stored.id) {
                seen.insert(stored.id)
                printLine("\(HallTime.format(stored.punch.at))\tuser \(stored.punch.terminalUserID)\t\(stored.punch.verification.code)\t\(stored.punch.direction.rawValue)")
            }
            since = now.addingTimeInterval(-60)
            // The gateway that stores them is another process: the store is read again every second.
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

extension TerminalCommand.Target {
    /// The push terminal this names (`--role` bound to a `push:SERIAL` device, or `--address push:SERIAL`); nil for a
    /// pull terminal.
    func push() async -> PushTarget? {
        let (config, device) = await device()
        guard let serial = device.link.pushSerial else { return nil }
        let delay = config.push.delaySeconds
        return PushTarget(config: config, device: device, serial: serial, store: openStoreForTools(config), wait: .seconds(max(timeout, delay * 2 + 5)))
    }
}

extension TerminalCommand {
    /// Binds an unknown push terminal (recorded as a candidate when it first called) to a terminal role.
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a push terminal that called the gateway: bind it to a terminal role (its data is stored from its next call).",
            discussion: """
                An unknown serial is recorded as a candidate (countergate devices candidates) and nothing it sends is stored. \
                Approving binds it to the role; when the role has a backup (the terminal it replaces), its users and fingerprints \
                are queued for the new terminal, unless --no-restore.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The terminal's serial number (菜单 > 系统信息 > 设备信息 > 序列号), as in `countergate devices candidates`.") var serial: String
        @Option(help: "The terminal role it serves (from the configuration).") var role: String
        @Flag(name: .customLong("no-restore"), help: "Bind without queuing the role's users and fingerprints.") var noRestore = false
        @Option(help: "Who approves, for the audit log (default: ops:<your login>).") var actor: String?

        func run() async throws {
            guard DeviceLink.isValidTerminalSerial(serial) else { fail("\(serial) is not a terminal serial number (1-32 letters, digits, - or _)") }
            let config = global.loadConfiguration(allowDefaults: true)
            guard config.devices.contains(where: { $0.role == role && $0.kind == .terminal }) else {
                let roles = config.devices.filter { $0.kind == .terminal }.map(\.role)
                fail("no terminal role \(role) in the configuration" + (roles.isEmpty ? "" : "; terminal roles: " + roles.joined(separator: ", ")))
            }
            let store = openStoreForTools(config)
            await reporting { try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock) }
            let hasBackup = await reporting { try await store.latestTerminalBackup(role: role) } != nil
            let candidate = await reporting { try await store.knownDevices() }.first { $0.identity.link == .pushTerminal(serial: serial) }
            if candidate == nil {
                printLine("terminal \(serial) has not called this gateway yet; binding it all the same (it is served from its first call)")
            }
            let report = await reporting {
                try await DeviceReplacement(config: config, store: store, clock: commandClock, logger: global.makeLogger())
                    .replace(role: role, with: candidate?.id ?? DeviceLink.pushTerminal(serial: serial).description,
                             options: .init(actor: DevicesCommand.actor(actor), restore: hasBackup && !noRestore), say: { printLine($0) })
            }
            printLine("push terminal \(serial) serves role \(role) (device \(report.rebinding.device.id)); the running gateway serves it from its next call"
                      + (hasBackup || noRestore ? "" : "; the role has no backup, so nothing was queued for it"))
            if let problem = report.problem { fail(problem) }
        }
    }

    /// A push terminal's command queue.
    struct Commands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A push terminal's queued and finished commands (newest first).")
        @OptionGroup var target: Target
        @Option(help: "How many to show.") var limit = 50
        @Flag(help: "Withdraw the commands not finished yet.") var cancel = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let push = await target.push() else { fail("commands are for push terminals; \(target.role ?? target.address ?? "") is a pull terminal") }
            if cancel {
                let count = await reporting { try await push.store.cancelPushCommands(serial: push.serial, by: DevicesCommand.actor(nil), at: commandClock.now()) }
                printLine("\(count) command(s) withdrawn")
                return
            }
            let records = await reporting { try await push.store.pushCommands(serial: push.serial, limit: limit) }
            if json {
                printJSON(records.map { ["id": String($0.id), "command": $0.command, "state": $0.state.rawValue, "attempts": String($0.attempts),
                                         "return": $0.returnCode.map(String.init) ?? "", "purpose": $0.purpose] })
                return
            }
            if records.isEmpty { printLine("no commands for push terminal \(push.serial)") }
            for record in records {
                let outcome: String
                switch record.state {
                case .failed: outcome = "failed \(record.returnCode ?? 0): \(PushCommandResult.meaning(of: record.returnCode ?? 0))"
                case .expired: outcome = "expired after \(record.attempts) attempt(s) without a result"
                case .sent: outcome = "sent \(record.attempts)× (last \(record.sentAt.map(DevicesCommand.time) ?? "-")), waiting for its result"
                default: outcome = record.state.rawValue
                }
                printLine("\(record.id)\t\(DevicesCommand.time(record.createdAt))\t\(record.command.prefix(60))\t\(outcome)\t\(record.purpose)")
            }
        }
    }

    /// Gives a push terminal one command and waits for its result.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a push terminal a command and wait for its result: check, info, reboot, query-users, delete-user PIN, set-option KEY=VALUE.")
        @OptionGroup var target: Target
        @Argument(help: "check | info | reboot | query-users | delete-user | set-option") var command: String
        @Argument(help: "The user id (delete-user) or KEY=VALUE (set-option).") var value: String?

        func run() async throws {
            guard let push = await target.push() else { fail("send is for push terminals; a pull terminal is talked to directly (countergate terminal info …)") }
            let chosen: PushCommand
            switch (command, value) {
            case ("check", nil): chosen = .check
            case ("info", nil): chosen = .info
            case ("reboot", nil): chosen = .reboot
            case ("query-users", let pin): chosen = .queryUsers(pin: pin)
            case ("delete-user", let pin?): chosen = .deleteUser(pin: pin)
            case ("set-option", let assignment?):
                guard let equals = assignment.firstIndex(of: "=") else { fail("set-option needs KEY=VALUE, e.g. set-option Volume=5") }
                chosen = .setOption(key: String(assignment[..<equals]), value: String(assignment[assignment.index(after: equals)...]))
            default:
                fail("unknown command \"\(command)\"\(value.map { " \($0)" } ?? ""): use check, info, reboot, query-users [PIN], delete-user PIN or set-option KEY=VALUE")
            }
            let record = await push.run(chosen, purpose: "countergate terminal send \(command)")
            printLine("command \(record.id) (\(record.command.prefix(60))): \(record.state.rawValue)"
                      + (record.returnCode.map { " (\($0): \(PushCommandResult.meaning(of: $0)))" } ?? ""))
            if let result = record.result { printLine(result) }
            if record.state != .done { throw ExitCode.failure }
        }
    }

    /// Asks a push terminal to upload a time range of its log again (after an outage).
    struct FillGap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fill-gap",
            abstract: "Ask a push terminal to upload its punches of a time range again (DATA QUERY ATTLOG); what the gateway has already is not stored twice.")
        @OptionGroup var target: Target
        @Option(help: ArgumentHelp("From, hall time: YYYY-MM-DD HH:MM:SS.", valueName: "time")) var from: String
        @Option(help: ArgumentHelp("To, hall time: YYYY-MM-DD HH:MM:SS.", valueName: "time")) var to: String

        func run() async throws {
            guard let push = await target.push() else {
                fail("fill-gap is for push terminals; a pull terminal's `countergate terminal sync` downloads its whole log")
            }
            func time(_ text: String, _ name: String) -> ZKLocalTime {
                let parts = text.split(whereSeparator: { "- :T".contains($0) }).compactMap { Int($0) }
                guard parts.count == 6 else { fail("--\(name) \(text): expected YYYY-MM-DD HH:MM:SS") }
                let time = ZKLocalTime(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
                guard time.isValidDate else { fail("--\(name) \(text) is not a time that exists") }
                return time
            }
            let (start, end) = (time(from, "from"), time(to, "to"))
            guard start <= end else { fail("--from \(from) is after --to \(to)") }
            let before = await reporting { try await push.store.punchCount() }
            let record = await push.run(.queryAttendance(from: start, to: end), purpose: "countergate terminal fill-gap")
            let after = await reporting { try await push.store.punchCount() }
            switch record.returnCode ?? 0 {
            case 0...: printLine("push terminal \(push.serial) uploaded its punches of \(start) … \(end): \(after - before) were new")
            case -1: printLine("push terminal \(push.serial) has no punches from \(start) to \(end)")
            default: fail("push terminal \(push.serial) refused the query: \(PushCommandResult.meaning(of: record.returnCode ?? 0))")
            }
        }
    }

    /// Lines of push uploads that could not be read.
    struct Quarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lines of push terminals' uploads that could not be read, kept with their raw bytes; mark them reviewed once dealt with.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this terminal's serial number.") var serial: String?
        @Flag(help: "Include lines already reviewed.") var all = false
        @Option(parsing: .upToNextOption, help: "Mark these ids reviewed.") var review: [Int64] = []
        @Option(help: "What was done about them (with --review), for the audit log.") var note: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            if !review.isEmpty {
                guard let note, !note.isEmpty else { fail("--review needs --note saying what was done (e.g. \"punch entered by hand\")") }
                let marked = await reporting { try await store.reviewPushQuarantine(ids: review, actor: DevicesCommand.actor(nil), note: note, at: commandClock.now()) }
                printLine("\(marked) line(s) marked reviewed")
                return
            }
            let lines = await reporting { try await store.pushQuarantine(serial: serial, includeReviewed: all) }
            if json {
                printJSON(lines.map { ["id": String($0.id), "serial": $0.serial, "table": $0.table, "line": String($0.lineNumber), "raw": $0.rawText,
                                       "reason": $0.reason, "received": DevicesCommand.time($0.receivedAt)] })
                return
            }
            if lines.isEmpty { printLine("no quarantined lines\(all ? "" : " waiting for review")") }
            for line in lines {
                printLine("\(line.id)\t\(DevicesCommand.time(line.receivedAt))\t\(line.serial)\t\(line.table) line \(line.lineNumber)\t\(line.reason)\n\t\(line.rawText)"
                          + (line.reviewedBy.map { "\n\treviewed by \($0)" } ?? ""))
            }
        }
    }
}
