// Staff and windows in the store: the windows come from the configuration, the staff from the staff list.
import CounterCore
import Foundation
import GRDB

/// What a staff import changed.
public struct StaffImportSummary: Sendable, Equatable, CustomStringConvertible {
    public let added: Int
    public let updated: Int
    public var description: String { "staff list imported: \(added) added, \(updated) updated" }
}

extension HallStore {
    /// Makes the store's windows those of the configuration (added, renamed; a window no longer configured is
    /// kept while staff still name it, so history stays readable).
    public func syncWindows(_ windows: [ServiceWindow], at: Date) async throws {
        try await pool.write { db in
            for window in windows {
                try db.execute(sql: """
                    INSERT INTO windows (number, name, department) VALUES (?, ?, ?)
                    ON CONFLICT(number) DO UPDATE SET name = excluded.name, department = excluded.department
                    """, arguments: [window.number, window.name, window.department])
            }
        }
    }

    public func windows() async throws -> [ServiceWindow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM windows ORDER BY number").map {
                ServiceWindow(number: $0["number"], name: $0["name"], department: $0["department"])
            }
        }
    }

    /// Imports a checked staff list in one transaction: every row lands, or none does.
    ///
    /// A person already in the store is updated. A row whose terminal user id or A/B post is held by someone
    /// else already in the store fails the whole import, naming the row.
    public func importStaff(_ rows: [StaffListRow], actor: String, at: Date) async throws -> StaffImportSummary {
        try await pool.write { db in
            var added = 0
            var updated = 0
            for entry in rows {
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?)", arguments: [entry.staff.id]) ?? false
                // Clear the unique columns of everyone in the list first, so that two people swapping terminal ids
                // or posts in one list do not collide; anyone else holding them is a real conflict below.
                if exists {
                    try db.execute(sql: "UPDATE staff SET terminal_user_id = NULL, post = NULL WHERE id = ?", arguments: [entry.staff.id])
                    updated += 1
                } else {
                    added += 1
                }
            }
            for entry in rows {
                let person = entry.staff
                do {
                    try db.execute(sql: """
                        INSERT INTO staff (id, name, window, department, roles, terminal_user_id, post, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET name = excluded.name, window = excluded.window,
                            department = excluded.department, roles = excluded.roles,
                            terminal_user_id = excluded.terminal_user_id, post = excluded.post, updated_at = excluded.updated_at
                        """, arguments: [person.id, person.name, person.window, person.department,
                                         person.roles.sorted().map(\.rawValue).joined(separator: ","),
                                         person.terminalUserID, person.post?.rawValue, at.storeSeconds])
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    let message = error.message ?? ""
                    let what: String
                    if message.contains("terminal_user_id") {
                        what = "terminal user id \(person.terminalUserID ?? "") already belongs to someone not in this list"
                    } else if message.contains("post") {
                        let slot = person.post?.rawValue ?? ""
                        what = "window \(person.window.map(String.init) ?? "-") already has a \(slot) post (\(slot)岗) held by someone not in this list"
                    } else {
                        what = "it conflicts with staff already in the store (\(message))"
                    }
                    throw StoreError.staffConflict(row: entry.row, message: what)
                }
            }
            try AuditChain.append(db, at: at, actor: actor, action: "staff.imported", subject: "staff",
                                  detail: "\(added) added, \(updated) updated")
            return StaffImportSummary(added: added, updated: updated)
        }
    }

    /// Everyone, by staff id.
    public func staff() async throws -> [Staff] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY id").map(Staff.init(row:)) }
    }

    public func staff(id: String) async throws -> Staff? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [id]).map(Staff.init(row:)) }
    }
}

extension Staff {
    init(row: Row) {
        let roles = (row["roles"] as String).split(separator: ",").compactMap { StaffRole(rawValue: String($0)) }
        self.init(id: row["id"], name: row["name"], window: row["window"], department: row["department"],
                  roles: Set(roles), terminalUserID: row["terminal_user_id"],
                  post: (row["post"] as String?).flatMap(PostSlot.init(rawValue:)))
    }
}
