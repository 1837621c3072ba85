// Replacing a failed device: bind the role to a candidate (or a network device named by its address); for a
// terminal, restore the users and fingerprints of the gateway's latest backup first and check the counts.
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import ZKTerminal

/// A replacement that cannot be done, said so ops know what to do.
public struct ReplacementError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// What a replacement did.
public struct ReplacementReport: Sendable {
    public let rebinding: RoleRebinding
    /// The restore onto a replacement terminal, when one ran to the end.
    public let restore: TerminalRestoreReport?
    /// What went wrong after the device was chosen (the binding is made all the same), with what to do; nil when all
    /// went well.
    public let problem: String?
}

/// The replacement workflow behind `countergate devices replace`.
public struct DeviceReplacement: Sendable {
    public struct Options: Sendable {
        /// Who replaces, for the audit log (`ops:wang`).
        public var actor: String
        /// The profile of a device named by its address (default: the profile of the device it replaces).
        public var profile: String?
        /// Restore the latest backup onto a replacement terminal (default). Without it the terminal is bound empty.
        public var restore: Bool
        /// The terminal's user record layout (72 bytes on current firmware, 28 on old ZK6).
        public var layout: ZKUserLayout
        /// Restore the users without their fingerprint templates (when the new terminal's fingerprint algorithm differs).
        public var usersOnly = false

        public init(actor: String, profile: String? = nil, restore: Bool = true, layout: ZKUserLayout = .zk8, usersOnly: Bool = false) {
            self.usersOnly = usersOnly
            self.actor = actor
            self.profile = profile
            self.restore = restore
            self.layout = layout
        }
    }

    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock
    public let logger: Logger

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger) {
        self.config = config
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Binds `role` to the device `target` names: a device id from `countergate devices candidates`, or an address
    /// (`tcp://10.0.0.9:4370` for a terminal, `tcp://10.0.3.9:9100` for a network printer, `serial:/dev/ttyUSB1`).
    /// - Parameter say: told of each step (and of the restore's progress) for ops to read.
    public func replace(role: String, with target: String, options: Options, say: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ReplacementReport {
        guard let binding = try await store.roleBinding(role) else {
            throw DeviceBindingError.unknownRole(role, known: try await store.roleBindings().map(\.role))
        }
        let configured = config.devices.first { $0.role == role }
        // Without a backup there is nothing to restore: say so before touching the new terminal.
        var terminalBackup: TerminalBackupRecord?
        if binding.kind == .terminal && options.restore {
            guard let found = try await store.latestTerminalBackup(role: role) else {
                throw ReplacementError(description: """
                    there is no backup of \(role) in the store, so the new terminal cannot be given its users and fingerprints. \
                    If the old terminal still answers, take one first: countergate devices backup \(role). Or restore from a file \
                    afterwards (countergate terminal restore --role \(role) --input FILE). To bind the new terminal empty \
                    (staff enrol again), add --no-restore
                    """)
            }
            terminalBackup = found
        }
        let device = try await resolve(target, for: binding, configured: configured, options: options, say: say)
        guard device.identity.kind == binding.kind else {
            throw DeviceBindingError.kindMismatch(role: role, roleKind: binding.kind, device: device.id, deviceKind: device.identity.kind)
        }
        if let other = device.role, other != role { throw DeviceBindingError.servesAnotherRole(device: device.id, role: other) }
        if device.presence == .absent {
            throw ReplacementError(description: "\(device.id) is unplugged (last seen \(Self.format(device.lastSeen))): plug it in and check "
                                   + "`countergate devices candidates` lists it, then run this command again")
        }

        var restore: TerminalRestoreReport?
        var problem: String?
        // The new terminal's model (drivers/terminals) says whether the backup fits on it; an unknown model is not checked.
        if let backup = terminalBackup, let model = (try? TerminalModels.load(config))??[device.identity.profile],
           let tooMany = model.capacityProblem(users: backup.userCount, fingerprints: backup.templateCount) {
            say("warning: \(tooMany); the restore goes ahead, and the read-back shows what the terminal kept")
        }
        if let backup = terminalBackup, let serial = device.identity.link?.pushSerial {  // a push terminal: through its command queue
            try await queuePushRestore(backup, serial: serial, role: role, device: device, actor: options.actor, say: say)
        } else if let backup = terminalBackup {
            say("restoring backup \(backup.id) of \(role) (taken \(Self.format(backup.takenAt)) from \(backup.deviceID), serial \(backup.serialNumber)): "
                + "\(backup.userCount) users, \(backup.templateCount) fingerprint templates")
            do {
                let report = try await restoreBackup(backup, onto: device, configured: configured, layout: options.layout,
                                                     usersOnly: options.usersOnly, say: say)
                restore = report
                if report.countsMatch {
                    say("verified: the terminal holds \(report.terminalUsers) users and \(report.terminalTemplates) templates, as the backup")
                } else {
                    problem = """
                        the new terminal holds \(report.terminalUsers) users and \(report.terminalTemplates) fingerprint templates, \
                        the backup \(report.backupUsers) and \(report.backupTemplates). The role is bound to it all the same. \
                        If it held users before, clear it (menu: 数据管理 → 删除全部数据) and run this command again; if it holds fewer, \
                        check its capacity (countergate terminal info --address \(device.identity.address)) and run this command again
                        """
                }
                try await store.audit(at: clock.now(), actor: options.actor, action: "terminal.restored", subject: role,
                                      detail: "backup \(backup.id) onto \(device.id): \(report.backupUsers) users, \(report.backupTemplates) templates; "
                                          + "read back \(report.terminalUsers) users, \(report.terminalTemplates) templates")
            } catch let error as ReplacementError {
                throw error
            } catch let error as TerminalBackupError {
                // Refused before anything was written (a fingerprint algorithm that differs): nothing is bound.
                throw ReplacementError(description: error.description)
            } catch {
                problem = "the restore onto \(device.id) failed: \(error). The role is bound to it all the same; check the terminal is on and reachable, then run this command again to restore"
            }
        }

        let isConfigured = configured.map { $0.id == device.id } ?? false
        let rebinding = try await store.bindRole(role, to: device.id, actor: options.actor, boundBy: isConfigured ? "config" : options.actor, at: clock.now())
        if let problem { logger.error("replacement needs attention", metadata: ["role": "\(role)", "device": "\(device.id)", "problem": "\(problem)"]) }
        return ReplacementReport(rebinding: rebinding, restore: restore, problem: problem)
    }

    /// The device a target names, registering a device named by its address.
    func resolve(_ target: String, for binding: RoleBinding, configured: HallConfiguration.Device?, options: Options,
                 say: @Sendable (String) -> Void) async throws -> KnownDevice {
        let target = target.trimmingCharacters(in: .whitespaces)
        if let known = try await store.knownDevice(id: target) { return known }
        guard target.contains(":") || target.hasPrefix("/") else {
            let fitting = try await store.deviceCandidates().filter { $0.identity.kind == binding.kind }.map(\.id)
            throw ReplacementError(description: "no device \(target). "
                + (fitting.isEmpty ? "There is no \(binding.kind.rawValue) candidate: plug the new device in and run `countergate devices candidates`, "
                    + "or name a network device by its address (tcp://HOST:PORT)"
                   : "\(binding.kind.rawValue) candidates: " + fitting.joined(separator: ", ")))
        }
        let profile = options.profile ?? binding.device?.profile ?? configured?.profile ?? ""
        // The address ops typed, parsed by the device model for the role's kind.
        let link: DeviceLink
        do { link = try DeviceLink(parsing: target, kind: binding.kind) } catch { throw ReplacementError(description: "\(error)") }
        let identity: DeviceIdentity
        let identityKey: String
        let suggestedID: String
        switch link {
        case .pushTerminal(let serial):  // a terminal that calls the gateway, known by its serial
            (identity, identityKey, suggestedID) = try Self.pushTerminal(target, serial: serial, profile: options.profile, say: say)
        case .pullTerminal(let endpoint):
            say("asking the terminal at \(target) who it is")
            let client = ZKClient(.init(endpoint: endpoint, commKey: configured?.commKey ?? 0, replyTimeout: .seconds(config.attendance.replyTimeoutSeconds),
                                        deviceName: "new terminal (\(target))"), logger: logger)
            let info: ZKDeviceInfo
            do {
                try await client.connect()
                info = try await client.deviceInfo()
                await client.disconnect()
            } catch {
                await client.disconnect()
                throw ReplacementError(description: "the terminal at \(target) does not answer: \(error). Check it is on, on the hall network, "
                                       + "and set to the comm key (通讯密码) the configuration gives \(binding.role)")
            }
            say("it is \(info.deviceName.isEmpty ? "a terminal" : info.deviceName), serial \(info.serialNumber), firmware \(info.firmware), "
                + "holding \(info.users) users and \(info.fingers) templates")
            let serial = DeviceMatcher.usable(info.serialNumber)
            identity = DeviceIdentity(kind: .terminal, profile: profile.isEmpty ? TerminalProfile.genericPull : profile, serialNumber: serial, address: target)
            identityKey = serial.map { "\(identity.profile)#serial=\($0)" } ?? "\(identity.profile)@\(target)"
            suggestedID = DeviceMatcher.idSafe("terminal-" + (serial ?? "\(endpoint.host)-\(endpoint.port)"))
        case .printer(let address):
            let profiles: PrinterProfileSet
            do { profiles = try PrinterProfiles.load(directory: config.printing.profilesDirectory) } catch {
                throw ReplacementError(description: "printer profiles in \(config.printing.profilesDirectory) cannot be read: \(error)")
            }
            guard profiles[profile] != nil else {
                throw ReplacementError(description: "no printer profile \"\(profile)\"; name the new printer's model with --profile (one of: "
                                       + profiles.profiles.map(\.id).joined(separator: ", ") + ")")
            }
            identity = DeviceIdentity(kind: .printer, profile: profile, serialNumber: nil, address: address.description)
            identityKey = "\(profile)@\(address.description)"
            let place: String = if case .tcp(let host, let port) = address { "\(host):\(port)" } else { address.description }
            suggestedID = DeviceMatcher.idSafe("\(profile)-" + place)
        case .reader:
            let profiles: [ReaderProfile]
            do { profiles = try ReaderProfiles.load(directory: config.badges.profilesDirectory) } catch {
                throw ReplacementError(description: "reader profiles in \(config.badges.profilesDirectory) cannot be read: \(error)")
            }
            guard profiles.contains(where: { $0.id == profile }) else {
                throw ReplacementError(description: "no reader profile \"\(profile)\"; name the new reader's model with --profile (one of: "
                                       + profiles.map(\.id).joined(separator: ", ") + ")")
            }
            identity = DeviceIdentity(kind: .badgeReader, profile: profile, serialNumber: nil, address: target)
            identityKey = "\(profile)@\(target)"
            suggestedID = DeviceMatcher.idSafe("\(profile)-" + (target as NSString).lastPathComponent)
        }
        let id = try await store.registerDevice(suggestedID: suggestedID, identityKey: identityKey, identity: identity, at: clock.now())
        guard let device = try await store.knownDevice(id: id) else { throw DeviceBindingError.unknownDevice(id) }
        say("registered \(id) (\(identity.profile) at \(identity.address))")
        return device
    }

    /// Restores `backup` onto the terminal `device`, reading back what it holds.
    func restoreBackup(_ backup: TerminalBackupRecord, onto device: KnownDevice, configured: HallConfiguration.Device?, layout: ZKUserLayout,
                       usersOnly: Bool = false, say: @escaping @Sendable (String) -> Void) async throws -> TerminalRestoreReport {
        guard let endpoint = device.identity.link?.terminalEndpoint else {
            throw ReplacementError(description: "\(device.id) is at \(device.identity.address), which is not a terminal address (tcp://HOST:4370)")
        }
        let client = ZKClient(.init(endpoint: endpoint, commKey: configured?.commKey ?? 0, replyTimeout: .seconds(config.attendance.replyTimeoutSeconds),
                                    deviceName: "\(device.id) (\(device.identity.address))"), logger: logger)
        let quarters = QuarterLog()
        do {
            try await client.connect()
            if TerminalBackups.fingerprintVersion(of: backup) == nil && !usersOnly && backup.templateCount > 0 {
                say("warning: backup \(backup.id) is older than CounterGate's record of fingerprint versions; its templates go on unchecked. "
                    + "If staff cannot punch, take a new backup or run this command again with --users-only")
            }
            let report = try await TerminalBackups.restore(backup, to: client, layout: layout, usersOnly: usersOnly) { done, total in
                let percent = total == 0 ? 100 : done * 100 / total
                if quarters.crossed(percent) { say("restoring: \(percent)% (\(done / 1024) of \(total / 1024) KiB)") }
            }
            await client.disconnect()
            return report
        } catch {
            await client.disconnect()
            throw error
        }
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = HallTime.chinaStandardTime
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
