// Notices in the store: the official number is allocated in the same transaction that stores the notice.
import CounterCore
import Foundation
import GRDB

/// Notice numbering: one running sequence per year, advanced only inside a write transaction, so a
/// transaction that rolls back gives its number back and no number is ever skipped or reused.
public enum NoticeNumbering {
    /// Takes the next sequence number of `year` inside the caller's transaction.
    public static func allocate(_ db: Database, year: Int) throws -> Int {
        try db.execute(sql: """
            INSERT INTO notice_sequences (year, last_sequence) VALUES (?, 1)
            ON CONFLICT(year) DO UPDATE SET last_sequence = last_sequence + 1
            """, arguments: [year])
        return try Int.fetchOne(db, sql: "SELECT last_sequence FROM notice_sequences WHERE year = ?", arguments: [year]) ?? 1
    }

    /// The sequence number the next notice of `year` would get, without taking it.
    public static func peek(_ db: Database, year: Int) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT last_sequence FROM notice_sequences WHERE year = ?", arguments: [year]) ?? 0) + 1
    }
}

/// A stored notice and where it stands.
public struct StoredNotice: Sendable, Hashable {
    public let id: Int64
    public let notice: Notice
    public let voided: Bool
    public let voidReason: String?
}

extension HallStore {
    /// Issues a notice: checks it, computes its promised completion date, allocates its number, stores it and
    /// writes the audit entry, all in one transaction.
    ///
    /// - Parameters:
    ///   - idempotencyKey: a key the client chose; the same key again returns the notice already issued.
    ///   - at: the instant of issue; its year (in the hall's zone) is the year of the number.
    /// A promised date counted across a year with no holiday arrangement loaded is not refused: it is counted on
    /// weekends alone and stored as provisional (暂定), for the duty chief and ops to check once the year is loaded.
    /// - Throws: ``StoreError/notice(_:)`` with the fields to fix, ``StoreError/calendar(_:)`` when the promised
    ///   period cannot be counted. Nothing is stored and no number is used then.
    public func issue(_ draft: NoticeDraft, format: NoticeNumberFormat, calendar: WorkingDayCalendar, at: Date,
                      idempotencyKey: String? = nil) async throws -> StoredNotice {
        try await issue(draft, format: format, calendar: calendar, at: at, idempotencyKey: idempotencyKey) { _, notice in notice }
    }

    /// Issues a notice and queues its print job in the same transaction: a gateway killed between the two would
    /// otherwise leave a numbered notice that nothing prints (found by the crash suite). The same key again answers
    /// the same notice and job.
    public func issueAndQueue(_ draft: NoticeDraft, format: NoticeNumberFormat, calendar: WorkingDayCalendar, at: Date,
                              idempotencyKey: String, printerRole: String, copies: Int) async throws -> (notice: StoredNotice, job: PrintJob) {
        try await issue(draft, format: format, calendar: calendar, at: at, idempotencyKey: idempotencyKey) { db, notice in
            let job = try PrintJobRecords.enqueue(db, idempotencyKey: idempotencyKey, printerRole: printerRole, noticeID: notice.id,
                                                  copies: copies, at: at)
            return (notice, job)
        }
    }

    private func issue<Result: Sendable>(_ draft: NoticeDraft, format: NoticeNumberFormat, calendar: WorkingDayCalendar, at: Date,
                                         idempotencyKey: String?,
                                         then: @escaping @Sendable (Database, StoredNotice) throws -> Result) async throws -> Result {
        let problems = draft.problems()
        guard problems.isEmpty else { throw StoreError.notice(NoticeNotIssuable(problems: problems)) }
        var promised: PromisedCompletion?
        if draft.kind.carriesPromisedDate, let days = draft.promisedWorkingDays {
            do { promised = try calendar.promisedCompletionDateAllowingProvisional(acceptedOn: draft.receivedOn, workingDays: days) }
            catch { throw StoreError.calendar(error) }
        }
        let completion = promised?.date
        let provisional = promised?.provisional ?? false
        let draftJSON = String(decoding: try JSONEncoder.sorted.encode(draft), as: UTF8.self)
        return try await pool.write { db in
            if let key = idempotencyKey,
               let row = try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE idempotency_key = ?", arguments: [key]) {
                let existing = try StoredNotice(row: row)
                guard existing.notice.draft == draft else {
                    throw StoreError.idempotencyKeyReused(key: key, existing: existing.notice.number)
                }
                return try then(db, existing)
            }
            let follows = draft.follows.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            if let follows, let taken = try String.fetchOne(db, sql: "SELECT number FROM notices WHERE follows = ? AND status = 'issued'", arguments: [follows]) {
                throw StoreError.alreadyFollowed(follows, by: taken)
            }
            let year = CivilDate(at).year
            let sequence = try NoticeNumbering.allocate(db, year: year)
            let number = format.render(year: year, sequence: sequence)
            try db.execute(sql: """
                INSERT INTO notices (number, year, sequence, kind, window, clerk, applicant, item, received_on,
                                     promised_completion, promised_completion_provisional, draft, issued_at, idempotency_key, follows)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [number, year, sequence, draft.kind.rawValue, draft.window, draft.clerk, draft.applicant,
                                 draft.item, draft.receivedOn.description, completion?.description, provisional, draftJSON,
                                 at.storeSeconds, idempotencyKey, follows])
            let id = db.lastInsertedRowID
            try AuditChain.append(db, at: at, actor: draft.clerk, action: "notice.issued", subject: number,
                                  detail: "\(draft.kind.title) window \(draft.window)", seal: try AuditRowSeal.of(.notices, id: id, in: db))
            let notice = Notice(number: number, year: year, sequence: sequence, draft: draft,
                                issuedAt: Date(storeSeconds: at.storeSeconds), promisedCompletion: completion,
                                promisedCompletionProvisional: provisional)
            return try then(db, StoredNotice(id: id, notice: notice, voided: false, voidReason: nil))
        }
    }

    /// The number the next notice of `year` will get, without taking it.
    public func peekNoticeNumber(year: Int, format: NoticeNumberFormat) async throws -> String {
        try await pool.read { db in format.render(year: year, sequence: try NoticeNumbering.peek(db, year: year)) }
    }

    /// The notice issued for a client's idempotency key, if any (a retry of a request that was already served).
    public func notice(idempotencyKey key: String) async throws -> StoredNotice? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE idempotency_key = ?", arguments: [key]).map(StoredNotice.init(row:))
        }
    }

    public func notice(number: String) async throws -> StoredNotice? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE number = ?", arguments: [number]).map(StoredNotice.init(row:))
        }
    }

    /// The notices in force (not void) whose promised date is provisional (暂定) and falls on or after `from`, by
    /// promised date: the ones to check once the missing year's holiday arrangement is loaded.
    public func provisionalNotices(promisedFrom from: CivilDate) async throws -> [StoredNotice] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notices WHERE promised_completion_provisional = 1 AND status = 'issued' AND promised_completion >= ?
                ORDER BY promised_completion, year, sequence
                """, arguments: [from.description]).map(StoredNotice.init(row:))
        }
    }

    /// The notices of a year, by sequence.
    public func notices(year: Int) async throws -> [StoredNotice] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notices WHERE year = ? ORDER BY sequence", arguments: [year]).map(StoredNotice.init(row:))
        }
    }
}

extension StoredNotice {
    init(row: Row) throws {
        let draft = try JSONDecoder().decode(NoticeDraft.self, from: Data((row["draft"] as String).utf8))
        let notice = Notice(number: row["number"], year: row["year"], sequence: row["sequence"], draft: draft,
                            issuedAt: Date(storeSeconds: row["issued_at"]),
                            promisedCompletion: (row["promised_completion"] as String?).flatMap(CivilDate.init),
                            promisedCompletionProvisional: row["promised_completion_provisional"] as Bool)
        self.init(id: row["id"], notice: notice, voided: (row["status"] as String) == "voided", voidReason: row["void_reason"])
    }
}

extension JSONEncoder {
    /// Stable output, so the same draft always encodes to the same text.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension HallStore {
    public func notice(id: Int64) async throws -> StoredNotice? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE id = ?", arguments: [id]).map(StoredNotice.init(row:))
        }
    }

    /// Voids a notice: it keeps its number (numbers are never reused) and is marked void with the reason.
    public func voidNotice(number: String, reason: String, actor: String, at: Date) async throws -> StoredNotice {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE number = ?", arguments: [number]) else {
                throw StoreError.unknownNotice(number)
            }
            guard (row["status"] as String) != "voided" else { throw StoreError.noticeAlreadyVoid(number) }
            try db.execute(sql: "UPDATE notices SET status = 'voided', void_reason = ? WHERE number = ?", arguments: [reason, number])
            try AuditChain.append(db, at: at, actor: actor, action: "notice.voided", subject: number, detail: reason)
            return try StoredNotice(row: try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE number = ?", arguments: [number])!)
        }
    }
}
