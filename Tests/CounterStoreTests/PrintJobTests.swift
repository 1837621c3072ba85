// The durable print queue: one job per idempotency key under concurrency, and every job reaches a final state.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite struct PrintJobTests {
    let t = StoreFixture.march2

    @Test func sameKeySubmittedConcurrentlyQueuesOneJob() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobs = try await withThrowingTaskGroup(of: PrintJob.self) { group in
            for _ in 0..<16 {
                group.addTask { try await store.enqueuePrintJob(idempotencyKey: "window1-7f3a", printerRole: "window-1-printer", noticeID: nil, copies: 2, at: StoreFixture.march2) }
            }
            var all: [PrintJob] = []
            for try await job in group { all.append(job) }
            return all
        }
        #expect(Set(jobs.map(\.id)).count == 1)
        #expect(try await store.printJobs().count == 1)
    }

    @Test("a notice and its job are one write: the same key again answers both, a notice left without its job gets it")
    func noticeAndJobInOneTransaction() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let first = try await store.issueAndQueue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: t,
                                                  idempotencyKey: "clerk-1", printerRole: "window-1-printer", copies: 2)
        #expect(first.job.noticeID == first.notice.id && first.job.copies == 2 && first.job.state == .queued)
        let again = try await store.issueAndQueue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: t,
                                                  idempotencyKey: "clerk-1", printerRole: "window-1-printer", copies: 2)
        #expect(again.notice.id == first.notice.id && again.job.id == first.job.id)
        // A store written before this change could hold a notice whose job was never queued (a gateway killed between
        // the two writes): the client's retry with the same key queues it.
        let orphan = try await store.issue(StoreFixture.draft(applicant: "第二位"), format: .hallDefault, calendar: StoreFixture.calendar,
                                           at: t, idempotencyKey: "clerk-2")
        #expect(try await store.printJob(idempotencyKey: "clerk-2") == nil)
        let retried = try await store.issueAndQueue(StoreFixture.draft(applicant: "第二位"), format: .hallDefault,
                                                    calendar: StoreFixture.calendar, at: t, idempotencyKey: "clerk-2",
                                                    printerRole: "window-1-printer", copies: 2)
        #expect(retried.notice.id == orphan.id && retried.job.noticeID == orphan.id)
        #expect(try await store.printJobs().count == 2)
    }

    @Test func aJobIsTakenOnceAndEndsFinal() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try await store.enqueuePrintJob(idempotencyKey: "k", printerRole: "p1", noticeID: nil, copies: 2, at: t)
        let taken = try await store.takeNextPrintJob(roles: ["p1"], at: t)
        #expect(taken?.id == job.id && taken?.state == .printing && taken?.attempts == 1)
        #expect(try await store.takeNextPrintJob(roles: ["p1"], at: t) == nil)
        // Paper out: it waits until its retry time.
        try await store.markWaiting(job: job.id, reason: "out of paper", retryAt: t.addingTimeInterval(5), at: t)
        #expect(try await store.takeNextPrintJob(roles: ["p1"], at: t.addingTimeInterval(1)) == nil)
        let again = try await store.takeNextPrintJob(roles: ["p1"], at: t.addingTimeInterval(5))
        #expect(again?.attempts == 2 && again?.waitingSince == t)
        try await store.markPrinted(job: job.id, on: "p1 (xprinter)", at: t.addingTimeInterval(6))
        let done = try #require(try await store.printJob(id: job.id))
        #expect(done.state == .done && done.printedOn == "p1 (xprinter)" && done.lastError == nil)
        // A printed job cannot be cancelled or printed again by mistake.
        await #expect(throws: PrintJobTransitionError.self) { try await store.cancelPrintJob(job.id, actor: "ops", at: t) }
        await #expect(throws: PrintJobTransitionError.self) { try await store.markPrinted(job: job.id, on: "p1", at: t) }
    }

    @Test func failoverMovesTheJobToTheBackupRole() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try await store.enqueuePrintJob(idempotencyKey: "k", printerRole: "p1", noticeID: nil, copies: 2, at: t)
        _ = try await store.takeNextPrintJob(roles: ["p1"], at: t)
        try await store.markWaiting(job: job.id, reason: "cover open", retryAt: t.addingTimeInterval(2), at: t)
        _ = try await store.takeNextPrintJob(roles: ["p1"], at: t.addingTimeInterval(2))
        try await store.failOver(job: job.id, to: "p1-backup", at: t.addingTimeInterval(3))
        #expect(try await store.takeNextPrintJob(roles: ["p1"], at: t.addingTimeInterval(4)) == nil)
        let moved = try await store.takeNextPrintJob(roles: ["p1-backup"], at: t.addingTimeInterval(4))
        #expect(moved?.id == job.id && moved?.printerRole == "p1-backup")
        #expect(try await store.auditEntries().contains { $0.action == "print.queued" && $0.detail == "failover to p1-backup" })
    }

    @Test func interruptedJobsWaitForAPersonNotAReprint() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try await store.enqueuePrintJob(idempotencyKey: "k", printerRole: "p1", noticeID: nil, copies: 2, at: t)
        _ = try await store.takeNextPrintJob(roles: ["p1"], at: t)
        #expect(try await store.recoverInterruptedPrintJobs(at: t) == [job.id])
        #expect(try await store.printJob(id: job.id)?.state == .failed)
        try await store.retryPrintJob(job.id, actor: "ops", at: t)
        #expect(try await store.takeNextPrintJob(roles: ["p1"], at: t)?.id == job.id)
    }

    @Test func voidKeepsTheNumber() async throws {
        let fixture = try StoreFixture()
        let issued = try await fixture.store.issue(StoreFixture.draft(), format: .hallDefault, calendar: StoreFixture.calendar, at: t)
        let void = try await fixture.store.voidNotice(number: issued.notice.number, reason: "申请人撤回", actor: "D001", at: t)
        #expect(void.voided && void.voidReason == "申请人撤回")
        await #expect(throws: StoreError.noticeAlreadyVoid(issued.notice.number)) {
            try await fixture.store.voidNotice(number: issued.notice.number, reason: "again", actor: "D001", at: t)
        }
        let next = try await fixture.store.issue(StoreFixture.draft(applicant: "下一位"), format: .hallDefault, calendar: StoreFixture.calendar, at: t)
        #expect(next.notice.sequence == 2)
    }
}
