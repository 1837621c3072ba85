// The outbox: every record the county's centre gets from this hall (punches, sign-ins and their review, leave acts,
// 补卡, notices and their voiding, print job outcomes, attendance mode switches, published monthly sheets, audit entries), written by triggers in
// the same transaction as the record, so nothing is forwarded that was not committed here and nothing committed is
// missed. docs/central.md.
import Foundation
import GRDB

/// One record waiting for the centre.
public struct OutboxRecord: Sendable, Hashable, Codable {
    /// The hall's own order: every record gets the next number, in commit order, without gaps.
    public let seq: Int64
    /// punch, sign_in, sign_in_review, leave, punch_correction, notice, notice_void, print_outcome, mode, audit.
    public let kind: String
    /// The record's identity within the hall; with the hall's id, its identity in the county.
    public let key: String
    /// When it happened by the hall's clock (seconds since 1970).
    public let occurredAt: Int64
    /// When this hall stored it (seconds since 1970).
    public let recordedAt: Int64
    /// The record's fields as a JSON object (text).
    public let body: String
}

/// Where forwarding stands.
public struct OutboxStatus: Sendable, Equatable {
    public let hallID: String
    /// The current numbering stream: a restore starts a new one (its numbers start again below the centre's).
    public let stream: String
    /// The highest number the centre said it has committed.
    public let acknowledged: Int64
    /// Records not yet acknowledged.
    public let waiting: Int64
    /// When the oldest of them was stored; nil when none waits.
    public let oldestWaiting: Date?
    public let lastContact: Date?
    public let lastError: String?

    public init(hallID: String, stream: String, acknowledged: Int64, waiting: Int64, oldestWaiting: Date?, lastContact: Date?, lastError: String?) {
        self.hallID = hallID
        self.stream = stream
        self.acknowledged = acknowledged
        self.waiting = waiting
        self.oldestWaiting = oldestWaiting
        self.lastContact = lastContact
        self.lastError = lastError
    }
}

/// Why the outbox cannot be switched on.
public enum OutboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration names another hall id than the one this store already forwards as.
    case hallIDChanged(stored: String, configured: String)

    public var description: String {
        switch self {
        case .hallIDChanged(let stored, let configured):
            return "[central] hall_id is \"\(configured)\", but this hall's store already forwards as \"\(stored)\"; a changed id "
                + "would fork the hall's records at the centre. Put hall_id = \"\(stored)\" back (a hall that really moves to "
                + "a new id needs the centre's ops: docs/central.md)"
        }
    }
}

extension HallStore {
    /// Switches forwarding on for `hallID` (idempotent): creates the triggers that fill the outbox and, the first time,
    /// puts every record already in the store into it, so the centre gets the hall's whole history.
    /// - Throws: ``OutboxError/hallIDChanged(stored:configured:)`` when the store forwards under another id.
    @discardableResult
    public func enableOutbox(hallID: String, at now: Date) async throws -> OutboxStatus {
        try await pool.write { db in
            if let stored = try String.fetchOne(db, sql: "SELECT hall_id FROM outbox_state WHERE id = 1") {
                guard stored == hallID else { throw OutboxError.hallIDChanged(stored: stored, configured: hallID) }
                for sql in OutboxTriggers.all { try db.execute(sql: sql) }
                return
            }
            try db.execute(sql: "INSERT INTO outbox_state (id, hall_id, stream, enabled_at) VALUES (1, ?, ?, ?)",
                           arguments: [hallID, UUID().uuidString.lowercased(), now.storeSeconds])
            for sql in OutboxTriggers.backfill { try db.execute(sql: sql) }
            for sql in OutboxTriggers.all { try db.execute(sql: sql) }
        }
        return try await outboxStatus(at: now)!
    }

    /// Starts a new numbering stream (after a restore: the restored outbox's numbers may already be at the centre under
    /// other records). Records waiting are sent again in the new stream; the centre keeps the first copy of each.
    public func startNewOutboxStream() async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE outbox_state SET stream = ?, acknowledged_seq = 0 WHERE id = 1", arguments: [UUID().uuidString.lowercased()])
            // The restored store's own acknowledged rows were deleted as they were acknowledged; what is left waits.
        }
    }

    /// Where forwarding stands; nil when it was never switched on.
    public func outboxStatus(at now: Date) async throws -> OutboxStatus? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT hall_id, stream, acknowledged_seq, last_contact, last_error FROM outbox_state WHERE id = 1") else {
                return nil
            }
            let acknowledged: Int64 = row["acknowledged_seq"]
            let waiting = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE seq > ?", arguments: [acknowledged]) ?? 0
            let oldest = try Int64.fetchOne(db, sql: "SELECT recorded_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1", arguments: [acknowledged])
            return OutboxStatus(hallID: row["hall_id"], stream: row["stream"], acknowledged: acknowledged, waiting: waiting,
                                oldestWaiting: oldest.map(Date.init(storeSeconds:)),
                                lastContact: (row["last_contact"] as Int64?).map(Date.init(storeSeconds:)), lastError: row["last_error"])
        }
    }

    /// The next records to send, in order, at most `limit`: after the acknowledged number, or after `after` when given
    /// (the forwarder reads on while its last acknowledgement is still being written). `after` in the answer is where
    /// the records follow on.
    public func outboxBatch(after given: Int64? = nil, limit: Int) async throws -> (stream: String, after: Int64, records: [OutboxRecord]) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT stream, acknowledged_seq FROM outbox_state WHERE id = 1") else { return ("", 0, []) }
            let acknowledged: Int64 = max(row["acknowledged_seq"], given ?? 0)
            let records = try Row.fetchAll(db, sql: """
                SELECT seq, kind, record_key, occurred_at, recorded_at, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?
                """, arguments: [acknowledged, limit]).map {
                OutboxRecord(seq: $0["seq"], kind: $0["kind"], key: $0["record_key"], occurredAt: $0["occurred_at"],
                             recordedAt: $0["recorded_at"], body: $0["body"])
            }
            return (row["stream"], acknowledged, records)
        }
    }

    /// The centre committed everything up to `seq` of `stream`: those rows are done and leave the outbox.
    /// An answer for an older stream (sent before a restore) changes nothing.
    public func acknowledgeOutbox(stream: String, through seq: Int64, at now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE outbox_state SET acknowledged_seq = MAX(acknowledged_seq, ?), last_contact = ?, last_error = NULL
                WHERE id = 1 AND stream = ?
                """, arguments: [seq, now.storeSeconds, stream])
            guard db.changesCount > 0 else { return }
            try db.execute(sql: "DELETE FROM outbox WHERE seq <= (SELECT acknowledged_seq FROM outbox_state WHERE id = 1)")
        }
    }

    /// The highest sequence in the outbox (0 when it is empty): with the last one sent, how much is left, cheaply.
    public func newestOutboxSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0 }
    }

    /// Notes why the last attempt to forward failed (shown on the ops page until the next success).
    public func noteOutboxFailure(_ reason: String) async throws {
        try await pool.write { db in try db.execute(sql: "UPDATE outbox_state SET last_error = ? WHERE id = 1", arguments: [reason]) }
    }
}

/// The triggers that fill the outbox, and the statements that put a store's existing records into it.
enum OutboxTriggers {
    /// The identity of a record that has only a local row id: prefixed with the stream, which a restore renews, so a
    /// row id used again after a restore is a new record at the centre.
    private static let stream = "(SELECT stream FROM outbox_state WHERE id = 1)"

    private static func insert(_ kind: String, key: String, occurred: String, body: String) -> String {
        """
        INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body)
        VALUES ('\(kind)', \(key), \(occurred), CAST(strftime('%s', 'now') AS INTEGER), \(body));
        """
    }

    // The bodies: the record's own fields (times as seconds since 1970).
    private static func punchBody(_ r: String) -> String {
        "json_object('terminal_serial', \(r).terminal_serial, 'terminal_user_id', \(r).terminal_user_id, 'punched_at', \(r).punched_at, 'verification', \(r).verification, 'direction', \(r).direction, 'staff_id', \(r).staff_id, 'flag', \(r).flag, 'received_at', \(r).received_at)"
    }
    private static func punchKey(_ r: String) -> String { "\(r).terminal_serial || '/' || \(r).terminal_user_id || '/' || \(r).punched_at" }
    private static func signInBody(_ r: String) -> String {
        "json_object('id', \(r).id, 'staff_id', \(r).staff_id, 'signed_at', \(r).signed_at, 'method', \(r).method, 'terminal_role', \(r).terminal_role, 'status', \(r).status, 'reviewed_by', \(r).reviewed_by, 'reviewed_at', \(r).reviewed_at, 'reject_reason', \(r).reject_reason)"
    }
    private static func noticeBody(_ r: String) -> String {
        "json_object('number', \(r).number, 'year', \(r).year, 'sequence', \(r).sequence, 'kind', \(r).kind, 'window', \(r).window, 'clerk', \(r).clerk, 'applicant', \(r).applicant, 'item', \(r).item, 'received_on', \(r).received_on, 'promised_completion', \(r).promised_completion, 'issued_at', \(r).issued_at, 'status', \(r).status, 'void_reason', \(r).void_reason, 'follows', \(r).follows)"
    }
    private static func leaveBody(_ r: String) -> String {
        "json_object('id', \(r).id, 'staff_id', \(r).staff_id, 'kind', \(r).kind, 'starts_at', \(r).starts_at, 'ends_at', \(r).ends_at, 'reason', \(r).reason, 'state', \(r).state, 'decided_by', \(r).decided_by, 'requested_by', \(r).requested_by, 'updated_at', \(r).updated_at)"
    }
    private static func correctionBody(_ r: String) -> String {
        "json_object('id', \(r).id, 'staff_id', \(r).staff_id, 'punched_at', \(r).punched_at, 'reason', \(r).reason, 'corrected_by', \(r).corrected_by, 'corrected_at', \(r).corrected_at)"
    }
    private static func jobBody(_ r: String) -> String {
        "json_object('idempotency_key', \(r).idempotency_key, 'printer_role', \(r).printer_role, 'notice', (SELECT number FROM notices WHERE id = \(r).notice_id), 'copies', \(r).copies, 'state', \(r).state, 'attempts', \(r).attempts, 'last_error', \(r).last_error, 'updated_at', \(r).updated_at)"
    }
    private static func modeBody(_ r: String) -> String {
        "json_object('terminal_role', \(r).terminal_role, 'mode', \(r).mode, 'since', \(r).since, 'reason', \(r).reason)"
    }
    private static func sheetBody(_ r: String) -> String {
        "json_object('month', \(r).month, 'published_at', \(r).published_at, 'published_by', \(r).published_by, 'sheet', json(\(r).sheet))"
    }
    private static func auditBody(_ r: String) -> String {
        "json_object('id', \(r).id, 'at', \(r).at, 'actor', \(r).actor, 'action', \(r).action, 'subject', \(r).subject, 'detail', \(r).detail, 'hash', \(r).hash)"
    }

    static let all: [String] = [
        "CREATE TRIGGER IF NOT EXISTS outbox_punch AFTER INSERT ON punches BEGIN "
            + insert("punch", key: punchKey("NEW"), occurred: "NEW.punched_at", body: punchBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_sign_in AFTER INSERT ON sign_ins BEGIN "
            + insert("sign_in", key: "\(stream) || '/' || NEW.id", occurred: "NEW.signed_at", body: signInBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_sign_in_review AFTER UPDATE OF status ON sign_ins WHEN NEW.status != OLD.status BEGIN "
            + insert("sign_in_review", key: "\(stream) || '/' || NEW.id || '/' || NEW.status", occurred: "COALESCE(NEW.reviewed_at, NEW.signed_at)", body: signInBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_notice AFTER INSERT ON notices BEGIN "
            + insert("notice", key: "NEW.number", occurred: "NEW.issued_at", body: noticeBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_notice_void AFTER UPDATE OF status ON notices WHEN NEW.status = 'voided' AND OLD.status != 'voided' BEGIN "
            + insert("notice_void", key: "NEW.number", occurred: "CAST(strftime('%s', 'now') AS INTEGER)", body: noticeBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_print_outcome AFTER UPDATE OF state ON print_jobs WHEN NEW.state IN ('done', 'failed', 'cancelled') AND NEW.state != OLD.state BEGIN "
            + insert("print_outcome", key: "NEW.idempotency_key || '/' || NEW.state || '/' || NEW.attempts", occurred: "NEW.updated_at", body: jobBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_leave AFTER INSERT ON leave_requests BEGIN "
            + insert("leave", key: "\(stream) || '/' || NEW.id || '/' || NEW.state", occurred: "NEW.updated_at", body: leaveBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_leave_act AFTER UPDATE OF state ON leave_requests WHEN NEW.state != OLD.state BEGIN "
            + insert("leave", key: "\(stream) || '/' || NEW.id || '/' || NEW.state", occurred: "NEW.updated_at", body: leaveBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_punch_correction AFTER INSERT ON punch_corrections BEGIN "
            + insert("punch_correction", key: "\(stream) || '/' || NEW.id", occurred: "NEW.punched_at", body: correctionBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_mode AFTER INSERT ON attendance_modes BEGIN "
            + insert("mode", key: "NEW.terminal_role || '/' || NEW.since || '/' || NEW.mode", occurred: "NEW.since", body: modeBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_mode_change AFTER UPDATE ON attendance_modes WHEN NEW.mode != OLD.mode OR NEW.since != OLD.since BEGIN "
            + insert("mode", key: "NEW.terminal_role || '/' || NEW.since || '/' || NEW.mode", occurred: "NEW.since", body: modeBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_published_sheet AFTER INSERT ON published_months BEGIN "
            + insert("published_sheet", key: "NEW.month || '/' || NEW.published_at", occurred: "NEW.published_at", body: sheetBody("NEW")) + " END",
        "CREATE TRIGGER IF NOT EXISTS outbox_audit AFTER INSERT ON audit_log BEGIN "
            + insert("audit", key: "\(stream) || '/' || NEW.id", occurred: "NEW.at", body: auditBody("NEW")) + " END",
    ]

    /// The store's history, in the order it happened within each kind, when forwarding is first switched on.
    static let backfill: [String] = [
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'punch', \(punchKey("p")), p.punched_at, p.received_at, \(punchBody("p")) FROM punches p ORDER BY p.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'sign_in', \(stream) || '/' || s.id, s.signed_at, s.signed_at, \(signInBody("s")) FROM sign_ins s ORDER BY s.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'sign_in_review', \(stream) || '/' || s.id || '/' || s.status, COALESCE(s.reviewed_at, s.signed_at), COALESCE(s.reviewed_at, s.signed_at), \(signInBody("s")) FROM sign_ins s WHERE s.status != 'pending' ORDER BY s.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'notice', n.number, n.issued_at, n.issued_at, \(noticeBody("n")) FROM notices n ORDER BY n.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'notice_void', n.number, n.issued_at, n.issued_at, \(noticeBody("n")) FROM notices n WHERE n.status = 'voided' ORDER BY n.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'print_outcome', j.idempotency_key || '/' || j.state || '/' || j.attempts, j.updated_at, j.updated_at, \(jobBody("j")) FROM print_jobs j WHERE j.state IN ('done', 'failed', 'cancelled') ORDER BY j.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'leave', \(stream) || '/' || l.id || '/' || l.state, l.updated_at, l.updated_at, \(leaveBody("l")) FROM leave_requests l ORDER BY l.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'punch_correction', \(stream) || '/' || c.id, c.punched_at, c.corrected_at, \(correctionBody("c")) FROM punch_corrections c ORDER BY c.id",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'mode', m.terminal_role || '/' || m.since || '/' || m.mode, m.since, m.since, \(modeBody("m")) FROM attendance_modes m",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'published_sheet', m.month || '/' || m.published_at, m.published_at, m.published_at, \(sheetBody("m")) FROM published_months m ORDER BY m.month",
        "INSERT INTO outbox (kind, record_key, occurred_at, recorded_at, body) SELECT 'audit', \(stream) || '/' || a.id, a.at, a.at, \(auditBody("a")) FROM audit_log a ORDER BY a.id",
    ]
}
