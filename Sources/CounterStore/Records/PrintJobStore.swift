// Print jobs in the store: the durable queue a printer role works through; one job per idempotency key.
import CounterCore
import Foundation
import GRDB

/// Where a print job stands.
public enum PrintJobState: String, Sendable, Codable, CaseIterable {
    case queued, printing, waiting, done, failed, cancelled
}

public struct PrintJob: Sendable, Hashable {
    public let id: Int64
    public let idempotencyKey: String
    public let printerRole: String
    public let noticeID: Int64?
    public let copies: Int
    public let state: PrintJobState
    public let attempts: Int
    public let lastError: String?
}

extension HallStore {
    /// Queues a print job. The same idempotency key again returns the job already queued (printed once).
    public func enqueuePrintJob(idempotencyKey: String, printerRole: String, noticeID: Int64?, copies: Int, at: Date) async throws -> PrintJob {
        try await pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE idempotency_key = ?", arguments: [idempotencyKey]) {
                return PrintJob(row: row)
            }
            try db.execute(sql: """
                INSERT INTO print_jobs (idempotency_key, printer_role, notice_id, copies, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [idempotencyKey, printerRole, noticeID, copies, at.storeSeconds, at.storeSeconds])
            return PrintJob(row: try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    /// Jobs of a printer role in queue order, optionally only those in `states`.
    public func printJobs(printerRole: String? = nil, states: Set<PrintJobState> = Set(PrintJobState.allCases)) async throws -> [PrintJob] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM print_jobs ORDER BY id").map(PrintJob.init(row:))
                .filter { states.contains($0.state) && (printerRole == nil || $0.printerRole == printerRole) }
        }
    }
}

extension PrintJob {
    init(row: Row) {
        self.init(id: row["id"], idempotencyKey: row["idempotency_key"], printerRole: row["printer_role"],
                  noticeID: row["notice_id"], copies: row["copies"],
                  state: PrintJobState(rawValue: row["state"]) ?? .failed, attempts: row["attempts"], lastError: row["last_error"])
    }
}
