// The audit log sealed: the rows its entries record (notices, punch batches, 补卡, sign-ins) are checked by content,
// a row put in behind the gateway's back is named, and the log's end is anchored outside the database so that a cut
// at the end (or an older database put back) is seen.
import CounterCore
import Foundation
import GRDB
import Testing
@testable import CounterStore

@Suite("The audit log sealed")
struct AuditSealTests {
    static let t = StoreFixture.march2

    static func punches(_ n: Int, serial: String = "CQZ7231", from offset: Int = 0) -> [Punch] {
        (0..<n).map { i in
            Punch(terminalSerial: serial, terminalUserID: "\(i % 3 + 1)", at: t.addingTimeInterval(Double(offset + i) * 60),
                  verification: .fingerprint, direction: .checkIn)
        }
    }

    /// Someone with the database file, behind the gateway's back.
    static func intrude(_ fixture: StoreFixture, _ sql: String) async throws {
        let intruder = try DatabaseQueue(path: fixture.path)
        try await intruder.write { db in try db.execute(sql: sql) }
    }

    @Test("a batch of punches is one entry recording their ids and hash; re-downloaded punches add nothing")
    func punchBatchesAreSealed() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        _ = try await fixture.store.record(punches: Self.punches(500), receivedAt: Self.t)
        _ = try await fixture.store.record(punches: Self.punches(500), receivedAt: Self.t)  // nothing new
        let entries = try await fixture.store.auditEntries().filter { $0.action == "punches.recorded" }
        #expect(entries.count == 1)
        let seal = try #require(entries.first?.seal.flatMap(AuditRowSeal.init(text:)))
        #expect(seal.table == .punches && seal.ids.text == "1-500")
        // The seal written as the rows went in equals the seal of the rows read back.
        let reread = try await fixture.store.inTransaction { db in try AuditRowSeal.of(.punches, ids: seal.ids, in: db) }
        #expect(reread == seal)
        #expect(try await fixture.store.verifyAudit().isIntact)
    }

    @Test("a punch edited, deleted or put in through SQL is named with the entry that recorded it")
    func punchTamperingIsSeen() async throws {
        for (sql, expected) in [
            ("UPDATE punches SET punched_at = punched_at - 3600 WHERE id = 7", "no longer match it"),
            ("DELETE FROM punches WHERE id = 7", "the punch with id 7 it recorded is missing"),
        ] {
            let fixture = try StoreFixture()
            try await fixture.seedStaff()
            _ = try await fixture.store.record(punches: Self.punches(20), receivedAt: Self.t)
            try await Self.intrude(fixture, sql)
            let result = try await fixture.store.verifyAudit()
            guard case .broken(let id, let reason) = result else { Issue.record("not seen: \(sql): \(result)"); continue }
            #expect(try await fixture.store.auditEntries().first { $0.id == id }?.action == "punches.recorded")
            #expect(reason.contains(expected), "\(reason)")
        }
        let fixture = try StoreFixture()
        _ = try await fixture.store.record(punches: Self.punches(3), receivedAt: Self.t)
        try await Self.intrude(fixture, """
            INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, received_at)
            VALUES ('CQZ7231', '9', 1772420000, 'fingerprint', 'in', 1772420000)
            """)
        let result = try await fixture.store.verifyAudit()
        guard case .unrecordedRow(let table, let rowID, let reason) = result else { Issue.record("insert not seen: \(result)"); return }
        #expect(table == "punches" && rowID == 4)
        #expect(reason.contains("user 9") && reason.contains("outside CounterGate"), "\(reason)")
    }

    @Test("a notice's content edited after it was issued is named by its number")
    func editedNoticeIsSeen() async throws {
        let fixture = try StoreFixture()
        let notice = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: Self.t)
        _ = try await fixture.store.issue(StoreFixture.draft(applicant: "第二位"), format: .hallDefault, calendar: StoreFixture.calendar, at: Self.t)
        #expect(try await fixture.store.verifyAudit().isIntact)
        try await Self.intrude(fixture, "UPDATE notices SET applicant = '另一家公司' WHERE number = '\(notice.notice.number)'")
        let report = try await fixture.store.auditReport()
        guard case .broken(_, let reason) = report.verification else { Issue.record("not seen: \(report.verification)"); return }
        #expect(reason.contains("notice's content") && reason.contains(notice.notice.number), "\(reason)")
        #expect(report.badEntry?.action == "notice.issued" && report.badEntry?.subject == notice.notice.number)
        #expect(report.lines.first?.contains("notice.issued \(notice.notice.number)") == true, "\(report.lines)")
        #expect(!report.isSound)
    }

    @Test("the anchor follows the log; entries cut off the end are seen, as is a forged anchor; a reanchor records why")
    func theAnchorSeesACut() async throws {
        let fixture = try StoreFixture(anchored: true)
        for i in 1...6 { try await fixture.store.audit(at: Self.t, actor: "a", action: "test.action", subject: "\(i)", detail: "") }
        #expect(try await fixture.store.auditAnchorStatus() == .matches(entry: 6))
        // Another process writes: the log is ahead of this one's view of the anchor, which is no loss.
        let other = try fixture.reopened()
        try await other.audit(at: Self.t, actor: "b", action: "test.action", subject: "7", detail: "")
        other.flushAuditAnchor()
        #expect(try await fixture.store.auditAnchorStatus() == .matches(entry: 7))

        // The last two entries deleted behind the gateway's back: the chain alone looks whole, the anchor does not.
        try await Self.intrude(fixture, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= 6")
        let cut = try await fixture.store.auditReport()
        #expect(cut.verification == .intact(entries: 5))
        #expect(cut.anchor == .cut(anchor: 7, last: 5))
        #expect(!cut.isSound && cut.lines.contains { $0.contains("entries 6…7 were cut from the end") })
        // A fresh start sees it too.
        #expect(try await fixture.reopened().auditAnchorStatus() == .cut(anchor: 7, last: 5))

        let (before, entry) = try await fixture.store.reanchorAudit(actor: "ops", reason: "restored the backup of 2026-03-01", at: Self.t)
        #expect(before == .cut(anchor: 7, last: 5))
        #expect(entry.action == "audit.reanchored" && entry.detail.contains("restored the backup of 2026-03-01"))
        #expect(try await fixture.store.auditReport().isSound)
        await #expect(throws: AuditAnchorError.self) { try await fixture.store.reanchorAudit(actor: "ops", reason: "  ", at: Self.t) }

        // The anchor file edited by hand: its signature no longer matches.
        let head = try String(contentsOfFile: fixture.anchorFiles.headPath, encoding: .utf8)
        let forged = head.replacingOccurrences(of: "entry \(entry.id)", with: "entry \(entry.id + 40)")
        #expect(forged != head, "\(head)")
        try forged.write(toFile: fixture.anchorFiles.headPath, atomically: true, encoding: .utf8)
        #expect(try await fixture.reopened().auditAnchorStatus() == .badSignature(path: fixture.anchorFiles.headPath))
    }

    @Test("an anchor deleted while the log has entries is reported missing, not silently made again")
    func aMissingAnchorIsReported() async throws {
        let fixture = try StoreFixture(anchored: true)
        try await fixture.store.audit(at: Self.t, actor: "a", action: "test.action", subject: "1", detail: "")
        fixture.store.flushAuditAnchor()
        try FileManager.default.removeItem(atPath: fixture.anchorFiles.headPath)
        #expect(try await fixture.reopened().auditAnchorStatus() == .missing(path: fixture.anchorFiles.headPath, entries: 1))
    }
}
