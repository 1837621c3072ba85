// The store's schema, punches, staff import, sign-ins, print jobs and the audit chain.
import CounterCore
import Foundation
import GRDB
import Testing
@testable import CounterStore

@Suite struct StoreTests {
    @Test func opensInWALWithNamedMigrations() throws {
        let fixture = try StoreFixture()
        #expect(try fixture.store.journalMode() == "wal")
        let migrations = try fixture.store.appliedMigrations()
        #expect(migrations.first == "2026-11-25 staff and windows")
        #expect(migrations.contains("2026-11-25 audit log"))
        // Reopening applies nothing twice.
        let again = try HallStore(path: fixture.path)
        #expect(try again.appliedMigrations() == migrations)
        let synchronous = try again.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)  // FULL
    }

    @Test func aPunchStoredTwiceIsStoredOnce() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        let t = Date(timeIntervalSince1970: 1_772_413_200)
        let punches = [
            Punch(terminalSerial: "CQZ7231", terminalUserID: "1", at: t, verification: .fingerprint, direction: .checkIn),
            Punch(terminalSerial: "CQZ7231", terminalUserID: "2", at: t, verification: .fingerprint, direction: .checkIn),
            Punch(terminalSerial: "OTHER01", terminalUserID: "1", at: t, verification: .fingerprint, direction: .checkIn),
        ]
        let first = try await fixture.store.record(punches: punches, receivedAt: t)
        #expect(first == PunchBatchResult(inserted: 3, alreadyStored: 0))
        // A re-download, with the sub-second noise and a different state key some firmware sends.
        let again = punches + [Punch(terminalSerial: "CQZ7231", terminalUserID: "1", at: t.addingTimeInterval(0.7),
                                     verification: .password, direction: .checkOut)]
        let second = try await fixture.store.record(punches: again, receivedAt: t)
        #expect(second == PunchBatchResult(inserted: 0, alreadyStored: 4))
        #expect(try await fixture.store.punchCount() == 3)
        let stored = try await fixture.store.punches(from: t, to: t.addingTimeInterval(1))
        #expect(stored.first { $0.punch.terminalUserID == "1" && $0.punch.terminalSerial == "CQZ7231" }?.punch.staffID == "D001")
    }

    @Test("the bulk insert stores each value as given: empty and long text, Chinese, notes, staff links, NULLs")
    func bulkInsertKeepsEveryValue() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        let t = Date(timeIntervalSince1970: 1_772_413_200)
        let long = String(repeating: "长", count: 40)
        let punches = [
            Punch(terminalSerial: "CQZ7231", terminalUserID: "", at: t, verification: .fingerprint, direction: .checkIn),
            Punch(terminalSerial: "CQZ7231", terminalUserID: "1", at: t.addingTimeInterval(1), verification: .card, direction: .checkOut),
            Punch(terminalSerial: long, terminalUserID: "工号12345678901234567890", at: t.addingTimeInterval(2), verification: .password,
                  direction: .unknown, staffID: "D002"),
        ]
        let flags = [punches[2].identity: "终端时钟 impossible time"]
        let received = t.addingTimeInterval(60)
        #expect(try await fixture.store.record(punches: punches, receivedAt: received, flags: flags) == PunchBatchResult(inserted: 3, alreadyStored: 0))
        let stored = try await fixture.store.punches(from: t, to: t.addingTimeInterval(10))
        #expect(stored.map(\.punch) == [
            punches[0],
            Punch(terminalSerial: "CQZ7231", terminalUserID: "1", at: t.addingTimeInterval(1), verification: .card, direction: .checkOut, staffID: "D001"),
            punches[2],
        ])
        #expect(stored.map(\.flag) == [nil, nil, "终端时钟 impossible time"])
        #expect(stored.allSatisfy { $0.receivedAt == received })
    }

    @Test func auditChainDetectsAnEditedRow() async throws {
        let fixture = try StoreFixture()
        for i in 1...5 {
            try await fixture.store.audit(at: StoreFixture.march2, actor: "D00\(i)", action: "test.action", subject: "s\(i)", detail: "detail \(i)")
        }
        #expect(try await fixture.store.verifyAudit() == .intact(entries: 5))
        // The log refuses edits through SQL...
        await #expect(throws: DatabaseError.self) {
            try await fixture.store.inTransaction { db in try db.execute(sql: "UPDATE audit_log SET detail = 'x' WHERE id = 3") }
        }
        // ...so someone with the file drops the guard and edits a row behind the gateway's back.
        let intruder = try DatabaseQueue(path: fixture.path)
        try await intruder.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET actor = 'D009' WHERE id = 3")
        }
        let result = try await fixture.store.verifyAudit()
        guard case .broken(let id, let reason) = result else { Issue.record("edit not detected: \(result)"); return }
        #expect(id == 3)
        #expect(reason.contains("edited"))
    }

    @Test func auditChainDetectsADeletedRow() async throws {
        let fixture = try StoreFixture()
        for i in 1...4 { try await fixture.store.audit(at: StoreFixture.march2, actor: "a", action: "b", subject: "\(i)", detail: "") }
        let intruder = try DatabaseQueue(path: fixture.path)
        try await intruder.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE id = 2")
        }
        #expect(try await fixture.store.verifyAudit() == .broken(entryID: 3, reason: "entry 2 is missing (deleted?)"))
    }

    @Test func staffImportIsAllOrNothing() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        #expect(try await fixture.store.staff().count == 3)
        // Row 3 gives a new person terminal id 7, which D007 (not in this list) already holds.
        let csv = """
            staff_id,name,window,department,roles,terminal_user_id,post
            D010,新人甲,1,县市场监督管理局,clerk,10,
            D011,新人乙,1,县市场监督管理局,clerk,7,
            """
        let rows = try StaffList.parse(csv, windows: [1])
        await #expect(throws: StoreError.staffConflict(row: 3, message: "terminal user id 7 already belongs to someone not in this list")) {
            try await fixture.store.importStaff(rows, actor: "test", at: StoreFixture.march2)
        }
        #expect(try await fixture.store.staff().map(\.id) == ["D001", "D002", "D007"])
        // A second A post on window 1 is refused the same way.
        let post = try StaffList.parse("staff_id,name,window,department,roles,terminal_user_id,post\nD012,新人丙,1,局,clerk,,A\n", windows: [1])
        await #expect(throws: StoreError.self) { try await fixture.store.importStaff(post, actor: "test", at: StoreFixture.march2) }
        #expect(try await fixture.store.staff().count == 3)
        // Two people swapping posts in one list is fine.
        let swap = try StaffList.parse("""
            staff_id,name,window,department,roles,terminal_user_id,post
            D001,王建国,1,县市场监督管理局,clerk,1,B
            D002,李秀英,1,县市场监督管理局,clerk,2,A
            """, windows: [1])
        let summary = try await fixture.store.importStaff(swap, actor: "test", at: StoreFixture.march2)
        #expect(summary == StaffImportSummary(added: 0, updated: 2))
        #expect(try await fixture.store.staff(id: "D002")?.post == .a)
    }

    @Test func signInsAwaitTheDutyChief() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        let t = StoreFixture.march2
        let a = try await fixture.store.record(signIn: SignIn(staffID: "D001", at: t, method: .pin, terminalRole: "entrance-terminal"))
        let b = try await fixture.store.record(signIn: SignIn(staffID: "D002", at: t, method: .badge, terminalRole: "entrance-terminal"))
        await #expect(throws: StoreError.unknownStaff("X")) {
            try await fixture.store.record(signIn: SignIn(staffID: "X", at: t, method: .pin, terminalRole: "entrance-terminal"))
        }
        #expect(try await fixture.store.pendingSignIns().map(\.id) == [a.id, b.id])
        await #expect(throws: SignInReviewError.notDutyChief("D002")) { try await fixture.store.review(signIn: a.id, by: "D002", at: t) }
        _ = try await fixture.store.review(signIn: a.id, by: "D007", at: t)
        let rejected = try await fixture.store.review(signIn: b.id, by: "D007", at: t, rejectReason: "本人不在岗")
        #expect(rejected.signIn.status == .rejected(by: "D007", at: t, reason: "本人不在岗"))
        #expect(try await fixture.store.pendingSignIns().isEmpty)
        #expect(try await fixture.store.verifyAudit() == .intact(entries: 1 + 2 + 2))
    }

    @Test func modeChangesAreKeptWithTheirReason() async throws {
        let fixture = try StoreFixture()
        var mode = HallAttendanceMode(windowsServed: ["entrance-terminal": [1]], scope: .hall)
        let down = try mode.apply(.terminalDown(role: "entrance-terminal", at: StoreFixture.march2, detail: "no reply for 90 s"))
        try await fixture.store.record(modeTransition: down, actor: "gateway")
        let modes = try await fixture.store.attendanceModes()
        #expect(modes["entrance-terminal"]?.mode == "sign-in")
        #expect(modes["entrance-terminal"]?.reason == "terminal down: no reply for 90 s")
        #expect(try await fixture.store.auditEntries(limit: 1).first?.action == "mode.changed")
    }

    @Test func printJobsAreIdempotent() async throws {
        let fixture = try StoreFixture()
        let notice = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: StoreFixture.march2)
        let a = try await fixture.store.enqueuePrintJob(idempotencyKey: "k1", printerRole: "window-1-printer", noticeID: notice.id, copies: 2, at: StoreFixture.march2)
        let b = try await fixture.store.enqueuePrintJob(idempotencyKey: "k1", printerRole: "window-1-printer", noticeID: notice.id, copies: 2, at: StoreFixture.march2)
        #expect(a == b)
        #expect(try await fixture.store.printJobs(printerRole: "window-1-printer", states: [.queued]).count == 1)
    }

    @Test func devicesAreBoundToRoles() async throws {
        let fixture = try StoreFixture()
        let identity = DeviceIdentity(kind: .printer, profile: "xprinter-80", serialNumber: "A1B2", address: "tcp://127.0.0.1:9100")
        try await fixture.store.syncConfiguredDevices([(id: "p1", identity: identity, role: DeviceRole(name: "window-1-printer", kind: .printer, windows: [1]))], at: StoreFixture.march2)
        try await fixture.store.syncConfiguredDevices([(id: "p1", identity: identity, role: DeviceRole(name: "window-1-printer", kind: .printer, windows: [1]))], at: StoreFixture.march2)
        let devices = try await fixture.store.devices()
        #expect(devices.map(\.role) == ["window-1-printer"])
        // Binding is audited once, not on every start.
        #expect(try await fixture.store.auditEntries().filter { $0.action == "role.bound" }.count == 1)
    }

    @Test func unwritableLocationIsReportedClearly() {
        #expect(throws: StoreError.self) { try HallStore(path: "/proc/countergate-nope/x.sqlite") }
    }
}
