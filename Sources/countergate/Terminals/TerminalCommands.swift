// `countergate terminal ...`: work with a fingerprint terminal by its configured role or its address.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway
import ZKTerminal

struct TerminalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminal",
        abstract: "Fingerprint attendance terminals (考勤机): over the pull protocol (port 4370), or calling the gateway (push).",
        discussion: "Name the terminal by its configured role (--role entrance-terminal) or by --address tcp://HOST:4370 (push:SERIAL).",
        subcommands: [Info.self, Users.self, Logs.self, Sync.self, Time.self, Watch.self, Backup.self, Restore.self,
                      Approve.self, Commands.self, Send.self, FillGap.self, Quarantine.self])  // TerminalPushCommands.swift

    struct Target: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: "The terminal's role in the configuration.") var role: String?
        @Option(help: ArgumentHelp("The terminal's address: tcp://HOST:PORT, udp://HOST:PORT or push:SERIAL.", valueName: "address")) var address: String?
        @Option(help: "The comm key (通讯密码), when not taken from the configuration.") var commKey: UInt32?
        @Option(help: "Seconds to wait for each reply.") var timeout: Int = 5

        func validate() throws {
            guard (role == nil) != (address == nil) else { throw ValidationError("name the terminal with either --role or --address") }
        }

        /// The device the role is bound to (for --role: the configured one unless ops replaced it), or one made up
        /// from --address.
        func device() async -> (HallConfiguration, HallConfiguration.Device) {
            let config = global.loadConfiguration(allowDefaults: true)
            if let role {
                guard let device = config.devices.first(where: { $0.kind == .terminal && ($0.role == role || $0.id == role) }) else {
                    let known = config.devices.filter { $0.kind == .terminal }.map(\.role)
                    fail("no terminal with role \(role) in the configuration" + (known.isEmpty ? "" : "; terminals: " + known.joined(separator: ", ")))
                }
                var chosen = device
                if let commKey { chosen.commKey = commKey }
                // After `countergate devices replace`, the role means the new terminal.
                if let binding = try? await openStoreForTools(config).roleBinding(device.role), let id = binding.deviceID,
                   let bound = binding.device, id != device.id, let link = bound.link {
                    chosen.id = id
                    chosen.rebind(to: link, address: bound.address)
                    chosen.serialNumber = bound.serialNumber
                }
                return (config, chosen)
            }
            let address = self.address ?? ""
            let link: DeviceLink
            do { link = try DeviceLink(parsing: address, kind: .terminal) } catch { fail("--address: \(error)") }
            return (config, HallConfiguration.Device(id: address, kind: .terminal, role: address, profile: TerminalProfile.genericPull, link: link,
                                                     serialNumber: nil, windows: [], commKey: commKey ?? 0))
        }

        func sync() async -> TerminalSync {
            var (config, device) = await device()
            config.attendance.replyTimeoutSeconds = timeout
            let store = openStoreForTools(config)
            return (try? TerminalSync(device: device, settings: config.attendance, store: store, clock: commandClock,
                                      logger: global.makeLogger())) ?? { fail("terminal \(device.id): address \(device.address) is not usable") }()
        }

        /// A connected client, or exit with the reason.
        func connectedClient() async -> ZKClient {
            let client = await sync().makeClient()
            await reporting { try await client.connect() }
            return client
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serial number, firmware and record counts.")
        @OptionGroup var target: Target
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if let push = await target.push() { return await push.info(json: json) }
            let client = await target.connectedClient()
            let info = await reporting { try await client.deviceInfo() }
            await client.disconnect()
            if json { printJSON(info); return }
            printLine("""
                serial number: \(info.serialNumber)
                firmware:      \(info.firmware)
                platform:      \(info.platform)
                name:          \(info.deviceName)
                users:         \(info.users)
                fingerprints:  \(info.fingers)
                records:       \(info.records) of \(info.recordCapacity)
                """)
        }
    }

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The users enrolled on the terminal.")
        @OptionGroup var target: Target
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if let push = await target.push() { return await push.users(json: json) }
            let client = await target.connectedClient()
            let users = await reporting { try await client.users() }
            await client.disconnect()
            if json { printJSON(users); return }
            for user in users { printLine("\(user.userID)\t\(user.name)\tuid \(user.uid)\tprivilege \(user.privilege)\(user.card > 0 ? "\tcard \(user.card)" : "")") }
            printLine("\(users.count) users")
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download the attendance records (without storing them; `sync` stores).")
        @OptionGroup var target: Target
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if let push = await target.push() { return await push.logs(json: json, days: 7) }
            let client = await target.connectedClient()
            let records = await reporting { try await client.attendance(progress: progressBar("downloading")) }
            await client.disconnect()
            if json {
                printJSON(records.map { ["user_id": $0.userID, "time": $0.time.description, "verify": "\($0.verifyType)", "state": "\($0.state)"] })
                return
            }
            for r in records { printLine("\(r.userID)\t\(r.time)\tverify \(r.verifyType)\tstate \(r.state)") }
            printLine("\(records.count) records")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download every record and store the new ones (a re-run stores nothing twice; the keypad is locked only while the terminal snapshots its log).")
        @OptionGroup var target: Target

        func run() async throws {
            if let push = await target.push() { return await push.sync() }
            let sync = await target.sync()
            let client = sync.makeClient()
            let report = await reporting {
                try await client.connect()
                return try await sync.pull(client, progress: progressBar("downloading"))
            }
            await client.disconnect()
            printLine("\(report.device) (serial \(report.serialNumber)): \(report.records) records, \(report.inserted) new, "
                      + "\(report.alreadyStored) already stored, \(report.flagged) flagged for review; \(report.logRecords) in its log"
                      + (report.disabledSeconds.map { String(format: "; keypad locked %.0f ms", $0 * 1000) } ?? ""))
            if abs(report.clockDrift) > TimeInterval(sync.settings.maxClockDriftSeconds) {
                printLine("the terminal's clock is \(Int(abs(report.clockDrift).rounded())) s \(report.clockDrift > 0 ? "ahead" : "behind"): correct it with `countergate terminal time set`")
            }
        }
    }

    struct Time: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read or set the terminal's clock.", subcommands: [Get.self, Set.self])

        struct Get: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the terminal's clock and how far it is from this machine's.")
            @OptionGroup var target: Target

            func run() async throws {
                if let push = await target.push() { push.time() }
                let client = await target.connectedClient()
                let time = await reporting { try await client.time() }
                await client.disconnect()
                let drift = (time.instant(in: HallTime.chinaStandardTime) ?? commandClock.now()).timeIntervalSinceNow
                printLine("\(time) (terminal), \(Int(drift.rounded())) s from this machine's clock")
            }
        }

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Set the terminal's clock (default: this machine's time, in the hall's zone).")
            @OptionGroup var target: Target
            @Option(help: ArgumentHelp("The time to set, as YYYY-MM-DD HH:MM:SS (hall time).", valueName: "time")) var to: String?

            func run() async throws {
                let time: ZKLocalTime
                if let to {
                    let parts = to.split(whereSeparator: { "- :T".contains($0) }).compactMap { Int($0) }
                    guard parts.count == 6 else { fail("--to \(to): expected YYYY-MM-DD HH:MM:SS") }
                    time = ZKLocalTime(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
                    guard time.isValidDate, (2000...2099).contains(time.year) else { fail("--to \(to) is not a time the terminal can hold (2000-2099)") }
                } else {
                    time = ZKLocalTime(commandClock.now(), in: HallTime.chinaStandardTime)
                }
                if let push = await target.push() { push.time() }
                let client = await target.connectedClient()
                await reporting { try await client.setTime(time) }
                let now = await reporting { try await client.time() }
                await client.disconnect()
                printLine("terminal clock set; it now reads \(now)")
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print live punches as staff clock in (Ctrl-C stops).")
        @OptionGroup var target: Target

        func run() async throws {
            if let push = await target.push() { return await push.watch() }
            let client = await target.connectedClient()
            printLine("watching; clock in at the terminal (Ctrl-C stops)")
            await reporting {
                try await client.watchAttendance { event in
                    printLine("\(event.time)\tuser \(event.userID)\tverify \(event.verifyType)\tstate \(event.state)")
                }
            }
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save the terminal's users and fingerprint templates to a file.")
        @OptionGroup var target: Target
        @Option(help: ArgumentHelp("The backup file (JSON).", valueName: "file")) var output: String

        func run() async throws {
            if let push = await target.push() { return await push.backup(output: output) }
            let client = await target.connectedClient()
            let users = await reporting { try await client.users() }
            let templates = await reporting { try await client.templates(progress: progressBar("templates")) }
            let info = await reporting { try await client.deviceInfo() }
            await client.disconnect()
            let backup = TerminalBackup(serialNumber: info.serialNumber, firmware: info.firmware, takenAt: commandClock.now(), users: users, templates: templates)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            do { try encoder.encode(backup).write(to: URL(fileURLWithPath: output)) } catch { fail("cannot write \(output): \(error.localizedDescription)") }
            printLine("\(users.count) users and \(templates.count) fingerprint templates of \(info.serialNumber) saved to \(output)")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write users and fingerprint templates from a backup file to the terminal, then check the counts.")
        @OptionGroup var target: Target
        @Option(help: ArgumentHelp("The backup file (JSON) written by `terminal backup`.", valueName: "file")) var input: String
        @Option(help: "The user record layout of the terminal: 72 (current firmware) or 28 (old ZK6).") var layout: Int = 72

        func run() async throws {
            guard let userLayout = ZKUserLayout(rawValue: layout) else { fail("--layout must be 72 or 28") }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let data = FileManager.default.contents(atPath: input), let backup = try? decoder.decode(TerminalBackup.self, from: data) else {
                fail("\(input) is not a terminal backup written by `countergate terminal backup`")
            }
            if let push = await target.push() { return await push.restore(backup) }
            let client = await target.connectedClient()
            await reporting { try await client.restore(users: backup.users, layout: userLayout, templates: backup.templates, progress: progressBar("restoring")) }
            let sizes = await reporting { try await client.freeSizes() }
            await client.disconnect()
            printLine("restored \(backup.users.count) users and \(backup.templates.count) templates; the terminal now holds \(sizes.users) users and \(sizes.fingers) templates")
            if sizes.users < backup.users.count || sizes.fingers < backup.templates.count {
                fail("the terminal holds fewer users or templates than the backup: restore again, or check the terminal's capacity")
            }
        }
    }
}

/// A terminal's users and fingerprints, as `terminal backup` saves them.
struct TerminalBackup: Codable {
    let serialNumber: String
    let firmware: String
    let takenAt: Date
    let users: [ZKUser]
    let templates: [ZKFingerprintTemplate]
}

/// Opens the store for a one-off tool command, or exits with the reason.
func openStoreForTools(_ config: HallConfiguration) -> HallStore {
    do {
        let store = try GatewayRuntime.openStore(config)
        return store
    } catch { fail("\(error)") }
}

/// A progress line on standard error for long downloads (only on a terminal).
func progressBar(_ label: String) -> ZKProgress {
    let interactive = isatty(STDERR_FILENO) == 1
    return { done, total in
        guard interactive, total > 0 else { return }
        let percent = done * 100 / total
        let line = "\r\(label): \(percent)% (\(done / 1024) of \(total / 1024) KiB)" + (done == total ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    printLine(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
}
