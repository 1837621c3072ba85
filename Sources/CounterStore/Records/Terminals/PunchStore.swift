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
            try writer.recordBatch(db, at: receivedAt, source: "pull", punches: punches)
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
    /// The rows inserted since the last ``recordBatch(_:at:source:punches:)``, sealed as they go (no query per row).
    private let batch = SealedBatch(.punches)

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
        let received = receivedAt.storeSeconds
        var inserted = 0
        for punch in punches {
            let values: [BulkInsert.Value] = [
                .text(punch.terminalSerial), .text(punch.terminalUserID), .integer(punch.at.storeSeconds),
                .text(punch.verification.code), .text(punch.direction.rawValue),
                .optionalText(punch.staffID ?? staffOf[punch.terminalUserID]),
                .optionalText(flags.isEmpty ? nil : flags[punch.identity]), .integer(received)]
            let changed = try bulk.run(values)
            if changed > 0 { batch.add(id: bulk.lastInsertedRowID, values: values.map(\.databaseValue)) }
            inserted += changed
        }
        return withExtendedLifetime(statement) { inserted }
    }

    /// Appends the `punches.recorded` entry for the punches inserted since the last call, in the caller's transaction:
    /// their ids and the SHA-256 of their rows (AuditRowSeal.swift), so `audit verify` sees a punch edited, deleted or
    /// added later. Nothing is appended when none were new.
    func recordBatch(_ db: Database, at: Date, source: String, punches: [Punch]) throws {
        guard let seal = batch.take() else { return }
        let serials = Set(punches.map(\.terminalSerial)).sorted()
        let subject = serials.count == 1 ? serials[0] : "\(serials.count) terminals"
        try AuditChain.append(db, at: at, actor: "gateway", action: "punches.recorded", subject: subject,
                              detail: "\(seal.ids.count) punches stored (\(source)) from \(serials.joined(separator: ", "))", seal: seal)
    }
}

/// Runs one prepared INSERT many times, binding values with the SQLite C API.
struct BulkInsert {
    enum Value {
        case text(String)
        case optionalText(String?)
        case integer(Int64)

        /// The value as the table stores it, for the batch's seal.
        var databaseValue: DatabaseValue {
            switch self {
            case .text(let s): return s.databaseValue
            case .optionalText(let s): return s?.databaseValue ?? .null
            case .integer(let n): return n.databaseValue
            }
        }
    }

    let statement: OpaquePointer
    let connection: OpaquePointer?

    /// SQLite's "copy the bytes now" destructor (SQLITE_TRANSIENT, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `values` to the statement's parameters 1..n, steps it once, and returns the rows it changed.
    func run(_ values: Value...) throws -> Int { try run(values) }

    /// The rowid of the row the last `run` inserted.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Binds `values` to the statement's parameters 1..n, steps it once, and returns the rows it changed.
    func run(_ values: [Value]) throws -> Int {
        sqlite3_reset(statement)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let code: Int32
            switch value {
            case .text(let s): code = sqlite3_bind_text(statement, index, s, -1, Self.transient)
            case .optionalText(let s?): code = sqlite3_bind_text(statement, index, s, -1, Self.transient)
            case .optionalText(nil): code = sqlite3_bind_null(statement, index)
            case .integer(let n): code = sqlite3_bind_int64(statement, index, n)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        let step = sqlite3_step(statement)
        guard step == SQLITE_DONE else { throw failure(step) }
        return Int(sqlite3_changes(connection))
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) })
    }
}
