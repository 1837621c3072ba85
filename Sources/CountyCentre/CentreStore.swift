// The centre's records in PostgreSQL: the halls and their tokens, each batch committed in one transaction with
// INSERT … ON CONFLICT DO NOTHING on the record's county identity, each hall's streams and watermark, and the county's
// views. docs/central.md.
import Crypto
import CounterCore
import Foundation
import Logging
import PostgresNIO

/// How a batch ended.
public enum BatchOutcome: Sendable, Equatable {
    /// PostgreSQL refused a record's body (not JSON, or not an object): nothing of the batch was written.
    case badBody(String)
    /// Committed (or already there): everything of the stream up to this sequence is in the centre.
    case committed(Int64)
    /// The batch follows records the centre does not have: it has the stream only up to this sequence (the hall sends
    /// from there).
    case gap(committed: Int64)
}

/// A registered hall as the views show it.
public struct HallLag: Sendable, Equatable, Codable {
    public let id: String
    public let name: String
    public let committed: Int64?
    /// Everything the hall stored up to this time of its own clock is at the centre (seconds since 1970).
    public let watermark: Int64?
    public let hallClock: Int64?
    public let waiting: Int64?
    /// Our clock at the hall's last batch (seconds since 1970).
    public let lastContact: Int64?
    /// How far the hall's clock was from ours at its last contact, in seconds (positive: the hall's is ahead).
    public let clockSkew: Int64?
}

/// A notice of the county's register.
public struct CountyNotice: Sendable, Equatable, Codable {
    public let hall: String
    public let number: String
    public let kind: String
    public let window: Int
    public let clerk: String
    public let applicant: String
    public let item: String
    public let receivedOn: String
    public let promisedCompletion: String?
    public let issuedAt: Int64
    public let voided: Bool
}

/// One person's day at one hall: first and last time (punches, confirmed sign-ins, 补卡), and whether the county may
/// judge the day yet (every hall has forwarded past its end).
public struct CountyAttendanceDay: Sendable, Equatable, Codable {
    public let hall: String
    public let person: String
    public let day: String
    public let first: Int64
    public let last: Int64
    public let times: Int
    public let judged: Bool
}

public struct CentreStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// A test-only fault that proves the central suite can fail: batches are answered as committed but their records
    /// are not written. Set only by `COUNTERGATE_TEST_FAULT=centre-skip-insert` (Tests/Reliability/central_suite.py).
    public var skipInsertsForTest = false
    /// A test-only pause inside each batch's transaction, after its records are written and before the commit, so the
    /// central suite can kill the centre mid-commit for certain. Set only by `COUNTERGATE_TEST_FAULT=centre-slow-commit`.
    public var slowCommitForTest = false

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Registers a hall and returns its new token (shown once; the centre keeps only its hash). A hall registered
    /// again gets a new token, and the old one stops working.
    public func registerHall(id: String, name: String) async throws -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        let hash = Self.tokenHash(token)
        try await client.query("""
            INSERT INTO halls (id, name, token_sha256) VALUES (\(id), \(name), \(hash))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, token_sha256 = EXCLUDED.token_sha256
            """, logger: logger)
        return token
    }

    /// The hall a token belongs to, or nil.
    public func hall(forToken token: String) async throws -> String? {
        let hash = Self.tokenHash(token)
        for try await id in try await client.query("SELECT id FROM halls WHERE token_sha256 = \(hash)", logger: logger).decode(String.self) {
            return id
        }
        return nil
    }

    /// Commits a batch of `hall` (already authenticated and checked for shape) in one transaction.
    public func commit(_ batch: ForwardBatch, hall: String) async throws -> BatchOutcome {
        let logger = self.logger
        do {
            return try await commitChecked(batch, hall: hall, logger: logger)
        } catch {
            // 22P02: a body that is not JSON; 23514: one that is not an object (records_body_check). PostgreSQL parses
            // every body anyway, so it is the one that checks them. The error comes wrapped in the transaction's.
            let underlying = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.commitError } ?? error
            if let psql = underlying as? PSQLError, let state = psql.serverInfo?[.sqlState], state == "22P02" || state == "23514" {
                return .badBody(psql.serverInfo?[.message] ?? "a record's body is not a JSON object")
            }
            throw error
        }
    }

    private func commitChecked(_ batch: ForwardBatch, hall: String, logger: Logger) async throws -> BatchOutcome {
        try await client.withTransaction(logger: logger) { connection -> BatchOutcome in
            func committedSeq() async throws -> Int64? {
                for try await seq in try await connection.query("""
                    SELECT committed_seq FROM hall_streams WHERE hall_id = \(hall) AND stream = \(batch.stream) FOR UPDATE
                    """, logger: logger).decode(Int64.self) { return seq }
                return nil
            }
            var committed = try await committedSeq()
            if committed == nil {
                // A stream the centre has not seen (the hall's first batch, or its first after a restore) starts where
                // its first batch starts.
                let start = batch.after
                try await connection.query("""
                    INSERT INTO hall_streams (hall_id, stream, committed_seq) VALUES (\(hall), \(batch.stream), \(start)) ON CONFLICT DO NOTHING
                    """, logger: logger)
                committed = try await committedSeq()
            }
            guard let before = committed else { return .gap(committed: 0) }
            if batch.after > before { return .gap(committed: before) }
            let fresh = batch.records.filter { $0.seq > before }
            if skipInsertsForTest, !fresh.isEmpty {
                logger.critical("TEST FAULT centre-skip-insert: a batch answered as committed and NOT written (COUNTERGATE_TEST_FAULT)")
            } else if !fresh.isEmpty {
                let kinds = fresh.map(\.kind), keys = fresh.map(\.key), seqs = fresh.map(\.seq)
                let occurred = fresh.map(\.occurredAt), recorded = fresh.map(\.recordedAt), bodies = fresh.map(\.body)
                try await connection.query("""
                    INSERT INTO records (hall_id, kind, record_key, stream, seq, occurred_at, recorded_at, body)
                    SELECT \(hall), k, r, \(batch.stream), s, o, c, b::jsonb
                    FROM unnest(\(kinds)::text[], \(keys)::text[], \(seqs)::bigint[], \(occurred)::bigint[], \(recorded)::bigint[], \(bodies)::text[]) AS t(k, r, s, o, c, b)
                    ON CONFLICT (hall_id, kind, record_key) DO NOTHING
                    """, logger: logger)
            }
            if slowCommitForTest, !fresh.isEmpty {
                try await connection.query("SELECT pg_sleep(0.5) AS countergate_test_slow_commit", logger: logger)
            }
            let after = max(before, batch.records.last?.seq ?? before)
            try await connection.query("""
                UPDATE hall_streams SET committed_seq = \(after) WHERE hall_id = \(hall) AND stream = \(batch.stream)
                """, logger: logger)
            let watermark: Int64? = batch.caughtUp ? batch.hallClock : nil
            try await connection.query("""
                INSERT INTO hall_contact (hall_id, stream, committed_seq, watermark, hall_clock, waiting, last_contact)
                VALUES (\(hall), \(batch.stream), \(after), \(watermark), \(batch.hallClock), \(batch.waiting), now())
                ON CONFLICT (hall_id) DO UPDATE SET stream = EXCLUDED.stream, committed_seq = EXCLUDED.committed_seq,
                    watermark = COALESCE(GREATEST(hall_contact.watermark, EXCLUDED.watermark), hall_contact.watermark, EXCLUDED.watermark),
                    hall_clock = EXCLUDED.hall_clock, waiting = EXCLUDED.waiting, last_contact = now()
                """, logger: logger)
            return .committed(after)
        }
    }

    /// Every registered hall with its lag and last contact.
    public func halls() async throws -> [HallLag] {
        var result: [HallLag] = []
        let rows = try await client.query("""
            SELECT h.id, h.name, c.committed_seq, c.watermark, c.hall_clock, c.waiting,
                   EXTRACT(EPOCH FROM c.last_contact)::bigint
            FROM halls h LEFT JOIN hall_contact c ON c.hall_id = h.id ORDER BY h.id
            """, logger: logger)
        for try await (id, name, committed, watermark, clock, waiting, contact) in rows.decode((String, String, Int64?, Int64?, Int64?, Int64?, Int64?).self) {
            let skew: Int64? = if let clock, let contact { clock - contact } else { nil }
            result.append(HallLag(id: id, name: name, committed: committed, watermark: watermark, hallClock: clock, waiting: waiting,
                                  lastContact: contact, clockSkew: skew))
        }
        return result
    }

    /// How many records of each hall the centre holds, by kind (tests and the ops page).
    public func counts() async throws -> [String: [String: Int64]] {
        var result: [String: [String: Int64]] = [:]
        for try await (hall, kind, count) in try await client.query("SELECT hall_id, kind, count(*) FROM records GROUP BY hall_id, kind", logger: logger)
            .decode((String, String, Int64).self) {
            result[hall, default: [:]][kind] = count
        }
        return result
    }

    /// The county's notice register: every hall's notices, optionally of one hall, window, clerk or month (YYYY-MM).
    public func notices(hall: String?, window: Int?, clerk: String?, month: String?) async throws -> [CountyNotice] {
        let monthPrefix = month.map { $0 + "%" }
        let rows = try await client.query("""
            SELECT n.hall_id, n.body->>'number', n.body->>'kind', (n.body->>'window')::bigint, n.body->>'clerk', n.body->>'applicant',
                   n.body->>'item', n.body->>'received_on', n.body->>'promised_completion', n.occurred_at,
                   EXISTS (SELECT 1 FROM records v WHERE v.hall_id = n.hall_id AND v.kind = 'notice_void' AND v.record_key = n.record_key)
            FROM records n
            WHERE n.kind = 'notice'
              AND (\(hall)::text IS NULL OR n.hall_id = \(hall))
              AND (\(window.map(Int64.init))::bigint IS NULL OR (n.body->>'window')::bigint = \(window.map(Int64.init)))
              AND (\(clerk)::text IS NULL OR n.body->>'clerk' = \(clerk))
              AND (\(monthPrefix)::text IS NULL OR n.body->>'received_on' LIKE \(monthPrefix))
            ORDER BY n.hall_id, n.occurred_at, n.body->>'number'
            """, logger: logger)
        var result: [CountyNotice] = []
        for try await (h, number, kind, window, clerk, applicant, item, receivedOn, promised, issued, voided)
            in rows.decode((String, String, String, Int64, String, String, String, String, String?, Int64, Bool).self) {
            result.append(CountyNotice(hall: h, number: number, kind: kind, window: Int(window), clerk: clerk, applicant: applicant, item: item,
                                       receivedOn: receivedOn, promisedCompletion: promised, issuedAt: issued, voided: voided))
        }
        return result
    }

    /// Each person's days of a month (YYYY-MM) at each hall, in China's time zone. A day is judged only when every
    /// registered hall's watermark is past its end: until then a hall offline may still bring punches of it.
    public func attendance(month: String) async throws -> [CountyAttendanceDay] {
        let rows = try await client.query("""
            WITH county AS (
                SELECT CASE WHEN count(*) = count(c.watermark) THEN min(c.watermark) END AS watermark
                FROM halls h LEFT JOIN hall_contact c ON c.hall_id = h.id
            ), times AS (
                SELECT hall_id, COALESCE(body->>'staff_id', 'terminal user ' || (body->>'terminal_user_id')) AS person, occurred_at AS t
                FROM records WHERE kind = 'punch'
                UNION ALL
                SELECT hall_id, body->>'staff_id', occurred_at FROM records WHERE kind = 'sign_in_review' AND body->>'status' = 'confirmed'
                UNION ALL
                SELECT hall_id, body->>'staff_id', occurred_at FROM records WHERE kind = 'punch_correction'
            ), days AS (
                SELECT hall_id, person, (to_timestamp(t) AT TIME ZONE 'Asia/Shanghai')::date AS day, min(t) AS first, max(t) AS last, count(*) AS n
                FROM times GROUP BY 1, 2, 3
            )
            SELECT hall_id, person, to_char(day, 'YYYY-MM-DD'), first, last, n,
                   COALESCE((SELECT watermark FROM county) >= EXTRACT(EPOCH FROM ((day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))::bigint, false)
            FROM days WHERE to_char(day, 'YYYY-MM') = \(month)
            ORDER BY hall_id, person, day
            """, logger: logger)
        var result: [CountyAttendanceDay] = []
        for try await (hall, person, day, first, last, n, judged) in rows.decode((String, String, String, Int64, Int64, Int64, Bool).self) {
            result.append(CountyAttendanceDay(hall: hall, person: person, day: day, first: first, last: last, times: Int(n), judged: judged))
        }
        return result
    }
}
