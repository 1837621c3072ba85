// Punches in the store: inserted once per terminal serial + user + time, however often they are downloaded.
import CounterCore
import Foundation
import GRDB

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
            var inserted = 0
            let staffOf = try Dictionary(
                Row.fetchAll(db, sql: "SELECT terminal_user_id, id FROM staff WHERE terminal_user_id IS NOT NULL")
                    .map { ($0["terminal_user_id"] as String, $0["id"] as String) },
                uniquingKeysWith: { first, _ in first })
            let statement = try db.makeStatement(sql: """
                INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, staff_id, flag, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (terminal_serial, terminal_user_id, punched_at) DO NOTHING
                """)
            for punch in punches {
                try statement.execute(arguments: [
                    punch.terminalSerial, punch.terminalUserID, punch.at.storeSeconds, punch.verification.code,
                    punch.direction.rawValue, punch.staffID ?? staffOf[punch.terminalUserID], flags[punch.identity],
                    receivedAt.storeSeconds,
                ])
                inserted += db.changesCount
            }
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
