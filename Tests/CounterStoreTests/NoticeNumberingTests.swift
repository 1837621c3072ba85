// Notice numbers: unique and gapless under concurrency, and a rolled-back transaction leaves no hole.
import CounterCore
import Foundation
import GRDB
import Testing
@testable import CounterStore

@Suite struct NoticeNumberingTests {
    @Test func eightTasksTenThousandNumbersUniqueAndGapless() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let format = NoticeNumberFormat.hallDefault
        let numbers = try await withThrowingTaskGroup(of: [Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    for i in 0..<1250 {
                        let notice = try await store.issue(StoreFixture.draft(applicant: "申请人\(task)-\(i)"), format: format,
                                                           calendar: StoreFixture.calendar, at: StoreFixture.march2)
                        mine.append(notice.notice.sequence)
                    }
                    return mine
                }
            }
            var all: [Int] = []
            for try await part in group { all += part }
            return all
        }
        #expect(numbers.count == 10_000)
        #expect(Set(numbers).count == 10_000)
        #expect(numbers.sorted() == Array(1...10_000))
        let stored = try await store.notices(year: 2026)
        #expect(stored.map(\.notice.sequence) == Array(1...10_000))
        #expect(stored.last?.notice.number == "太谷政务〔2026〕第010000号")
        #expect(try await store.verifyAudit() == .intact(entries: 10_000))
    }

    @Test func rolledBackTransactionLeavesNoHole() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let first = try await store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: StoreFixture.march2)
        #expect(first.notice.sequence == 1)
        struct PrinterExploded: Error {}
        await #expect(throws: PrinterExploded.self) {
            try await store.inTransaction { db in
                let taken = try NoticeNumbering.allocate(db, year: 2026)
                #expect(taken == 2)
                throw PrinterExploded()
            }
        }
        #expect(try await store.peekNoticeNumber(year: 2026, format: .hallDefault) == "太谷政务〔2026〕第000002号")
        let second = try await store.issue(StoreFixture.draft(applicant: "第二位"), format: .hallDefault,
                                           calendar: StoreFixture.calendar, at: StoreFixture.march2)
        #expect(second.notice.sequence == 2)
    }

    @Test func refusedNoticeTakesNoNumber() async throws {
        let fixture = try StoreFixture()
        var bad = StoreFixture.draft()
        bad.promisedWorkingDays = nil
        await #expect(throws: StoreError.self) {
            try await fixture.store.issue(bad, format: .hallDefault, calendar: StoreFixture.calendar, at: StoreFixture.march2)
        }
        #expect(try await fixture.store.peekNoticeNumber(year: 2026, format: .hallDefault).hasSuffix("第000001号"))
    }

    @Test("a promise running into a year with no holiday data is issued, counted on weekends alone and stored as provisional")
    func provisionalPromisedDateIsStored() async throws {
        let fixture = try StoreFixture()
        var late = StoreFixture.draft()
        late.receivedOn = CivilDate("2026-12-30")!  // a Wednesday; the fixture's calendar has 2026 only
        let issued = try await fixture.store.issue(late, format: .hallDefault, calendar: StoreFixture.calendar, at: StoreFixture.march2)
        // Thu Dec 31 (1), Fri 2027-01-01 (2, weekends alone: no 元旦 without 2027's data), Mon 4 (3), Tue 5 (4), Wed 6 (5).
        #expect(issued.notice.promisedCompletion == CivilDate("2027-01-06"))
        #expect(issued.notice.promisedCompletionProvisional)
        #expect(issued.notice.number.hasSuffix("第000001号"))
        let read = try #require(try await fixture.store.notice(number: issued.notice.number))
        #expect(read.notice.promisedCompletionProvisional && read.notice.promisedCompletion == CivilDate("2027-01-06"))
        // Within 2026 the date is final.
        let final = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: StoreFixture.march2)
        #expect(!final.notice.promisedCompletionProvisional)
        #expect(try await fixture.store.notice(number: final.notice.number)?.notice.promisedCompletionProvisional == false)

        // The provisional ones in force and not yet past: a void one is not listed, nor one whose date has passed.
        #expect(try await fixture.store.provisionalNotices(promisedFrom: CivilDate("2026-12-06")!).map(\.notice.number) == [issued.notice.number])
        #expect(try await fixture.store.provisionalNotices(promisedFrom: CivilDate("2027-01-07")!).isEmpty)
        _ = try await fixture.store.voidNotice(number: issued.notice.number, reason: "申请人撤回", actor: "D001", at: StoreFixture.march2)
        #expect(try await fixture.store.provisionalNotices(promisedFrom: CivilDate("2026-12-06")!).isEmpty)
    }

    @Test func promisedDateAndIdempotencyKey() async throws {
        let fixture = try StoreFixture()
        let a = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar,
                                              at: StoreFixture.march2, idempotencyKey: "window1-req-77")
        // Received Thu 2026-02-12, 5 working days: Fri 13, Sat 14 (worked), Tue 24, Wed 25, Thu 26.
        #expect(a.notice.promisedCompletion == CivilDate("2026-02-26"))
        let again = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar,
                                                  at: StoreFixture.march2, idempotencyKey: "window1-req-77")
        #expect(again.notice.number == a.notice.number)
        await #expect(throws: StoreError.self) {
            try await fixture.store.issue(StoreFixture.draft(applicant: "另一人"), format: .hallDefault, calendar: StoreFixture.calendar,
                                          at: StoreFixture.march2, idempotencyKey: "window1-req-77")
        }
        #expect(try await fixture.store.notices(year: 2026).count == 1)
        // Numbers restart with the year of issue.
        let nextYear = Date(timeIntervalSince1970: 1_798_761_600 + 3600)  // 2027-01-01 09:00 +08:00
        let b = try await fixture.store.issue(StoreFixture.draft(applicant: "新年"), format: .hallDefault, calendar: StoreFixture.calendar, at: nextYear)
        #expect(b.notice.number == "太谷政务〔2027〕第000001号")
    }
}
