// Print jobs in the store: the durable queue each printer role works through; one job per idempotency key.
import CounterCore
import Foundation
import GRDB

/// Where a print job stands. `done`, `failed` and `cancelled` are final.
public enum PrintJobState: String, Sendable, Codable, CaseIterable {
    case queued, printing, waiting, done, failed, cancelled

    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}

public enum PrintJobKind: String, Sendable, Codable {
    /// One of the hall's notices (通知书), both copies.
    case notice
    /// A test page (`countergate print test`).
    case test
}

public struct PrintJob: Sendable, Hashable, Codable {
    public let id: Int64
    public let idempotencyKey: String
    public let kind: PrintJobKind
    public let printerRole: String
    public let noticeID: Int64?
    public let copies: Int
    public let reprint: Bool
    public let state: PrintJobState
    public let attempts: Int
    public let lastError: String?
    public let createdAt: Date
    /// When the job became waiting (paper out, cover open, unreachable), for failover.
    public let waitingSince: Date?
    public let nextAttemptAt: Date
    public let printedAt: Date?
    /// The role and device that printed it (the backup's, after a failover).
    public let printedOn: String?
}

/// A job that cannot be changed as asked.
public struct PrintJobTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let id: Int64
    public let state: PrintJobState
    public let wanted: String
    public var description: String { "print job \(id) is \(state.rawValue); it cannot be \(wanted)" }
}

extension HallStore {
    /// Queues a print job. The same idempotency key again returns the job already queued: the same request
    /// twice prints once, however close together the two arrive (the write lock orders them).
    public func enqueuePrintJob(idempotencyKey: String, printerRole: String, noticeID: Int64?, copies: Int, at: Date,
                                kind: PrintJobKind = .notice, reprint: Bool = false, actor: String = "gateway") async throws -> PrintJob {
        try await pool.write { db in
            try PrintJobRecords.enqueue(db, idempotencyKey: idempotencyKey, printerRole: printerRole, noticeID: noticeID, copies: copies,
                                        at: at, kind: kind, reprint: reprint, actor: actor)
        }
    }

    /// How many jobs are in each state (for the metrics).
    public func printJobCounts() async throws -> [PrintJobState: Int] {
        try await pool.read { db in
            var counts: [PrintJobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM print_jobs GROUP BY state") {
                if let state = PrintJobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// The job queued under an idempotency key, if any.
    public func printJob(idempotencyKey: String) async throws -> PrintJob? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE idempotency_key = ?", arguments: [idempotencyKey]).map(PrintJob.init(row:))
        }
    }

    public func printJob(id: Int64) async throws -> PrintJob? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE id = ?", arguments: [id]).map(PrintJob.init(row:)) }
    }

    /// Jobs in queue order, optionally of one role and only in `states`.
    public func printJobs(printerRole: String? = nil, states: Set<PrintJobState> = Set(PrintJobState.allCases), limit: Int = 500) async throws -> [PrintJob] {
        try await pool.read { db in
            let marks = states.map { _ in "?" }.joined(separator: ",")
            var arguments: StatementArguments = StatementArguments(states.map(\.rawValue))
            var sql = "SELECT * FROM print_jobs WHERE state IN (\(marks))"
            if let printerRole {
                sql += " AND printer_role = ?"
                arguments += [printerRole]
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(PrintJob.init(row:))
        }
    }

    /// The next job a printer role should print now (queued or due for a retry), oldest first; it is marked
    /// `printing` in the same transaction, so two workers never take the same job.
    public func takeNextPrintJob(roles: [String], at: Date) async throws -> PrintJob? {
        guard !roles.isEmpty else { return nil }
        return try await pool.write { db in
            let marks = roles.map { _ in "?" }.joined(separator: ",")
            var arguments = StatementArguments(roles)
            arguments += [at.storeSeconds]
            guard let row = try Row.fetchOne(db, sql: """
                SELECT * FROM print_jobs WHERE printer_role IN (\(marks)) AND state IN ('queued', 'waiting') AND next_attempt_at <= ?
                ORDER BY id LIMIT 1
                """, arguments: arguments) else { return nil }
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1, updated_at = ? WHERE id = ?",
                           arguments: [at.storeSeconds, id])
            return PrintJob(row: try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE id = ?", arguments: [id])!)
        }
    }

    /// When the first job of `roles` waiting or queued comes due (its next attempt), if any: a read, so that an idle
    /// printer's worker can sleep until then instead of looking at the queue again and again.
    public func nextPrintAttempt(roles: [String]) async throws -> Date? {
        guard !roles.isEmpty else { return nil }
        return try await pool.read { db in
            let marks = roles.map { _ in "?" }.joined(separator: ",")
            let seconds = try Int64.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM print_jobs WHERE printer_role IN (\(marks)) AND state IN ('queued', 'waiting')
                """, arguments: StatementArguments(roles))
            return seconds.map { Date(storeSeconds: $0) }
        }
    }

    /// The printer confirmed the job came out.
    public func markPrinted(job id: Int64, on printer: String, at: Date) async throws {
        try await transition(id, to: .done, allowedFrom: [.printing], wanted: "marked printed", at: at) { db in
            try db.execute(sql: "UPDATE print_jobs SET printed_at = ?, printed_on = ?, last_error = NULL, waiting_since = NULL WHERE id = ?",
                           arguments: [at.storeSeconds, printer, id])
        }
    }

    /// The printer cannot print now (paper out, cover open, unreachable): wait and try again at `retryAt`.
    public func markWaiting(job id: Int64, reason: String, retryAt: Date, at: Date) async throws {
        try await transition(id, to: .waiting, allowedFrom: [.printing], wanted: "put back to wait", at: at) { db in
            try db.execute(sql: """
                UPDATE print_jobs SET last_error = ?, next_attempt_at = ?, waiting_since = COALESCE(waiting_since, ?) WHERE id = ?
                """, arguments: [reason, retryAt.storeSeconds, at.storeSeconds, id])
        }
    }

    /// The job cannot be printed at all (a notice that cannot be encoded for the printer, say).
    public func markFailed(job id: Int64, reason: String, at: Date) async throws {
        try await transition(id, to: .failed, allowedFrom: [.printing, .queued, .waiting], wanted: "marked failed", at: at, audit: reason) { db in
            try db.execute(sql: "UPDATE print_jobs SET last_error = ? WHERE id = ?", arguments: [reason, id])
        }
    }

    /// Moves a waiting job to the role's backup printer (after the configured wait).
    public func failOver(job id: Int64, to backupRole: String, at: Date) async throws {
        try await transition(id, to: .queued, allowedFrom: [.printing, .waiting], wanted: "moved to \(backupRole)", at: at,
                             audit: "failover to \(backupRole)") { db in
            try db.execute(sql: "UPDATE print_jobs SET printer_role = ?, next_attempt_at = 0, waiting_since = NULL WHERE id = ?",
                           arguments: [backupRole, id])
        }
    }

    /// Ops cancels a job that has not printed.
    public func cancelPrintJob(_ id: Int64, actor: String, at: Date) async throws {
        try await transition(id, to: .cancelled, allowedFrom: [.queued, .waiting, .failed], wanted: "cancelled", at: at, audit: "by \(actor)") { _ in }
    }

    /// Ops sends a failed job round again.
    public func retryPrintJob(_ id: Int64, actor: String, at: Date) async throws {
        try await transition(id, to: .queued, allowedFrom: [.failed, .waiting], wanted: "retried", at: at, audit: "by \(actor)") { db in
            try db.execute(sql: "UPDATE print_jobs SET next_attempt_at = 0 WHERE id = ?", arguments: [id])
        }
    }

    /// Jobs left `printing` by a gateway that stopped mid-job: whether the paper came out is unknown, so they
    /// wait for a person (retry or cancel) rather than risk printing a notice twice.
    public func recoverInterruptedPrintJobs(at: Date) async throws -> [Int64] {
        try await pool.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM print_jobs WHERE state = 'printing'")
            for id in ids {
                try db.execute(sql: """
                    UPDATE print_jobs SET state = 'failed', updated_at = ?,
                        last_error = 'the gateway stopped while printing: check whether the notice came out, then retry or cancel'
                    WHERE id = ?
                    """, arguments: [at.storeSeconds, id])
                try AuditChain.append(db, at: at, actor: "gateway", action: "print.interrupted", subject: "job \(id)", detail: "")
            }
            return ids
        }
    }

    private func transition(_ id: Int64, to state: PrintJobState, allowedFrom: Set<PrintJobState>, wanted: String, at: Date,
                            audit: String? = nil, _ body: @escaping @Sendable (Database) throws -> Void) async throws {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state FROM print_jobs WHERE id = ?", arguments: [id]) else {
                throw PrintJobTransitionError(id: id, state: .cancelled, wanted: wanted + " (no such job)")
            }
            let current = PrintJobState(rawValue: row["state"]) ?? .failed
            guard allowedFrom.contains(current) else { throw PrintJobTransitionError(id: id, state: current, wanted: wanted) }
            try db.execute(sql: "UPDATE print_jobs SET state = ?, updated_at = ? WHERE id = ?", arguments: [state.rawValue, at.storeSeconds, id])
            try body(db)
            if let audit {
                try AuditChain.append(db, at: at, actor: "gateway", action: "print.\(state.rawValue)", subject: "job \(id)", detail: audit)
            }
        }
    }
}

extension PrintJob {
    init(row: Row) {
        self.init(id: row["id"], idempotencyKey: row["idempotency_key"], kind: PrintJobKind(rawValue: row["kind"]) ?? .notice,
                  printerRole: row["printer_role"], noticeID: row["notice_id"], copies: row["copies"], reprint: row["reprint"],
                  state: PrintJobState(rawValue: row["state"]) ?? .failed, attempts: row["attempts"], lastError: row["last_error"],
                  createdAt: Date(storeSeconds: row["created_at"]),
                  waitingSince: (row["waiting_since"] as Int64?).map(Date.init(storeSeconds:)),
                  nextAttemptAt: Date(storeSeconds: row["next_attempt_at"]),
                  printedAt: (row["printed_at"] as Int64?).map(Date.init(storeSeconds:)), printedOn: row["printed_on"])
    }
}

/// Print-job writes that run inside a caller's transaction.
enum PrintJobRecords {
    /// Queues a job, or answers the one already queued under `idempotencyKey`.
    static func enqueue(_ db: Database, idempotencyKey: String, printerRole: String, noticeID: Int64?, copies: Int, at: Date,
                        kind: PrintJobKind = .notice, reprint: Bool = false, actor: String = "gateway") throws -> PrintJob {
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE idempotency_key = ?", arguments: [idempotencyKey]) {
            return PrintJob(row: row)
        }
        try db.execute(sql: """
            INSERT INTO print_jobs (idempotency_key, kind, printer_role, notice_id, copies, reprint, created_at, updated_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
            """, arguments: [idempotencyKey, kind.rawValue, printerRole, noticeID, copies, reprint, at.storeSeconds, at.storeSeconds])
        let id = db.lastInsertedRowID
        if reprint {
            try AuditChain.append(db, at: at, actor: actor, action: "print.reprint", subject: "job \(id)", detail: "notice id \(noticeID.map(String.init) ?? "-")")
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM print_jobs WHERE id = ?", arguments: [id]) else {
            throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "print job \(id) vanished in its own transaction")
        }
        return PrintJob(row: row)
    }
}
