// Sign-in PINs (stored as slow salted hashes, with the run of wrong PINs), and the attendance reconciled after
// sign-in mode: one record per person and moment, conflicts for the duty chief.
import Crypto
import CounterCore
import Foundation
import GRDB

/// A PIN as stored: never the PIN itself.
public struct PINHash: Sendable, Hashable {
    public let hash: [UInt8]
    public let salt: [UInt8]
    public let iterations: Int

    /// The default work factor: PBKDF2-HMAC-SHA256 with this many iterations (OWASP's 2023 guidance is 600,000 for
    /// passwords; a 4-8 digit PIN is weak anyway, and the lockout is what stops guessing, so the hash only has to
    /// make a stolen database slow to search).
    public static let defaultIterations = 200_000

    /// Hashes `pin` with a new random salt.
    public static func make(pin: String, iterations: Int = defaultIterations) -> PINHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return PINHash(hash: pbkdf2(pin: pin, salt: salt, iterations: iterations), salt: salt, iterations: iterations)
    }

    /// Whether `pin` is the one hashed, compared in constant time.
    public func matches(_ pin: String) -> Bool {
        let candidate = Self.pbkdf2(pin: pin, salt: salt, iterations: iterations)
        guard candidate.count == hash.count else { return false }
        return zip(candidate, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// PBKDF2 (RFC 8018) with HMAC-SHA256, one 32-byte block.
    static func pbkdf2(pin: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: Array(pin.utf8))
        var block = HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key)
        var result = Array(block)
        for _ in 1..<max(iterations, 1) {
            block = HMAC<SHA256>.authenticationCode(for: Array(block), using: key)
            for (index, byte) in block.enumerated() { result[index] ^= byte }
        }
        return result
    }
}

/// A person's stored PIN and their run of wrong PINs.
public struct StoredPIN: Sendable, Hashable {
    public let staffID: String
    public let hash: PINHash
    public let attempts: PINAttempts
}

/// A stored conflict of a reconciliation.
public struct StoredAttendanceConflict: Sendable, Hashable {
    public let id: Int64
    public let staffID: String
    public let kind: String
    public let description: String
    public let terminalRole: String
    public let foundAt: Date
    public let resolvedBy: String?
}

/// A stored attendance record.
public struct StoredAttendanceRecord: Sendable, Hashable {
    public let staffID: String
    public let at: Date
    public let punchID: Int64?
    public let signInID: Int64?
    public let terminalRole: String
}

extension HallStore {
    /// Sets (or replaces) a person's PIN, clearing any lock; audited without the PIN.
    public func setPIN(_ hash: PINHash, staffID: String, actor: String, at: Date) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?)", arguments: [staffID]) == true else {
                throw StoreError.unknownStaff(staffID)
            }
            try db.execute(sql: """
                INSERT INTO staff_pins (staff_id, hash, salt, iterations, failures, locked_until, set_at) VALUES (?, ?, ?, ?, 0, NULL, ?)
                ON CONFLICT(staff_id) DO UPDATE SET hash = excluded.hash, salt = excluded.salt, iterations = excluded.iterations,
                    failures = 0, locked_until = NULL, set_at = excluded.set_at
                """, arguments: [staffID, Data(hash.hash), Data(hash.salt), hash.iterations, at.storeSeconds])
            try AuditChain.append(db, at: at, actor: actor, action: "pin.set", subject: staffID, detail: "sign-in PIN set")
        }
    }

    /// A person's PIN, if one is set.
    public func pin(ofStaff staffID: String) async throws -> StoredPIN? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff_pins WHERE staff_id = ?", arguments: [staffID]).map { row in
                StoredPIN(staffID: staffID,
                          hash: PINHash(hash: Array(row["hash"] as Data), salt: Array(row["salt"] as Data), iterations: row["iterations"]),
                          attempts: PINAttempts(failures: row["failures"], lockedUntil: (row["locked_until"] as Int64?).map(Date.init(storeSeconds:))))
            }
        }
    }

    /// Stores a person's run of wrong PINs after an attempt; a new lock is audited.
    public func recordPINAttempts(_ attempts: PINAttempts, staffID: String, at: Date) async throws {
        try await pool.write { db in
            let wasLocked = try Int64.fetchOne(db, sql: "SELECT locked_until FROM staff_pins WHERE staff_id = ?", arguments: [staffID])
            try db.execute(sql: "UPDATE staff_pins SET failures = ?, locked_until = ? WHERE staff_id = ?",
                           arguments: [attempts.failures, attempts.lockedUntil?.storeSeconds, staffID])
            if let until = attempts.lockedUntil, wasLocked != until.storeSeconds {
                try AuditChain.append(db, at: at, actor: "gateway", action: "pin.locked", subject: staffID,
                                      detail: "\(attempts.failures) wrong PINs; sign-in by PIN locked until \(until)")
            }
        }
    }

    /// The person's latest sign-in that is not rejected, if any.
    public func latestSignIn(ofStaff staffID: String) async throws -> StoredSignIn? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sign_ins WHERE staff_id = ? AND status != 'rejected' ORDER BY signed_at DESC, id DESC LIMIT 1",
                             arguments: [staffID]).map(StoredSignIn.init(row:))
        }
    }

    /// Every sign-in (any status) from `from` to `to`.
    public func signIns(from: Date, to: Date) async throws -> [StoredSignIn] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sign_ins WHERE signed_at BETWEEN ? AND ? ORDER BY signed_at, id",
                             arguments: [from.storeSeconds, to.storeSeconds]).map(StoredSignIn.init(row:))
        }
    }

    /// Stores the outcome of a reconciliation: records and conflicts, each once however often it is run, with one
    /// audit entry.
    /// - Returns: how many records and conflicts were new.
    @discardableResult
    public func store(reconciliation: ReconciliationResult, terminalRole: String, at: Date) async throws -> (records: Int, conflicts: Int) {
        try await pool.write { db in
            var records = 0, conflicts = 0
            for record in reconciliation.records {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO attendance_records (staff_id, at, punch_id, sign_in_id, terminal_role, reconciled_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [record.staffID, record.at.storeSeconds, record.punchID, record.signInID, terminalRole, at.storeSeconds])
                records += db.changesCount
            }
            for conflict in reconciliation.conflicts {
                let (signInID, punchID): (Int64?, Int64?) = switch conflict {
                case .timesDisagree(_, let s, _, let p, _): (s, p)
                case .rejectedButPunched(_, let s, let p, _): (s, p)
                case .unreviewed(_, let s, _): (s, nil)
                }
                try db.execute(sql: """
                    INSERT OR IGNORE INTO attendance_conflicts (staff_id, kind, sign_in_id, punch_id, description, terminal_role, found_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [conflict.staffID, conflict.code, signInID, punchID, conflict.description, terminalRole, at.storeSeconds])
                conflicts += db.changesCount
            }
            try AuditChain.append(db, at: at, actor: "gateway", action: "attendance.reconciled", subject: terminalRole,
                                  detail: "\(records) new records, \(conflicts) new conflicts")
            return (records, conflicts)
        }
    }

    /// The conflicts nobody has resolved, oldest first.
    public func openAttendanceConflicts() async throws -> [StoredAttendanceConflict] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attendance_conflicts WHERE resolved_at IS NULL ORDER BY found_at, id").map { row in
                StoredAttendanceConflict(id: row["id"], staffID: row["staff_id"], kind: row["kind"], description: row["description"],
                                         terminalRole: row["terminal_role"], foundAt: Date(storeSeconds: row["found_at"]), resolvedBy: row["resolved_by"])
            }
        }
    }

    /// The duty chief has looked at a conflict the reconciliation listed and settled it (what was decided is `note`,
    /// kept in the audit log). Only a duty chief (值班长) may; a conflict is resolved once.
    public func resolveAttendanceConflict(_ id: Int64, by dutyChiefID: String, note: String, at: Date) async throws -> StoredAttendanceConflict {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM attendance_conflicts WHERE id = ?", arguments: [id]) else {
                throw StoreError.unknownConflict(id)
            }
            if let by = row["resolved_by"] as String? { throw StoreError.conflictAlreadyResolved(id: id, by: by) }
            guard let chief = try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [dutyChiefID]).map(Staff.init(row:)) else {
                throw StoreError.unknownStaff(dutyChiefID)
            }
            try ConflictResolution.check(by: chief, about: row["staff_id"], note: note)
            try db.execute(sql: "UPDATE attendance_conflicts SET resolved_by = ?, resolved_at = ? WHERE id = ?",
                           arguments: [dutyChiefID, at.storeSeconds, id])
            try AuditChain.append(db, at: at, actor: dutyChiefID, action: "attendance.conflict-resolved", subject: "conflict \(id)",
                                  detail: "\(row["kind"] as String) of \(row["staff_id"] as String): \(note)")
            return StoredAttendanceConflict(id: id, staffID: row["staff_id"], kind: row["kind"], description: row["description"],
                                            terminalRole: row["terminal_role"], foundAt: Date(storeSeconds: row["found_at"]), resolvedBy: dutyChiefID)
        }
    }

    /// The attendance records from `from` to `to`.
    public func attendanceRecords(from: Date, to: Date) async throws -> [StoredAttendanceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attendance_records WHERE at BETWEEN ? AND ? ORDER BY at, staff_id",
                             arguments: [from.storeSeconds, to.storeSeconds]).map { row in
                StoredAttendanceRecord(staffID: row["staff_id"], at: Date(storeSeconds: row["at"]), punchID: row["punch_id"],
                                       signInID: row["sign_in_id"], terminalRole: row["terminal_role"])
            }
        }
    }
}
