// Sign-ins and the attendance mode in the store; every mode change is written with its audit entry.
import CounterCore
import Foundation
import GRDB

public struct StoredSignIn: Sendable, Hashable {
    public let id: Int64
    public let signIn: SignIn
}

extension HallStore {
    /// Records a sign-in awaiting the duty chief's confirmation.
    public func record(signIn: SignIn) async throws -> StoredSignIn {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?)", arguments: [signIn.staffID]) == true else {
                throw StoreError.unknownStaff(signIn.staffID)
            }
            try db.execute(sql: "INSERT INTO sign_ins (staff_id, signed_at, method, terminal_role, status) VALUES (?, ?, ?, ?, 'pending')",
                           arguments: [signIn.staffID, signIn.at.storeSeconds, signIn.method.rawValue, signIn.terminalRole])
            let id = db.lastInsertedRowID
            try AuditChain.append(db, at: signIn.at, actor: signIn.staffID, action: "signin.recorded", subject: "sign-in \(id)",
                                  detail: "\(signIn.method.rawValue) for \(signIn.terminalRole)", seal: try AuditRowSeal.of(.signIns, id: id, in: db))
            return StoredSignIn(id: id, signIn: signIn)
        }
    }

    /// Sign-ins awaiting review, oldest first.
    public func pendingSignIns() async throws -> [StoredSignIn] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sign_ins WHERE status = 'pending' ORDER BY signed_at, id").map(StoredSignIn.init(row:))
        }
    }

    /// The duty chief confirms (reason nil) or rejects (with a reason) a sign-in; the rules of ``SignIn`` apply.
    public func review(signIn id: Int64, by reviewerID: String, at: Date, rejectReason: String? = nil) async throws -> StoredSignIn {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sign_ins WHERE id = ?", arguments: [id]) else {
                throw StoreError.unknownSignIn(id)
            }
            guard let reviewer = try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [reviewerID]).map(Staff.init(row:)) else {
                throw StoreError.unknownStaff(reviewerID)
            }
            var stored = StoredSignIn(row: row)
            var signIn = stored.signIn
            if let reason = rejectReason { try signIn.reject(by: reviewer, at: at, reason: reason) }
            else { try signIn.confirm(by: reviewer, at: at) }
            try db.execute(sql: "UPDATE sign_ins SET status = ?, reviewed_by = ?, reviewed_at = ?, reject_reason = ? WHERE id = ?",
                           arguments: [signIn.status.code, reviewerID, at.storeSeconds, rejectReason, id])
            try AuditChain.append(db, at: at, actor: reviewerID, action: "signin.\(signIn.status.code)", subject: "sign-in \(id)",
                                  detail: rejectReason ?? "")
            stored = StoredSignIn(id: id, signIn: signIn)
            return stored
        }
    }

    /// Stores a mode change and its audit entry together.
    public func record(modeTransition t: ModeTransition, actor: String) async throws {
        try await pool.write { db in
            let mode = t.to.isFallback ? "sign-in" : "normal"
            try db.execute(sql: """
                INSERT INTO attendance_modes (terminal_role, mode, since, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT(terminal_role) DO UPDATE SET mode = excluded.mode, since = excluded.since, reason = excluded.reason
                """, arguments: [t.role, mode, t.at.storeSeconds, t.reason.description])
            try AuditChain.append(db, at: t.at, actor: actor, action: "mode.changed", subject: t.role,
                                  detail: "\(t.from.isFallback ? "sign-in" : "normal") -> \(mode): \(t.reason.description)")
        }
    }

    /// The stored mode of each terminal role that ever changed mode.
    public func attendanceModes() async throws -> [String: (mode: String, since: Date, reason: String)] {
        try await pool.read { db in
            var result: [String: (mode: String, since: Date, reason: String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM attendance_modes") {
                result[row["terminal_role"]] = (row["mode"], Date(storeSeconds: row["since"]), row["reason"])
            }
            return result
        }
    }
}

extension StoredSignIn {
    init(row: Row) {
        let status: SignInStatus
        let at = (row["reviewed_at"] as Int64?).map(Date.init(storeSeconds:)) ?? Date(timeIntervalSince1970: 0)
        switch row["status"] as String {
        case "confirmed": status = .confirmed(by: row["reviewed_by"] ?? "", at: at)
        case "rejected": status = .rejected(by: row["reviewed_by"] ?? "", at: at, reason: row["reject_reason"] ?? "")
        default: status = .pending
        }
        self.init(id: row["id"], signIn: SignIn(staffID: row["staff_id"], at: Date(storeSeconds: row["signed_at"]),
                                                method: SignInMethod(rawValue: row["method"]) ?? .pin,
                                                terminalRole: row["terminal_role"], status: status))
    }
}
