// Terminal backups: users and fingerprint templates into the store (on a schedule and on demand), and back onto a
// replacement terminal with the counts checked.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import ServiceLifecycle
import ZKTerminal

/// What a backup holds, as stored (JSON; templates as base64).
struct TerminalBackupPayload: Codable {
    struct Template: Codable {
        let uid: UInt16
        let finger: UInt8
        let valid: UInt8
        let data: Data
    }

    let users: [ZKUser]
    let templates: [Template]
    /// The source terminal's fingerprint algorithm version (`~ZKFPVersion`, 9 or 10); nil in backups taken before it was
    /// kept, and when the terminal did not say.
    var fingerprintVersion: Int?

    init(users: [ZKUser], templates: [ZKFingerprintTemplate], fingerprintVersion: Int? = nil) {
        self.fingerprintVersion = fingerprintVersion
        self.users = users
        self.templates = templates.map { Template(uid: $0.uid, finger: $0.fingerIndex, valid: $0.valid, data: Data($0.template)) }
    }

    var fingerprintTemplates: [ZKFingerprintTemplate] {
        templates.map { ZKFingerprintTemplate(uid: $0.uid, fingerIndex: $0.finger, valid: $0.valid, template: [UInt8]($0.data)) }
    }
}

/// A restore that ran, and what the terminal holds afterwards.
public struct TerminalRestoreReport: Sendable, Equatable {
    public let backupID: Int64
    public let backupTakenAt: Date
    /// What the backup holds.
    public let backupUsers: Int
    public let backupTemplates: Int
    /// What was read back from the terminal after the restore.
    public let terminalUsers: Int
    public let terminalTemplates: Int

    public var countsMatch: Bool { backupUsers == terminalUsers && backupTemplates == terminalTemplates }
}

/// Why a backup or restore did not happen.
public struct TerminalBackupError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

public enum TerminalBackups {
    /// Reads every user and template off a connected terminal and stores them as the role's newest backup (the
    /// oldest beyond `keep` are dropped).
    /// - Parameter progress: told of the template download (bytes done, total).
    public static func take(from client: ZKClient, role: String, deviceID: String, takenBy: String, keep: Int, store: HallStore,
                            clock: any HallClock, progress: ZKProgress? = nil) async throws -> TerminalBackupRecord {
        let info = try await client.deviceInfo()
        let users = try await client.users()
        let templates = try await client.templates(progress: progress)
        let version = await fingerprintVersion(of: client)
        let payload = try JSONEncoder().encode(TerminalBackupPayload(users: users, templates: templates, fingerprintVersion: version))
        return try await store.saveTerminalBackup(
            NewTerminalBackup(role: role, deviceID: deviceID, serialNumber: info.serialNumber, firmware: info.firmware, takenBy: takenBy,
                              userCount: users.count, templateCount: templates.count, payload: payload),
            keep: keep, at: clock.now())
    }

    /// The terminal's fingerprint algorithm version (`~ZKFPVersion`), nil when it does not say.
    public static func fingerprintVersion(of client: ZKClient) async -> Int? {
        (try? await client.option("~ZKFPVersion")).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The fingerprint algorithm version of the terminal a backup was taken from; nil for backups taken before it was kept.
    public static func fingerprintVersion(of record: TerminalBackupRecord) -> Int? {
        (try? JSONDecoder().decode(TerminalBackupPayload.self, from: record.payload))?.fingerprintVersion
    }

    /// Why templates of a `backup`-version terminal must not go onto a `target`-version one; nil when they may.
    public static func templateRefusal(backup: Int?, target: Int?, role: String, templates: Int) -> String? {
        guard templates > 0, let backup, let target, backup != target else { return nil }
        return "the backup of \(role) holds \(templates) fingerprint templates of ZKFinger \(backup) (~ZKFPVersion=\(backup)), the new terminal "
            + "uses ZKFinger \(target): templates of one algorithm do not match on the other, so staff could not punch. Nothing was written "
            + "to the terminal. Set the terminal to ZKFinger \(backup) (menu: 系统设置 → 指纹算法, where the model offers it) and run this "
            + "command again, or add --users-only to restore the users without their fingerprints (staff enrol their fingers again)"
    }

    /// The users and templates of a stored backup.
    public static func contents(of record: TerminalBackupRecord) throws -> (users: [ZKUser], templates: [ZKFingerprintTemplate]) {
        do {
            let payload = try JSONDecoder().decode(TerminalBackupPayload.self, from: record.payload)
            return (payload.users, payload.fingerprintTemplates)
        } catch {
            throw TerminalBackupError(description: "backup \(record.id) of \(record.role) cannot be read (\(error)); take a new one from a working terminal "
                                      + "(countergate devices backup \(record.role)) or restore from a file (countergate terminal restore)")
        }
    }

    /// Writes a backup's users and templates to a connected terminal, then reads them back and counts them.
    /// - Parameter progress: told of the upload (bytes done, total).
    /// - Parameter usersOnly: restore the users without their templates (the backup's fingerprint version differs).
    /// - Throws: ``TerminalBackupError`` before writing anything when the terminal's fingerprint version differs from the
    ///   backup's and `usersOnly` is false.
    public static func restore(_ record: TerminalBackupRecord, to client: ZKClient, layout: ZKUserLayout, usersOnly: Bool = false,
                               progress: ZKProgress? = nil) async throws -> TerminalRestoreReport {
        let (users, allTemplates) = try contents(of: record)
        if !usersOnly, let refusal = templateRefusal(backup: fingerprintVersion(of: record), target: await fingerprintVersion(of: client),
                                                     role: record.role, templates: allTemplates.count) {
            throw TerminalBackupError(description: refusal)
        }
        let templates = usersOnly ? [] : allTemplates
        try await client.restore(users: users, layout: layout, templates: templates, progress: progress)
        let readUsers = try await client.users()
        let readTemplates = try await client.templates()
        return TerminalRestoreReport(backupID: record.id, backupTakenAt: record.takenAt, backupUsers: record.userCount,
                                     backupTemplates: usersOnly ? 0 : record.templateCount, terminalUsers: readUsers.count, terminalTemplates: readTemplates.count)
    }
}

/// Backs up every configured terminal role on a schedule (`[attendance] backup_interval_hours`), from the device the
/// role is bound to now, so that a replacement terminal can be given the users and fingerprints of the old one.
///
/// It opens a connection of its own beside the terminal's sync; the terminal is disabled (keypad locked) while the
/// users and templates are read, a few seconds a day.
public struct TerminalBackupService: Service {
    public let config: HallConfiguration
    public let store: HallStore
    public let bindings: RoleBindings?
    public let clock: any HallClock
    public let logger: Logger

    public init(config: HallConfiguration, store: HallStore, bindings: RoleBindings?, clock: any HallClock, logger: Logger) {
        self.config = config
        self.store = store
        self.bindings = bindings
        self.clock = clock
        self.logger = logger
    }

    /// Runs the schedule until the gateway shuts down. With nothing to back up (no pull terminal, or
    /// `backup_interval_hours = 0`) it waits for the shutdown rather than returning, since a service that returns ends the
    /// gateway's whole service group.
    public func run() async throws {
        // A push terminal's backup is written from the gateway's copy its OPERLOG uploads keep (PushTerminalCopy).
        let roles = config.attendance.backupIntervalHours > 0 ? config.pullTerminals.map(\.role) : []
        await runUntilShutdown {
            await withTaskGroup(of: Void.self) { group in
                for role in roles { group.addTask { await schedule(role) } }
            }
        }
    }

    /// Takes the role's backup whenever the newest is older than the interval; after a failure, tries again sooner.
    func schedule(_ role: String) async {
        let interval = TimeInterval(config.attendance.backupIntervalHours * 3600)
        while !Task.isCancelled {
            var wait = interval
            do {
                let newest = try await store.terminalBackups(role: role).first
                let due = newest.map { $0.takenAt.addingTimeInterval(interval) } ?? .distantPast
                if due <= clock.now() {
                    try await backUp(role)
                } else {
                    wait = due.timeIntervalSince(clock.now())
                }
            } catch is CancellationError {
                return
            } catch {
                wait = min(interval, 900)
                logger.error("terminal backup failed; trying again later", metadata: [
                    "role": "\(role)", "error": "\(error)", "retry_in_s": "\(Int(wait))", "by_hand": "countergate devices backup \(role)"])
            }
            // The schedule's timer (hours), not a synchronisation.
            do { try await Task.sleep(for: .seconds(max(1, wait))) } catch { return }
        }
    }

    /// Takes one backup of the device `role` is bound to now.
    @discardableResult
    public func backUp(_ role: String) async throws -> TerminalBackupRecord {
        guard let device = bindings?.device(for: role) ?? config.devices.first(where: { $0.role == role && $0.kind == .terminal }) else {
            throw TerminalBackupError(description: "no terminal role \(role) in the configuration")
        }
        if let serial = device.link.pushSerial {  // a push terminal: written from the copy its uploads keep
            return try await TerminalBackups.takeFromPushCopy(role: role, deviceID: device.id, serial: serial, takenBy: "gateway",
                                                              keep: config.attendance.backupsKept, store: store, clock: clock)
        }
        guard let endpoint = device.link.terminalEndpoint else {
            throw TerminalBackupError(description: "terminal \(device.id) of role \(role): address \(device.address) is not tcp://HOST:PORT or udp://HOST:PORT")
        }
        let client = ZKClient(.init(endpoint: endpoint, commKey: device.commKey, replyTimeout: .seconds(config.attendance.replyTimeoutSeconds),
                                    deviceName: "\(role) (\(device.address))"), logger: logger)
        let record: TerminalBackupRecord
        do {
            try await client.connect()
            record = try await TerminalBackups.take(from: client, role: role, deviceID: device.id, takenBy: "gateway",
                                                    keep: config.attendance.backupsKept, store: store, clock: clock)
        } catch {
            await client.disconnect()
            throw error
        }
        await client.disconnect()
        logger.info("terminal backed up", metadata: ["role": "\(role)", "device": "\(device.id)", "users": "\(record.userCount)",
                                                     "templates": "\(record.templateCount)"])
        return record
    }
}
