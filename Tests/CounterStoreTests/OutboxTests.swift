// The outbox the hall forwards to the county's centre: filled in the record's own transaction once switched on, the
// store's history put in first, rows gone only when acknowledged, the hall's id fixed, a new stream after a restore.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite struct OutboxTests {
    let t = Date(timeIntervalSince1970: 1_772_413_200)

    func punches(_ users: ClosedRange<Int>, at t: Date) -> [Punch] {
        users.map { Punch(terminalSerial: "CQZ7231", terminalUserID: "\($0)", at: t, verification: .fingerprint, direction: .checkIn) }
    }

    @Test func nothingIsWrittenToTheOutboxUntilForwardingIsSwitchedOn() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        _ = try await fixture.store.record(punches: punches(1...3, at: t), receivedAt: t)
        #expect(try await fixture.store.outboxStatus(at: t) == nil)
        #expect(try await fixture.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") } == 0)
    }

    @Test func switchedOnTheHistoryComesFirstThenEveryNewRecordInItsOwnTransaction() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        _ = try await fixture.store.record(punches: punches(1...3, at: t), receivedAt: t)
        let status = try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        #expect(status.hallID == "taigu" && status.acknowledged == 0)
        let history = try await fixture.store.outboxBatch(limit: 1000).records
        #expect(history.filter { $0.kind == "punch" }.map(\.key) == ["CQZ7231/1/1772413200", "CQZ7231/2/1772413200", "CQZ7231/3/1772413200"])
        #expect(history.map(\.seq) == Array(1...Int64(history.count)), "numbered one after another")
        // A new punch and its duplicate: the duplicate is not stored, so it is not forwarded either.
        let later = t.addingTimeInterval(60)
        _ = try await fixture.store.record(punches: punches(4...4, at: later) + punches(1...1, at: t), receivedAt: later)
        let all = try await fixture.store.outboxBatch(limit: 1000).records
        #expect(all.filter { $0.kind == "punch" }.count == 4)
        let newest = try #require(all.last { $0.kind == "punch" })
        #expect(newest.key == "CQZ7231/4/1772413260" && newest.occurredAt == 1_772_413_260)
        let body = try JSONSerialization.jsonObject(with: Data(newest.body.utf8)) as? [String: Any]
        #expect(body?["terminal_user_id"] as? String == "4" && body?["direction"] as? String == "in")
        // A transaction that fails leaves no outbox row behind.
        let before = all.count
        await #expect(throws: (any Error).self) {
            try await fixture.store.inTransaction { db in
                try db.execute(sql: "INSERT INTO punches (terminal_serial, terminal_user_id, punched_at, verification, direction, received_at) VALUES ('X', '9', 1, 'fingerprint', 'checkIn', 1)")
                throw CancellationError()
            }
        }
        #expect(try await fixture.store.outboxBatch(limit: 1000).records.count == before)
    }

    @Test func acknowledgedRowsLeaveAndOnlyTheCurrentStreamIsAcknowledged() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        _ = try await fixture.store.record(punches: punches(1...5, at: t), receivedAt: t)
        let (stream, _, records) = try await fixture.store.outboxBatch(limit: 3)
        #expect(records.count == 3)
        try await fixture.store.acknowledgeOutbox(stream: "an-older-stream", through: records[2].seq, at: t)
        #expect(try await fixture.store.outboxStatus(at: t)?.acknowledged == 0, "an answer for another stream changes nothing")
        try await fixture.store.acknowledgeOutbox(stream: stream, through: records[2].seq, at: t)
        let status = try #require(try await fixture.store.outboxStatus(at: t))
        #expect(status.acknowledged == records[2].seq && status.lastContact == t)
        let next = try await fixture.store.outboxBatch(limit: 100).records
        #expect(next.first?.seq == records[2].seq + 1 && next.count == Int(status.waiting))
        // An answer below what is already acknowledged (a late reply) does not move it back.
        try await fixture.store.acknowledgeOutbox(stream: stream, through: 1, at: t)
        #expect(try await fixture.store.outboxStatus(at: t)?.acknowledged == records[2].seq)
    }

    @Test func aChangedHallIDIsRefusedAndTheSameOneIsFine() async throws {
        let fixture = try StoreFixture()
        try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        await #expect(throws: OutboxError.hallIDChanged(stored: "taigu", configured: "taigu-new")) {
            try await fixture.store.enableOutbox(hallID: "taigu-new", at: t)
        }
        #expect(OutboxError.hallIDChanged(stored: "taigu", configured: "x").description.contains("hall_id = \"taigu\""))
    }

    @Test func aNewStreamSendsWhatWaitsAgainUnderNewKeysForLocalIDs() async throws {
        let fixture = try StoreFixture()
        try await fixture.seedStaff()
        try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        let signIn = try await fixture.store.record(signIn: SignIn(staffID: "D001", at: t, method: .pin, terminalRole: "entrance"))
        let first = try await fixture.store.outboxBatch(limit: 100)
        let signInKey = try #require(first.records.first { $0.kind == "sign_in" }?.key)
        #expect(signInKey == "\(first.stream)/\(signIn.id)")
        try await fixture.store.startNewOutboxStream()
        let second = try await fixture.store.outboxBatch(limit: 100)
        #expect(second.stream != first.stream)
        #expect(second.records.map(\.key) == first.records.map(\.key), "what waited is sent again as it was")
        _ = try await fixture.store.record(signIn: SignIn(staffID: "D001", at: t.addingTimeInterval(5), method: .pin, terminalRole: "entrance"))
        let third = try await fixture.store.outboxBatch(limit: 100)
        #expect(third.records.last?.key.hasPrefix(second.stream) == true, "a record after the restore is keyed in the new stream")
    }

    @Test func aPublishedMonthIsForwardedWithItsSheet() async throws {
        let fixture = try StoreFixture()
        try await fixture.store.enableOutbox(hallID: "taigu", at: t)
        try await fixture.store.inTransaction { db in
            try db.execute(sql: "INSERT INTO published_months (month, published_at, published_by, sheet) VALUES ('2026-11', 1772413200, 'D009', '{\"people\": [], \"windows\": []}')")
        }
        let sheet = try #require(try await fixture.store.outboxBatch(limit: 100).records.first { $0.kind == "published_sheet" })
        #expect(sheet.key == "2026-11/1772413200")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sheet.body.utf8)) as? [String: Any])
        #expect(body["month"] as? String == "2026-11" && body["published_by"] as? String == "D009")
        #expect((body["sheet"] as? [String: Any])?["people"] is [Any], "the sheet travels as JSON, not as a string of it")
    }
}
