// The append-only audit log: each entry carries the hash of the one before, so an edit breaks the chain.
import CounterCore
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
    /// The rows the entry recorded and the SHA-256 of their content (`punches.v1;1-500;…`), for entries that record
    /// rows (notices, punch batches, 补卡, sign-ins); nil for the others and for every entry from before rows were sealed.
    public let seal: String?

    public init(id: Int64, at: Date, actor: String, action: String, subject: String, detail: String, previousHash: String,
                hash: String, seal: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
        self.seal = seal
    }
}

/// The result of checking the chain and the rows its entries sealed.
public enum AuditVerification: Sendable, Equatable, CustomStringConvertible {
    case intact(entries: Int)
    /// The first entry where the chain breaks, or whose rows changed, and how.
    case broken(entryID: Int64, reason: String)
    /// A row of a sealed table (a punch, a notice) that no entry recorded: put into the database outside CounterGate.
    case unrecordedRow(table: String, rowID: Int64, reason: String)

    public var isIntact: Bool { if case .intact = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .intact(let n): return "audit log intact: \(n) entries, every hash matches, every recorded row matches its entry"
        case .broken(let id, let reason): return "audit log BROKEN at entry \(id): \(reason)"
        case .unrecordedRow(_, _, let reason): return "audit log BROKEN: \(reason)"
        }
    }
}

enum AuditChain {
    static let genesis = String(repeating: "0", count: 64)

    /// The hash of an entry: SHA-256 over its fields, each prefixed by its length so no two entries can
    /// produce the same input by moving text between fields. The seal is a field only when there is one, so the
    /// entries written before seals existed keep their hashes.
    static func hash(id: Int64, at: Int64, actor: String, action: String, subject: String, detail: String, previous: String,
                     seal: String? = nil) -> String {
        var input = Data()
        for field in [String(id), String(at), actor, action, subject, detail, previous] + (seal.map { [$0] } ?? []) {
            let bytes = Data(field.utf8)
            input.append(contentsOf: Data("\(bytes.count):".utf8))
            input.append(bytes)
        }
        return SHA256.hash(data: input).map { String(format: "%02x", $0) }.joined()
    }

    /// Appends an entry inside the caller's transaction; `seal` names the rows it records and their content hash.
    @discardableResult
    static func append(_ db: Database, at: Date, actor: String, action: String, subject: String, detail: String,
                       seal: AuditRowSeal? = nil) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let id: Int64 = (last?["id"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? genesis
        let seconds = at.storeSeconds
        let sealText = seal?.text
        let hash = hash(id: id, at: seconds, actor: actor, action: action, subject: subject, detail: detail, previous: previous, seal: sealText)
        try db.execute(sql: """
            INSERT INTO audit_log (id, at, actor, action, subject, detail, previous_hash, hash, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, seconds, actor, action, subject, detail, previous, hash, sealText])
        return AuditEntry(id: id, at: Date(storeSeconds: seconds), actor: actor, action: action, subject: subject,
                          detail: detail, previousHash: previous, hash: hash, seal: sealText)
    }

    /// Seals, in one entry per table, the rows stored before the log sealed rows (a database from before this
    /// version), so that from then on every row of a sealed table is recorded by an entry.
    static func sealExistingRows(_ db: Database, at: Date) throws {
        for table in SealedTable.allCases {
            var ids = RowIDRanges()
            let cursor = try Int64.fetchCursor(db, sql: "SELECT id FROM \(table.table) ORDER BY id")
            while let id = try cursor.next() { ids.append(id) }
            guard !ids.isEmpty else { continue }
            let seal = try AuditRowSeal.of(table, ids: ids, in: db)
            try append(db, at: at, actor: "gateway", action: "audit.sealed", subject: table.table,
                       detail: "\(ids.count) \(table.table) rows stored before the audit log sealed rows are sealed as they are now", seal: seal)
        }
    }

    /// The last entry's id and hash (0 and the genesis hash for an empty log).
    static func head(_ db: Database) throws -> (id: Int64, hash: String) {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1") else { return (0, genesis) }
        return (row["id"], row["hash"])
    }

    /// Recomputes every hash, checks each entry points at the one before, that the rows each entry sealed are there
    /// unchanged, and that no row of a sealed table is missing from the log.
    static func verify(_ db: Database) throws -> AuditVerification {
        var previous = AuditChain.genesis
        var expectedID: Int64 = 1
        var count = 0
        var covered: [SealedTable: [ClosedRange<Int64>]] = [:]
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
                                             subject: entry.subject, detail: entry.detail, previous: entry.previousHash, seal: entry.seal)
            if recomputed != entry.hash {
                return .broken(entryID: entry.id, reason: "its content does not match its hash (the row was edited)")
            }
            if let text = entry.seal {
                guard let seal = AuditRowSeal(text: text) else {
                    return .broken(entryID: entry.id, reason: "its record of rows cannot be read (\(text.prefix(80)))")
                }
                if let problem = try check(seal, db) { return .broken(entryID: entry.id, reason: problem) }
                covered[seal.table, default: []] += seal.ids.ranges
            }
            previous = entry.hash
            expectedID += 1
            count += 1
        }
        for table in SealedTable.allCases {
            if let stray = try firstUnrecordedRow(table, covered: covered[table] ?? [], db) { return stray }
        }
        return .intact(entries: count)
    }

    /// What is wrong with the rows `seal` recorded, or nil when they are all there, unchanged.
    private static func check(_ seal: AuditRowSeal, _ db: Database) throws -> String? {
        let table = seal.table
        var hasher = SealedRowsHasher()
        for range in seal.ids.ranges {
            var next = range.lowerBound
            let rows = try Row.fetchCursor(db, sql: table.selectRange, arguments: [range.lowerBound, range.upperBound])
            while let row = try rows.next() {
                let id: Int64 = row[0]
                if id != next { return "the \(table.rowNoun) with id \(next) it recorded is missing (deleted from the database)" }
                hasher.add(row)
                next += 1
            }
            if next <= range.upperBound {
                return "the \(table.rowNoun) with id \(next) it recorded is missing (deleted from the database)"
            }
        }
        guard hasher.finish() != seal.sha256 else { return nil }
        if seal.ids.count == 1 {
            let id = seal.ids.ranges[0].lowerBound
            let what = try describe(table, id: id, db)
            return table == .notices
                ? "the notice's content (\(what)) was edited after it was issued"
                : "the \(table.rowNoun) it recorded (\(what)) was edited afterwards"
        }
        return "the \(seal.ids.count) \(table.table) rows it recorded (ids \(seal.ids.text.prefix(60))) no longer match it: at least one was edited or replaced"
    }

    /// The first row of `table` no entry recorded, if any.
    private static func firstUnrecordedRow(_ table: SealedTable, covered: [ClosedRange<Int64>], _ db: Database) throws -> AuditVerification? {
        // Every recorded row was found above, so the table holds a stray row exactly when it has more rows than the log recorded.
        var merged: [ClosedRange<Int64>] = []
        for range in covered.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        let recorded = merged.reduce(Int64(0)) { $0 + $1.upperBound - $1.lowerBound + 1 }
        let stored = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.table)") ?? 0
        guard stored != recorded else { return nil }
        var index = 0
        let ids = try Int64.fetchCursor(db, sql: "SELECT id FROM \(table.table) ORDER BY id")
        while let id = try ids.next() {
            while index < merged.count, merged[index].upperBound < id { index += 1 }
            if index < merged.count, merged[index].contains(id) { continue }
            let what = try describe(table, id: id, db)
            return .unrecordedRow(table: table.table, rowID: id,
                                  reason: "\(table.rowNoun) \(id) (\(what)) is recorded by no audit entry: it was put into the database outside CounterGate")
        }
        return nil
    }

    /// A row in words for a report: a notice by its number, a punch by terminal, user and time.
    private static func describe(_ table: SealedTable, id: Int64, _ db: Database) throws -> String {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table.table) WHERE id = ?", arguments: [id]) else { return "id \(id)" }
        func time(_ column: String) -> String {
            (row[column] as Int64?).map { HallTime.format(Date(storeSeconds: $0)) } ?? "?"
        }
        switch table {
        case .notices: return "notice \(row["number"] as String? ?? "?") by \(row["clerk"] as String? ?? "?")"
        case .punches:
            return "terminal \(row["terminal_serial"] as String? ?? "?") user \(row["terminal_user_id"] as String? ?? "?") at \(time("punched_at"))"
        case .punchCorrections: return "\(row["staff_id"] as String? ?? "?") at \(time("punched_at"))"
        case .signIns: return "\(row["staff_id"] as String? ?? "?") at \(time("signed_at"))"
        }
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

    /// One entry by id.
    public func auditEntry(id: Int64) async throws -> AuditEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_log WHERE id = ?", arguments: [id]).map(AuditEntry.init(row:))
        }
    }

    /// Recomputes every hash and checks each entry points at the one before, and that the rows entries recorded
    /// (notices, punch batches, 补卡, sign-ins) are unchanged and that no such row was added outside the log.
    ///
    /// Detects an edited entry, an entry inserted or deleted in the middle, reordered ids, and an edited, deleted or
    /// inserted notice, punch, 补卡 or sign-in. Entries cut off the end are seen by ``auditReport()``, which compares
    /// the log with its anchor.
    public func verifyAudit() async throws -> AuditVerification {
        try await pool.read { db in try AuditChain.verify(db) }
    }
}

extension AuditEntry {
    init(row: Row) {
        self.init(id: row["id"], at: Date(storeSeconds: row["at"]), actor: row["actor"], action: row["action"],
                  subject: row["subject"], detail: row["detail"], previousHash: row["previous_hash"], hash: row["hash"],
                  seal: row["seal"])
    }
}
