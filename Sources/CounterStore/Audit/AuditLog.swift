// The append-only audit log: each entry carries the hash of the one before, so an edit breaks the chain.
import Crypto
import Foundation
import GRDB

/// One entry of the audit log.
public struct AuditEntry: Sendable, Hashable, Codable {
    public let id: Int64
    public let at: Date
    /// Who did it: a staff id, `gateway`, `ops:<token name>`.
    public let actor: String
    /// What was done: `notice.issued`, `staff.imported`, `mode.changed`.
    public let action: String
    /// What it was done to: a notice number, a terminal role.
    public let subject: String
    public let detail: String
    public let previousHash: String
    public let hash: String
}

/// The result of checking the chain.
public enum AuditVerification: Sendable, Equatable, CustomStringConvertible {
    case intact(entries: Int)
    /// The first entry where the chain breaks, and how.
    case broken(entryID: Int64, reason: String)

    public var description: String {
        switch self {
        case .intact(let n): return "audit log intact: \(n) entries, every hash matches"
        case .broken(let id, let reason): return "audit log BROKEN at entry \(id): \(reason)"
        }
    }
}

enum AuditChain {
    static let genesis = String(repeating: "0", count: 64)

    /// The hash of an entry: SHA-256 over its fields, each prefixed by its length so no two entries can
    /// produce the same input by moving text between fields.
    static func hash(id: Int64, at: Int64, actor: String, action: String, subject: String, detail: String, previous: String) -> String {
        var input = Data()
        for field in [String(id), String(at), actor, action, subject, detail, previous] {
            let bytes = Data(field.utf8)
            input.append(contentsOf: Data("\(bytes.count):".utf8))
            input.append(bytes)
        }
        return SHA256.hash(data: input).map { String(format: "%02x", $0) }.joined()
    }

    /// Appends an entry inside the caller's transaction.
    @discardableResult
    static func append(_ db: Database, at: Date, actor: String, action: String, subject: String, detail: String) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let id: Int64 = (last?["id"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? genesis
        let seconds = at.storeSeconds
        let hash = hash(id: id, at: seconds, actor: actor, action: action, subject: subject, detail: detail, previous: previous)
        try db.execute(sql: """
            INSERT INTO audit_log (id, at, actor, action, subject, detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, seconds, actor, action, subject, detail, previous, hash])
        return AuditEntry(id: id, at: Date(storeSeconds: seconds), actor: actor, action: action, subject: subject,
                          detail: detail, previousHash: previous, hash: hash)
    }
}

extension HallStore {
    /// Appends an entry to the audit log.
    @discardableResult
    public func audit(at: Date, actor: String, action: String, subject: String, detail: String) async throws -> AuditEntry {
        try await pool.write { db in
            try AuditChain.append(db, at: at, actor: actor, action: action, subject: subject, detail: detail)
        }
    }

    /// The newest `limit` entries, newest first.
    public func auditEntries(limit: Int = 100) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map(AuditEntry.init(row:))
        }
    }

    /// Recomputes every hash and checks each entry points at the one before.
    ///
    /// Detects an edited entry, an entry inserted or deleted in the middle, and reordered ids. It cannot see
    /// entries cut off the end of the log; compare the entry count with an earlier `verify` for that.
    public func verifyAudit() async throws -> AuditVerification {
        try await pool.read { db in
            var previous = AuditChain.genesis
            var expectedID: Int64 = 1
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
            while let row = try cursor.next() {
                let entry = AuditEntry(row: row)
                if entry.id != expectedID {
                    return .broken(entryID: entry.id, reason: "entry \(expectedID) is missing (deleted?)")
                }
                if entry.previousHash != previous {
                    return .broken(entryID: entry.id, reason: "it does not point at the entry before it (entries removed or inserted)")
                }
                let recomputed = AuditChain.hash(id: entry.id, at: entry.at.storeSeconds, actor: entry.actor, action: entry.action,
                                                 subject: entry.subject, detail: entry.detail, previous: entry.previousHash)
                if recomputed != entry.hash {
                    return .broken(entryID: entry.id, reason: "its content does not match its hash (the row was edited)")
                }
                previous = entry.hash
                expectedID += 1
                count += 1
            }
            return .intact(entries: count)
        }
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(id: row["id"], at: Date(storeSeconds: row["at"]), actor: row["actor"], action: row["action"],
                  subject: row["subject"], detail: row["detail"], previousHash: row["previous_hash"], hash: row["hash"])
    }
}
