// Punches in the store: inserted once per terminal serial + user + time, however often they are downloaded.
import CounterCore
import Foundation
import GRDB
import GRDBSQLite

/// What storing a batch of punches did.
public struct PunchBatchResult: Sendable, Equatable {
    /// Punches that were new and are now stored.
    public let inserted: Int
    /// Punches that were already stored (a re-download).
    public let alreadyStored: Int
}

/// A stored punch with what the store knows about it.
public struct StoredPunch: Sendable, Hashable {
    public let id: Int64
    public let punch: Punch
    /// Why the punch needs a look (an impossible time, a drifting clock), if it does.
    public let flag: String?
    public let receivedAt: Date
}

extension HallStore {
    /// Stores a batch of punches in one transaction, each linked to its staff member by terminal user id.
    /// - Parameter flags: a note per punch identity to keep with it (e.g. "terminal clock 12 min ahead").
    public func record(punches: [Punch], receivedAt: Date, flags: [PunchIdentity: String] = [:]) async throws -> PunchBatchResult {
        try await pool.write { db in
            let writer = try PunchWriter(db)
            let inserted = try writer.insert(punches, flags: flags, receivedAt: receivedAt)
            try writer.recordBatch(db, at: receivedAt, source: "pull")
            return PunchBatchResult(inserted: inserted, alreadyStored: punches.count - inserted)
        }
    }

    /// Punches in `[from, to)`, oldest first.
    public func punches(from: Date, to: Date) async throws -> [StoredPunch] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM punches WHERE punched_at >= ? AND punched_at < ? ORDER BY punched_at, id",
                             arguments: [from.storeSeconds, to.storeSeconds]).map { row in
                StoredPunch(
                    id: row["id"],
                    punch: Punch(terminalSerial: row["terminal_serial"], terminalUserID: row["terminal_user_id"],
                                 at: Date(storeSeconds: row["punched_at"]),
                                 verification: PunchVerification(code: row["verification"]) ?? .other(-1),
                                 direction: PunchDirection(rawValue: row["direction"]) ?? .unknown,
                                 staffID: row["staff_id"]),
                    flag: row["flag"], receivedAt: Date(storeSeconds: row["received_at"]))
            }
        }
    }

    /// How many punches are stored.
    public func punchCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM punches") ?? 0 }
    }
}

/// The one way punches are written, pulled or pushed: once per terminal serial + user + time, linked to the staff member
/// by terminal user id, inside the caller's transaction.
struct PunchWriter {
    /// Owns the prepared statement the bulk insert binds: it lives as long as the writer.
    private let statement: Statement
    private let bulk: BulkInsert
    private let staffOf: [String: String]
    /// The rows inserted since the last ``recordBatch(_:at:source:)``, sealed as they go (no query per row).
    private let batch = SealedBatch(.punches)
    /// The terminals of the rows in ``batch``, for its entry.
    private let serials = SerialSet()

    init(_ db: Database) throws {
        staffOf = try Dictionary(
            Row.fetchAll(db, sql: "SELECT terminal_user_id, id FROM staff WHERE terminal_user_id IS NOT NULL")
                .map { ($0["terminal_user_id"] as String, $0["id"] as String) },
            uniquingKeysWith: { first, _ in first })
        statement = try db.makeStatement(sql: """
            INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, staff_id, flag, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (terminal_serial, terminal_user_id, punched_at) DO NOTHING
            """)
        // A download stores up to hundreds of thousands of punches in one transaction; binding through the
        // SQLite C API directly avoids building an argument array per row (the bulk of the time otherwise).
        bulk = BulkInsert(statement: statement.sqliteStatement, connection: db.sqliteConnection)
    }

    /// Inserts `punches` (each with its note from `flags`, if any); returns how many were new.
    func insert(_ punches: [Punch], flags: [PunchIdentity: String], receivedAt: Date) throws -> Int {
        var inserted = 0
        var lastSerial = ""
        // SQLite keeps bindings across resets: the receipt time is bound once.
        let received = receivedAt.storeSeconds
        try bulk.bind(8, integer: received)
        for punch in punches {
            let at = punch.at.storeSeconds
            let staff = punch.staffID ?? staffOf[punch.terminalUserID]
            let flag = flags.isEmpty ? nil : flags[punch.identity]
            try bulk.bind(1, text: punch.terminalSerial)
            try bulk.bind(2, text: punch.terminalUserID)
            try bulk.bind(3, integer: at)
            try bulk.bind(4, text: punch.verification.code)
            try bulk.bind(5, text: punch.direction.rawValue)
            try bulk.bind(6, text: staff)
            try bulk.bind(7, text: flag)
            let changed = try bulk.step()
            if changed > 0 {
                if punch.terminalSerial != lastSerial {
                    serials.values.insert(punch.terminalSerial)
                    lastSerial = punch.terminalSerial
                }
                // The row as stored, in SealedTable.punches' column order.
                batch.add(id: bulk.lastInsertedRowID) { row in
                    row.text(punch.terminalSerial); row.text(punch.terminalUserID); row.integer(at)
                    row.text(punch.verification.code); row.text(punch.direction.rawValue); row.text(staff); row.text(flag)
                    row.integer(received)
                }
            }
            inserted += changed
        }
        return withExtendedLifetime(statement) { inserted }
    }

    /// Appends the `punches.recorded` entry for the punches inserted since the last call, in the caller's transaction:
    /// their ids and the SHA-256 of their rows (AuditRowSeal.swift), so `audit verify` sees a punch edited, deleted or
    /// added later. Nothing is appended when none were new.
    func recordBatch(_ db: Database, at: Date, source: String) throws {
        guard let seal = batch.take() else { return }
        let serials = self.serials.values.sorted()
        self.serials.values.removeAll()
        let subject = serials.count == 1 ? serials[0] : "\(serials.count) terminals"
        try AuditChain.append(db, at: at, actor: "gateway", action: "punches.recorded", subject: subject,
                              detail: "\(seal.ids.count) punches stored (\(source)) from \(serials.joined(separator: ", "))", seal: seal)
    }
}

/// The distinct terminal serials of a batch (a class: the writer is a struct used by value inside one transaction).
final class SerialSet {
    var values: Set<String> = []
}

/// Runs one prepared INSERT many times, binding values with the SQLite C API: no argument array per row, and text bound
/// straight from the string's own UTF-8 bytes (SQLite copies them), so a row costs no allocation on our side.
struct BulkInsert {
    let statement: OpaquePointer
    let connection: OpaquePointer?

    /// SQLite's "copy the bytes now" destructor (SQLITE_TRANSIENT, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds parameter `index` (1-based) to `text`, or to NULL when it is nil.
    func bind(_ index: Int32, text: String?) throws {
        guard var text else { return try check(sqlite3_bind_null(statement, index)) }
        let code = text.withUTF8 { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                // An empty string needs a non-null pointer, or SQLite binds NULL.
                return sqlite3_bind_text(statement, index, "", 0, Self.transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, Int32(bytes.count), Self.transient)
            }
        }
        try check(code)
    }

    /// The rowid of the row the last step inserted.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    func bind(_ index: Int32, integer: Int64) throws {
        try check(sqlite3_bind_int64(statement, index, integer))
    }

    /// Steps the statement once with the values bound, resets it for the next row, and returns the rows it changed.
    func step() throws -> Int {
        let step = sqlite3_step(statement)
        guard step == SQLITE_DONE else {
            let error = failure(step)
            sqlite3_reset(statement)
            throw error
        }
        let changed = Int(sqlite3_changes(connection))
        sqlite3_reset(statement)
        return changed
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) })
    }
}
