// The durable queue of commands for push terminals: queued by the CLI or the gateway, handed out at a terminal's poll
// (marked sent in the same transaction), sent again after a timeout up to a number of attempts, matched to results
// by id.
import Foundation
import GRDB

/// Where a command is.
public enum PushCommandState: String, Sendable, Hashable, Codable {
    /// Waiting for the terminal's next poll.
    case queued
    /// Handed to the terminal; waiting for its result.
    case sent
    /// The terminal ran it (Return ≥ 0).
    case done
    /// The terminal answered with an error code.
    case failed
    /// Sent the allowed number of times without a result.
    case expired
    /// Withdrawn by ops before it was done.
    case cancelled

    public var isFinished: Bool { self != .queued && self != .sent }
}

/// A command as the store holds it.
public struct PushCommandRecord: Sendable, Hashable {
    public let id: Int64
    public let serial: String
    public let command: String
    /// Why it was queued (`restore of backup 3`, `ops: countergate terminal send`), for people reading the queue.
    public let purpose: String
    public let state: PushCommandState
    public let attempts: Int
    public let maxAttempts: Int
    public let timeoutSeconds: Int
    public let createdAt: Date
    public let createdBy: String
    public let sentAt: Date?
    public let finishedAt: Date?
    public let returnCode: Int?
    /// What the terminal sent with its result (an INFO result's facts), one `key=value` a line.
    public let result: String?
}

/// A command to queue.
public struct NewPushCommand: Sendable, Hashable {
    public var text: String
    public var purpose: String

    public init(text: String, purpose: String) {
        self.text = text
        self.purpose = purpose
    }
}

/// A terminal's result for a command, as read from its `devicecmd` body.
public struct PushCommandOutcome: Sendable, Hashable {
    public var id: Int64
    public var returnCode: Int
    public var content: String

    public init(id: Int64, returnCode: Int, content: String) {
        self.id = id
        self.returnCode = returnCode
        self.content = content
    }
}

extension HallStore {
    /// Queues commands for a terminal, in order; audited as one entry.
    /// - Returns: their ids (what the terminal returns with its results).
    @discardableResult
    public func enqueuePushCommands(serial: String, _ commands: [NewPushCommand], by actor: String, maxAttempts: Int, timeoutSeconds: Int,
                                    at: Date) async throws -> [Int64] {
        guard !commands.isEmpty else { return [] }
        return try await pool.write { db in
            var ids: [Int64] = []
            for command in commands {
                try db.execute(sql: """
                    INSERT INTO push_commands (serial, command, purpose, max_attempts, timeout_seconds, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [serial, command.text, command.purpose, max(1, maxAttempts), max(1, timeoutSeconds), at.storeSeconds, actor])
                ids.append(db.lastInsertedRowID)
            }
            let verbs = Dictionary(grouping: commands, by: { $0.text.split(separator: " ").prefix(3).joined(separator: " ") }).map { "\($0.value.count) × \($0.key)" }
            try AuditChain.append(db, at: at, actor: actor, action: "push.commands.queued", subject: serial,
                                  detail: "\(commands.count) command(s) \(ids.first ?? 0)…\(ids.last ?? 0): " + verbs.sorted().joined(separator: ", ")
                                      + " (\(commands[0].purpose))")
            return ids
        }
    }

    /// Whether a terminal has a command to hand out now (a cheap read, done at every poll before any write).
    public func hasDuePushCommands(serial: String, at: Date) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM push_commands WHERE serial = ? AND (state = 'queued' OR (state = 'sent' AND sent_at + timeout_seconds <= ?)) LIMIT 1
                """, arguments: [serial, at.storeSeconds]) ?? false
        }
    }

    /// Hands out a terminal's due commands, oldest first: queued ones, and sent ones whose result did not come within
    /// their timeout and that have attempts left (sent again under the same id). Each is marked sent in this
    /// transaction; sent ones out of attempts are expired.
    /// - Parameters:
    ///   - limit: at most this many commands …
    ///   - byteBudget: … and no more text than this (templates are a few KiB each), but always at least one.
    public func takeDuePushCommands(serial: String, limit: Int, byteBudget: Int, at: Date) async throws -> [(id: Int64, command: String)] {
        try await pool.write { db in
            let now = at.storeSeconds
            try Self.expireTimedOut(db, serial: serial, now: now)
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, command FROM push_commands
                WHERE serial = ? AND (state = 'queued' OR (state = 'sent' AND sent_at + timeout_seconds <= ? AND attempts < max_attempts))
                ORDER BY id LIMIT ?
                """, arguments: [serial, now, max(1, limit)])
            var taken: [(id: Int64, command: String)] = []
            var bytes = 0
            for row in rows {
                let command: String = row["command"]
                if !taken.isEmpty && bytes + command.utf8.count > byteBudget { break }
                bytes += command.utf8.count
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE push_commands SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ?", arguments: [now, id])
                taken.append((id, command))
            }
            return taken
        }
    }

    /// Records a terminal's results: each matched to the terminal's own command by id (a result naming another
    /// terminal's command, or an unknown id, changes nothing). A command already finished keeps its first result.
    /// - Returns: the commands that were finished by these results.
    public func completePushCommands(serial: String, _ outcomes: [PushCommandOutcome], at: Date) async throws -> [PushCommandRecord] {
        try await pool.write { db in
            var finished: [PushCommandRecord] = []
            for outcome in outcomes {
                try db.execute(sql: """
                    UPDATE push_commands SET state = ?, return_code = ?, result = ?, finished_at = ?
                    WHERE id = ? AND serial = ? AND state IN ('queued', 'sent', 'expired')
                    """, arguments: [outcome.returnCode >= 0 ? PushCommandState.done.rawValue : PushCommandState.failed.rawValue,
                                     outcome.returnCode, outcome.content.isEmpty ? nil : outcome.content, at.storeSeconds, outcome.id, serial])
                guard db.changesCount > 0, let row = try Row.fetchOne(db, sql: "SELECT * FROM push_commands WHERE id = ?", arguments: [outcome.id]) else { continue }
                finished.append(Self.pushCommandRecord(row))
            }
            return finished
        }
    }

    /// Expires, for every terminal, the sent commands out of attempts whose last timeout has passed.
    /// - Returns: the commands expired now (to be reported).
    public func expirePushCommands(at: Date) async throws -> [PushCommandRecord] {
        try await pool.write { db in try Self.expireTimedOut(db, serial: nil, now: at.storeSeconds) }
    }

    @discardableResult
    static func expireTimedOut(_ db: Database, serial: String?, now: Int64) throws -> [PushCommandRecord] {
        var sql = "SELECT * FROM push_commands WHERE state = 'sent' AND attempts >= max_attempts AND sent_at + timeout_seconds <= ?"
        var arguments: StatementArguments = [now]
        if let serial {
            sql += " AND serial = ?"
            arguments += [serial]
        }
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
        var expired: [PushCommandRecord] = []
        for row in rows {
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE push_commands SET state = 'expired', finished_at = ? WHERE id = ?", arguments: [now, id])
            let record = pushCommandRecord(row)
            try AuditChain.append(db, at: Date(storeSeconds: now), actor: "gateway", action: "push.command.expired", subject: record.serial,
                                  detail: "command \(id) (\(record.command.prefix(60))) was sent \(record.attempts) time(s) without a result; "
                                      + "check the terminal is on and polling, then queue it again")
            expired.append(Self.pushCommandRecord(try Row.fetchOne(db, sql: "SELECT * FROM push_commands WHERE id = ?", arguments: [id]) ?? row))
        }
        return expired
    }

    /// Withdraws a terminal's commands that were not finished (all, or those with the given ids); audited.
    @discardableResult
    public func cancelPushCommands(serial: String, ids: [Int64]? = nil, by actor: String, at: Date) async throws -> Int {
        try await pool.write { db in
            var sql = "UPDATE push_commands SET state = 'cancelled', finished_at = ? WHERE serial = ? AND state IN ('queued', 'sent')"
            var arguments: StatementArguments = [at.storeSeconds, serial]
            if let ids {
                sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                for id in ids { arguments += [id] }
            }
            try db.execute(sql: sql, arguments: arguments)
            let count = db.changesCount
            if count > 0 {
                try AuditChain.append(db, at: at, actor: actor, action: "push.commands.cancelled", subject: serial, detail: "\(count) command(s) withdrawn")
            }
            return count
        }
    }

    /// A terminal's commands, newest first.
    public func pushCommands(serial: String? = nil, limit: Int = 100) async throws -> [PushCommandRecord] {
        try await pool.read { db in
            let rows = try serial.map {
                try Row.fetchAll(db, sql: "SELECT * FROM push_commands WHERE serial = ? ORDER BY id DESC LIMIT ?", arguments: [$0, limit])
            } ?? Row.fetchAll(db, sql: "SELECT * FROM push_commands ORDER BY id DESC LIMIT ?", arguments: [limit])
            return rows.map(Self.pushCommandRecord)
        }
    }

    /// Commands by id (for a caller waiting on the ones it queued).
    public func pushCommands(ids: [Int64]) async throws -> [PushCommandRecord] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            var arguments = StatementArguments()
            for id in ids { arguments += [id] }
            return try Row.fetchAll(db, sql: "SELECT * FROM push_commands WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
                                    arguments: arguments).map(Self.pushCommandRecord)
        }
    }

    static func pushCommandRecord(_ row: Row) -> PushCommandRecord {
        PushCommandRecord(id: row["id"], serial: row["serial"], command: row["command"], purpose: row["purpose"],
                          state: PushCommandState(rawValue: row["state"]) ?? .queued, attempts: row["attempts"], maxAttempts: row["max_attempts"],
                          timeoutSeconds: row["timeout_seconds"], createdAt: Date(storeSeconds: row["created_at"]), createdBy: row["created_by"],
                          sentAt: (row["sent_at"] as Int64?).map(Date.init(storeSeconds:)), finishedAt: (row["finished_at"] as Int64?).map(Date.init(storeSeconds:)),
                          returnCode: row["return_code"], result: row["result"])
    }
}
