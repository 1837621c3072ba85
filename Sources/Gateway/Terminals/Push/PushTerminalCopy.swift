// The gateway's copy of a push terminal role's users and fingerprints: kept current by OPERLOG `USER`/`FP` lines,
// written out as the role's terminal backup (what `devices replace` restores), and turned into commands that restore
// a backup onto a push terminal.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Synchronization
import ZKTerminal

/// Writes a role's copy as its newest terminal backup after it changed, at most once per `interval` per role (a
/// terminal uploading hundreds of users in many batches makes one backup, not one per batch).
public final class PushTerminalCopy: Sendable {
    let store: HallStore
    let clock: any HallClock
    let keep: Int
    let interval: TimeInterval
    let logger: Logger
    private let state = Mutex<[String: (device: String, serial: String, dirty: Bool, last: Date?)]>([:])

    init(store: HallStore, clock: any HallClock, keep: Int, interval: TimeInterval = 30, logger: Logger) {
        self.store = store
        self.clock = clock
        self.keep = keep
        self.interval = interval
        self.logger = logger
    }

    /// The role's copy changed (an OPERLOG upload was committed).
    func changed(role: String, deviceID: String, serial: String) {
        state.withLock { $0[role] = (deviceID, serial, true, $0[role]?.last) }
    }

    /// Writes the backups that are due (all changed ones with `force`, e.g. on shutdown).
    /// - Returns: the backups written.
    @discardableResult
    func flush(force: Bool = false) async -> [TerminalBackupRecord] {
        let now = clock.now()
        let due = state.withLock { state -> [(role: String, device: String, serial: String)] in
            var due: [(role: String, device: String, serial: String)] = []
            for (role, entry) in state where entry.dirty && (force || entry.last.map { now.timeIntervalSince($0) >= interval } ?? true) {
                state[role] = (entry.device, entry.serial, false, now)
                due.append((role, entry.device, entry.serial))
            }
            return due
        }
        var written: [TerminalBackupRecord] = []
        for entry in due.sorted(by: { $0.role < $1.role }) {
            do {
                written.append(try await Self.snapshot(role: entry.role, deviceID: entry.device, serial: entry.serial, store: store, keep: keep,
                                                       takenBy: "gateway (push OPERLOG)", at: now))
            } catch {
                state.withLock { $0[entry.role]?.dirty = true }
                logger.error("the push terminal's users could not be written as its backup; trying again", metadata: [
                    "role": "\(entry.role)", "error": "\(error)"])
            }
        }
        return written
    }

    /// Writes a role's copy as its newest backup now.
    static func snapshot(role: String, deviceID: String, serial: String, store: HallStore, keep: Int, takenBy: String, at: Date) async throws -> TerminalBackupRecord {
        let users = try await store.pushUsers(role: role)
        let templates = try await store.pushTemplates(role: role)
        let firmware = (try await store.pushTerminal(serial: serial))?.facts["FWVersion"] ?? "push terminal"
        let (zkUsers, zkTemplates) = backupContents(users: users, templates: templates)
        let payload = try JSONEncoder().encode(TerminalBackupPayload(users: zkUsers, templates: zkTemplates))
        return try await store.saveTerminalBackup(
            NewTerminalBackup(role: role, deviceID: deviceID, serialNumber: serial, firmware: firmware, takenBy: takenBy,
                              userCount: zkUsers.count, templateCount: zkTemplates.count, payload: payload),
            keep: keep, at: at)
    }

    /// The copy in the backup format shared with pull terminals: users numbered 1… in PIN order (the slot a pull
    /// terminal needs), templates linked to them by that number.
    public static func backupContents(users: [PushStoredUser], templates: [PushStoredTemplate]) -> ([ZKUser], [ZKFingerprintTemplate]) {
        var slot: [String: UInt16] = [:]
        var zkUsers: [ZKUser] = []
        for (index, user) in users.prefix(Int(UInt16.max) - 1).enumerated() {
            let uid = UInt16(index + 1)
            slot[user.pin] = uid
            zkUsers.append(ZKUser(uid: uid, privilege: UInt8(clamping: user.privilege), password: user.password, name: user.name,
                                  card: cardNumber(user.card), group: user.group, userID: user.pin))
        }
        let zkTemplates = templates.compactMap { template -> ZKFingerprintTemplate? in
            guard let uid = slot[template.pin] else { return nil }
            return ZKFingerprintTemplate(uid: uid, fingerIndex: UInt8(clamping: template.finger), valid: UInt8(clamping: template.valid),
                                         template: [UInt8](template.template))
        }
        return (zkUsers, zkTemplates)
    }

    /// A card as push terminals write it (decimal, or `[hex]` on some firmware) as the pull protocol's number.
    static func cardNumber(_ text: String) -> UInt32 {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " []"))
        if text.hasPrefix("[") { return UInt32(trimmed, radix: 16) ?? 0 }
        return UInt32(trimmed) ?? 0
    }

    /// The commands that put a backup's users and fingerprints on a push terminal: users first (a template needs its
    /// user), then templates.
    /// - Throws: ``PushDecodeError`` for a user whose name or fields hold a tab or line break (it cannot be sent).
    static func restoreCommands(users: [ZKUser], templates: [ZKFingerprintTemplate]) throws -> [PushCommand] {
        var pinOf: [UInt16: String] = [:]
        var commands: [PushCommand] = []
        for user in users {
            pinOf[user.uid] = user.userID
            commands.append(.updateUser(PushUserRecord(pin: user.userID, name: user.name, privilege: Int(user.privilege), password: user.password,
                                                       card: user.card == 0 ? "" : String(user.card), group: user.group, timeZone: "0")))
        }
        for template in templates {
            guard let pin = pinOf[template.uid] else { continue }
            commands.append(.updateTemplate(PushTemplateRecord(pin: pin, finger: Int(template.fingerIndex), valid: Int(template.valid), template: template.template)))
        }
        for command in commands { _ = try command.text() }
        return commands
    }
}

extension TerminalBackups {
    /// A push terminal role's backup, now: written from the gateway's copy of its users and fingerprints (kept by its
    /// uploads; the terminal cannot be dialled). Audited like any backup.
    public static func takeFromPushCopy(role: String, deviceID: String, serial: String, takenBy: String, keep: Int, store: HallStore,
                                        clock: any HallClock) async throws -> TerminalBackupRecord {
        try await PushTerminalCopy.snapshot(role: role, deviceID: deviceID, serial: serial, store: store, keep: keep, takenBy: takenBy, at: clock.now())
    }
}
