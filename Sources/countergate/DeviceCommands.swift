// `countergate devices ...`: candidates found by discovery, replacing a failed device, terminal backups.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import ZKTerminal

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Devices and the roles they serve: candidates, replacing a failed device, terminal backups.",
        discussion: """
            A role (window-1-printer, entrance-terminal) is what the hall talks to; replacing hardware is binding the role \
            to another device. The gateway looks for plugged-in devices every few seconds and lists those bound to no role \
            as candidates. Step by step: docs/operations.md, "Replace a printer" and "Replace a terminal".
            """,
        subcommands: [List.self, Candidates.self, Replace.self, Backup.self, Scan.self])

    /// Who is acting, for the audit log: `ops:<login>` unless --actor says otherwise.
    static func actor(_ given: String?) -> String {
        if let given, !given.isEmpty { return given.contains(":") ? given : "ops:\(given)" }
        let environment = ProcessInfo.processInfo.environment
        return "ops:" + (environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "unknown")
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = HallTime.chinaStandardTime
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    // MARK: - candidates

    struct Candidates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the devices bound to no role (candidates for a replacement), and the roles whose device is offline.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Scan for devices now (the running gateway rescans every few seconds by itself).") var scan = false
        @Flag(help: "Include candidates that were unplugged.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            if scan {
                let logger = global.makeLogger()
                let (catalog, problems) = DeviceCatalog.load(config)
                for problem in problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
                let report = await reporting {
                    try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock)
                    return try await DeviceDiscovery(store: store, catalog: catalog, clock: commandClock, logger: logger).pass()
                }
                for problem in report.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
            }
            let candidates = await reporting { try await store.deviceCandidates(includingAbsent: all) }
            let failed = await reporting { try await store.roleBindings() }.filter { $0.deviceID != nil && $0.power == .offline }
            if json {
                printJSON(candidates.map { CandidateJSON($0) })
                return
            }
            for role in failed {
                printLine("role \(role.role) (\(role.kind.chineseName)): its device \(role.deviceID ?? "-") is offline")
            }
            if candidates.isEmpty {
                printLine("""
                    no candidates: plug the new device in (the gateway rescans every \(config.discovery.rescanIntervalSeconds) s; \
                    `countergate devices candidates --scan` looks now), or name a network device by its address: \
                    countergate devices replace <role> --with tcp://HOST:PORT
                    """)
                return
            }
            printLine("ID\tKIND\tPROFILE\tSERIAL\tADDRESS\tFIRST SEEN\tLAST SEEN\tNOTE")
            for device in candidates {
                var notes: [String] = []
                if device.presence == .absent { notes.append("unplugged") }
                if let role = device.proposedFor { notes.append("proposed for \(role)") }
                if device.origin == .ops { notes.append("named by address") }
                printLine([device.id, device.identity.kind.rawValue, device.identity.profile, device.identity.serialNumber ?? "-",
                           device.identity.address, DevicesCommand.time(device.firstSeen), DevicesCommand.time(device.lastSeen),
                           notes.joined(separator: "; ")].joined(separator: "\t"))
            }
            if let proposed = candidates.first(where: { $0.proposedFor != nil }), let role = proposed.proposedFor {
                printLine("to bind the proposed device: countergate devices replace \(role) --with \(proposed.id)")
            }
        }
    }

    struct CandidateJSON: Encodable {
        let id, kind, profile, address, origin: String
        let serialNumber: String?
        let present: Bool
        let firstSeen, lastSeen: Date
        let proposedFor: String?

        init(_ device: KnownDevice) {
            id = device.id
            kind = device.identity.kind.rawValue
            profile = device.identity.profile
            address = device.identity.address
            origin = device.origin.rawValue
            serialNumber = device.identity.serialNumber
            present = device.presence != .absent
            firstSeen = device.firstSeen
            lastSeen = device.lastSeen
            proposedFor = device.proposedFor
        }
    }

    // MARK: - replace

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind a role to another device: a candidate, or a network device named by its address.",
            discussion: """
                Printer role: the role's waiting print jobs print on the new printer, once; the running gateway switches \
                within a second. Terminal role: the users and fingerprint templates of the gateway's latest backup are \
                written to the new terminal, read back and counted. Badge reader role: the binding only. Every binding is \
                in the audit log with who made it and the old and new device.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The role, as the configuration names it (window-1-printer, entrance-terminal).") var role: String
        @Option(name: .customLong("with"), help: ArgumentHelp(
            "A candidate's id (countergate devices candidates), or a network device's address: tcp://HOST:4370 (terminal), tcp://HOST:9100 (printer).",
            valueName: "candidate-id|address")) var with: String
        @Option(help: "The model profile of a device named by its address (default: the profile of the device it replaces).") var profile: String?
        @Flag(name: .customLong("no-restore"), help: "Terminal: bind without restoring users and templates (staff enrol again).") var noRestore = false
        @Flag(name: .customLong("users-only"), help: "Terminal: restore the users without their fingerprint templates (when the new terminal's fingerprint algorithm differs from the backup's; staff enrol their fingers again).") var usersOnly = false
        @Option(help: "Terminal: the user record layout, 72 (current firmware) or 28 (old ZK6).") var layout: Int = 72
        @Option(help: "Who replaces, for the audit log (default: ops:<your login>).") var actor: String?

        func run() async throws {
            guard let userLayout = ZKUserLayout(rawValue: layout) else { fail("--layout must be 72 or 28") }
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let logger = global.makeLogger()
            let actor = DevicesCommand.actor(self.actor)
            await reporting { try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock) }
            let replacement = DeviceReplacement(config: config, store: store, clock: commandClock, logger: logger)
            let report = await reporting {
                try await replacement.replace(role: role, with: with, options: .init(actor: actor, profile: profile, restore: !noRestore, layout: userLayout, usersOnly: usersOnly),
                                              say: { printLine($0) })
            }
            let rebinding = report.rebinding
            func describe(_ device: KnownDevice) -> String {
                "\(device.id) (\(device.identity.profile) at \(device.identity.address)" + (device.identity.serialNumber.map { ", serial \($0)" } ?? "") + ")"
            }
            if rebinding.changed {
                printLine("\(role) is now bound to \(describe(rebinding.device)); it was \(rebinding.previous.map(describe) ?? "bound to no device"). Audited as \(actor).")
            } else {
                printLine("\(role) was already bound to \(describe(rebinding.device)); the binding is unchanged.")
            }
            switch rebinding.kind {
            case .printer:
                printLine(rebinding.waitingJobs == 0
                          ? "no print jobs were waiting for \(role)."
                          : "\(rebinding.waitingJobs) print job(s) of \(role) print on the new printer once the running gateway notices (within a second); `countergate jobs list` shows them.")
            case .terminal:
                if let restore = report.restore {
                    printLine("restored backup \(restore.backupID): \(restore.backupUsers) users and \(restore.backupTemplates) templates; "
                              + "the terminal holds \(restore.terminalUsers) users and \(restore.terminalTemplates) templates.")
                } else if noRestore {
                    printLine("nothing restored (--no-restore): staff enrol their fingerprints on the new terminal.")
                }
                printLine("the running gateway reads the new terminal within a second; set its clock with `countergate terminal time set --role \(role)` if it is off.")
            case .badgeReader:
                printLine("a reader of the same USB model is read at once; a serial reader on another port is read after the gateway restarts (systemctl restart countergate).")
            }
            if let problem = report.problem { fail(problem) }
        }
    }

    // MARK: - backup

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up a terminal role's users and fingerprint templates into the store now (the gateway also does it on a schedule).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The terminal role (entrance-terminal).") var role: String
        @Flag(help: "List the backups kept instead of taking one.") var list = false
        @Option(help: "Who takes it, for the audit log (default: ops:<your login>).") var actor: String?

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            if list {
                let backups = await reporting { try await store.terminalBackups(role: role) }
                if backups.isEmpty { printLine("no backups of \(role); take one with `countergate devices backup \(role)`"); return }
                for backup in backups {
                    printLine("\(backup.id)\t\(DevicesCommand.time(backup.takenAt))\t\(backup.deviceID)\tserial \(backup.serialNumber)\t"
                              + "\(backup.userCount) users\t\(backup.templateCount) templates\tby \(backup.takenBy)")
                }
                return
            }
            guard let configured = config.devices.first(where: { $0.role == role && $0.kind == .terminal }) else {
                let roles = config.devices.filter { $0.kind == .terminal }.map(\.role)
                fail("no terminal role \(role) in the configuration" + (roles.isEmpty ? "" : "; terminal roles: " + roles.joined(separator: ", ")))
            }
            await reporting { try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock) }
            let binding = await reporting { try await store.roleBinding(role) }
            let deviceID = binding?.deviceID ?? configured.id
            let address = binding?.device?.address ?? configured.address
            let link = binding?.device.map(\.link) ?? configured.link
            if let serial = link?.pushSerial {  // a push terminal: from the copy its uploads keep
                let record = await reporting {
                    try await TerminalBackups.takeFromPushCopy(role: role, deviceID: deviceID, serial: serial, takenBy: DevicesCommand.actor(actor),
                                                               keep: config.attendance.backupsKept, store: store, clock: commandClock)
                }
                printLine("backup \(record.id) of \(role): \(record.userCount) users and \(record.templateCount) fingerprint templates of push terminal \(serial), "
                          + "from what it uploaded; the store keeps the newest \(config.attendance.backupsKept)")
                return
            }
            guard let endpoint = link?.terminalEndpoint else { fail("terminal \(deviceID): \(address) is not tcp://HOST:PORT or udp://HOST:PORT") }
            let client = ZKClient(.init(endpoint: endpoint, commKey: configured.commKey, replyTimeout: .seconds(config.attendance.replyTimeoutSeconds),
                                        deviceName: "\(role) (\(address))"), logger: global.makeLogger())
            let record = await reporting {
                do {
                    try await client.connect()
                    let record = try await TerminalBackups.take(from: client, role: role, deviceID: deviceID, takenBy: DevicesCommand.actor(actor),
                                                                keep: config.attendance.backupsKept, store: store, clock: commandClock,
                                                                progress: progressBar("templates"))
                    await client.disconnect()
                    return record
                } catch {
                    await client.disconnect()
                    throw error
                }
            }
            printLine("backup \(record.id) of \(role): \(record.userCount) users and \(record.templateCount) fingerprint templates from \(deviceID) "
                      + "(serial \(record.serialNumber)); the store keeps the newest \(config.attendance.backupsKept)")
        }
    }

    // MARK: - scan

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look at USB, input nodes and serial ports once and show what the device profiles recognise (stores nothing).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let (catalog, catalogProblems) = DeviceCatalog.load(config)
            let scan = SystemHardwareScanner.scanNow()
            let match = DeviceMatcher.match(scan, catalog: catalog)
            let problems = catalogProblems + scan.problems
            if json {
                struct Output: Encodable {
                    let devices: [DiscoveredDevice]
                    let unmatched: [String]
                    let problems: [String]
                }
                printJSON(Output(devices: match.devices, unmatched: match.unmatched.map(\.description), problems: problems))
                return
            }
            if match.devices.isEmpty { printLine("no device of a known model is attached") }
            for device in match.devices {
                printLine("\(device.kind.rawValue)\t\(device.profile)\t\(device.address)\tidentity \(device.identityKey)"
                          + (device.nodes.isEmpty ? "" : "\tnodes " + device.nodes.joined(separator: ",")))
            }
            for other in match.unmatched { printLine("not recognised: \(other)") }
            for problem in problems { printLine("problem: \(problem)") }
        }
    }
}
