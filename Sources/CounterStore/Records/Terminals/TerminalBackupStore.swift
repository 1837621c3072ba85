// Terminal backups in the store: each terminal role's users and fingerprint templates, the last few kept.
import Foundation
import GRDB

/// One backup of a terminal's users and templates. The payload is opaque to the store (the gateway encodes it).
public struct TerminalBackupRecord: Sendable, Hashable {
    public let id: Int64
    /// The role the terminal served when the backup was taken.
    public let role: String
    public let deviceID: String
    public let serialNumber: String
    public let firmware: String
    public let takenAt: Date
    /// `gateway` (the schedule) or the ops actor (`countergate devices backup`).
    public let takenBy: String
    public let userCount: Int
    public let templateCount: Int
    /// The users and templates, as the gateway encoded them; empty in listings.
    public let payload: Data
}

/// A backup about to be stored.
public struct NewTerminalBackup: Sendable {
    public var role: String
    public var deviceID: String
    public var serialNumber: String
    public var firmware: String
    public var takenBy: String
    public var userCount: Int
    public var templateCount: Int
    public var payload: Data

    public init(role: String, deviceID: String, serialNumber: String, firmware: String, takenBy: String, userCount: Int, templateCount: Int, payload: Data) {
        self.role = role
        self.deviceID = deviceID
        self.serialNumber = serialNumber
        self.firmware = firmware
        self.takenBy = takenBy
        self.userCount = userCount
        self.templateCount = templateCount
        self.payload = payload
    }
}

extension HallStore {
    /// Stores a backup and drops the role's oldest beyond `keep`, in one transaction; audited.
    @discardableResult
    public func saveTerminalBackup(_ backup: NewTerminalBackup, keep: Int, at: Date) async throws -> TerminalBackupRecord {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO terminal_backups (role, device_id, serial_number, firmware, taken_at, taken_by, user_count, template_count, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [backup.role, backup.deviceID, backup.serialNumber, backup.firmware, at.storeSeconds, backup.takenBy,
                                 backup.userCount, backup.templateCount, backup.payload])
            let id = db.lastInsertedRowID
            try db.execute(sql: """
                DELETE FROM terminal_backups WHERE role = ? AND id NOT IN
                    (SELECT id FROM terminal_backups WHERE role = ? ORDER BY taken_at DESC, id DESC LIMIT ?)
                """, arguments: [backup.role, backup.role, max(1, keep)])
            try AuditChain.append(db, at: at, actor: backup.takenBy, action: "terminal.backup", subject: backup.role,
                                  detail: "\(backup.userCount) users, \(backup.templateCount) templates from \(backup.deviceID) (serial \(backup.serialNumber))")
            return TerminalBackupRecord(id: id, role: backup.role, deviceID: backup.deviceID, serialNumber: backup.serialNumber,
                                        firmware: backup.firmware, takenAt: Date(storeSeconds: at.storeSeconds), takenBy: backup.takenBy,
                                        userCount: backup.userCount, templateCount: backup.templateCount, payload: backup.payload)
        }
    }

    /// The newest backup of a role, with its payload.
    public func latestTerminalBackup(role: String) async throws -> TerminalBackupRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM terminal_backups WHERE role = ? ORDER BY taken_at DESC, id DESC LIMIT 1",
                             arguments: [role]).map { TerminalBackupRecord(row: $0, withPayload: true) }
        }
    }

    /// The backups kept (of one role, or all), newest first, without their payloads.
    public func terminalBackups(role: String? = nil) async throws -> [TerminalBackupRecord] {
        try await pool.read { db in
            let columns = "id, role, device_id, serial_number, firmware, taken_at, taken_by, user_count, template_count"
            let rows = try role.map {
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM terminal_backups WHERE role = ? ORDER BY taken_at DESC, id DESC", arguments: [$0])
            } ?? Row.fetchAll(db, sql: "SELECT \(columns) FROM terminal_backups ORDER BY role, taken_at DESC, id DESC")
            return rows.map { TerminalBackupRecord(row: $0, withPayload: false) }
        }
    }
}

extension TerminalBackupRecord {
    init(row: Row, withPayload: Bool) {
        self.init(id: row["id"], role: row["role"], deviceID: row["device_id"], serialNumber: row["serial_number"], firmware: row["firmware"],
                  takenAt: Date(storeSeconds: row["taken_at"]), takenBy: row["taken_by"], userCount: row["user_count"],
                  templateCount: row["template_count"], payload: withPayload ? (row["payload"] as Data? ?? Data()) : Data())
    }
}
