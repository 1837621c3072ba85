// The watch for print jobs queued by another process: a job committed through another connection is reported, a
// job sent round again too, and the watch stops with its task.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite struct QueuedJobWatchTests {
    /// A running watch on `store`, its reports as a stream; it has read its starting point when this returns.
    final class Watch: Sendable {
        let reports: AsyncStream<Void>
        let task: Task<Void, any Error>

        init(_ store: HallStore) async throws {
            let (reports, reported) = AsyncStream<Void>.makeStream()
            let (ready, isReady) = AsyncStream<Void>.makeStream()
            self.reports = reports
            task = Task {
                // A watch that fails ends both streams: the test then fails on its expectations instead of hanging.
                defer { isReady.finish(); reported.finish() }
                try await store.watchQueuedPrintJobs(onReady: { isReady.yield(); isReady.finish() }, onQueued: { reported.yield() })
            }
            for await _ in ready { break }
        }

        /// The next report, or false when none comes within `limit` (the test then fails).
        func next(within limit: Duration = .seconds(20)) async -> Bool {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { [reports] in for await _ in reports { return true }; return false }
                group.addTask { try? await Task.sleep(for: limit); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }
    }

    @Test func aJobQueuedThroughAnotherConnectionIsReported() async throws {
        let fixture = try StoreFixture()
        let watch = try await Watch(fixture.store)
        defer { watch.task.cancel() }
        // Another process: its own connections to the same file.
        let other = try HallStore(path: fixture.path)
        _ = try await other.enqueuePrintJob(idempotencyKey: "cli-1", printerRole: "window-1-printer", noticeID: nil, copies: 2, at: StoreFixture.march2)
        #expect(await watch.next(), "a job queued by another connection was not reported")
    }

    @Test func aFailedJobSentRoundAgainIsReported() async throws {
        let fixture = try StoreFixture()
        let job = try await fixture.store.enqueuePrintJob(idempotencyKey: "k", printerRole: "p1", noticeID: nil, copies: 2, at: StoreFixture.march2)
        _ = try await fixture.store.takeNextPrintJob(roles: ["p1"], at: StoreFixture.march2)
        try await fixture.store.markFailed(job: job.id, reason: "paper jam", at: StoreFixture.march2)
        let watch = try await Watch(fixture.store)
        defer { watch.task.cancel() }
        let other = try HallStore(path: fixture.path)
        try await other.retryPrintJob(job.id, actor: "ops", at: StoreFixture.march2)
        #expect(await watch.next(), "a job retried by another connection was not reported")
    }

    @Test func theWatchEndsWithItsTask() async throws {
        let fixture = try StoreFixture()
        let watch = try await Watch(fixture.store)
        watch.task.cancel()
        // Cancelled, the watch returns (no error) and its reports end; a watch that ignored cancellation would hang here.
        try await watch.task.value
        var reports = 0
        for await _ in watch.reports { reports += 1 }
        #expect(reports == 0)
    }

    @Test func aJobQueuedJustBeforeTheWatchStartsIsReported() async throws {
        // Its ring (if heard) would be dismissed by the data version the watch starts from: the first look does not ask.
        let fixture = try StoreFixture()
        let other = try HallStore(path: fixture.path)
        _ = try await other.enqueuePrintJob(idempotencyKey: "before", printerRole: "p1", noticeID: nil, copies: 1, at: StoreFixture.march2)
        let watch = try await Watch(fixture.store)
        defer { watch.task.cancel() }
        #expect(await watch.next(), "a job queued as the watch started was not reported")
    }

    @Test(.timeLimit(.minutes(1))) func theWatchSaysSoWhenItsFolderGoesAway() async throws {
        // The folder renamed under a running watch (a removal is reported only once the store's files are closed):
        // the bell can no longer be heard there, so the watch throws (and the spooler starts it again) instead of
        // ending as if cancelled and leaving other processes' jobs to the workers' 10 s look.
        let fixture = try StoreFixture()
        let watch = try await Watch(fixture.store)
        let folder = URL(fileURLWithPath: fixture.path).deletingLastPathComponent()
        let moved = folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + "-moved")
        try FileManager.default.moveItem(at: folder, to: moved)
        defer { try? FileManager.default.removeItem(at: moved) }
        await #expect(throws: QueueWatchEnded.self) { try await watch.task.value }
    }

    @Test func aJobQueuedByAnotherConnectionRingsTheBell() async throws {
        // What the watch sleeps on (inotify on the store's folder): the bell is touched after the commit, and the
        // listener announces it. Without it the watch would fall back to asking the data version every 20 ms.
        let fixture = try StoreFixture()
        let listener = try #require(PrintQueueBellListener(storePath: fixture.path), "inotify could not watch the store's folder")
        let other = try HallStore(path: fixture.path)
        _ = try await other.enqueuePrintJob(idempotencyKey: "cli-2", printerRole: "p1", noticeID: nil, copies: 1, at: StoreFixture.march2)
        let announced = await withTaskGroup(of: Bool.self) { group in
            group.addTask { for await _ in listener.rings { return true }; return false }
            group.addTask { try? await Task.sleep(for: .seconds(20)); return false }  // a bound, not a wait: a ring ends it at once
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(announced, "a queued job did not ring the print queue's bell")
    }

    @Test func onlyCommittedPrintJobChangesRingTheBell() async throws {
        // The ring is written on the committing thread after the commit, so the file tells at once whether it rang.
        let fixture = try StoreFixture()
        let bell = PrintQueueBell.path(forStore: fixture.path)
        try? FileManager.default.removeItem(atPath: bell)
        // The staff list, a badge tap: the hall's everyday writes wake nobody.
        try await fixture.seedStaff()
        _ = try await fixture.store.record(tap: "0012345678", reader: "door", meaning: .checkIn(staffID: "D001"), at: StoreFixture.march2)
        #expect(!FileManager.default.fileExists(atPath: bell), "a write that queued no print job rang the bell")
        // A job queued in a transaction that rolls back: nothing to print, no ring.
        struct Abandoned: Error {}
        await #expect(throws: Abandoned.self) {
            try await fixture.store.inTransaction { db in
                _ = try PrintJobRecords.enqueue(db, idempotencyKey: "gone", printerRole: "p1", noticeID: nil, copies: 1,
                                                at: StoreFixture.march2)
                throw Abandoned()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: bell), "a rolled-back job rang the bell")
        _ = try await fixture.store.enqueuePrintJob(idempotencyKey: "kept", printerRole: "p1", noticeID: nil, copies: 1, at: StoreFixture.march2)
        #expect(FileManager.default.fileExists(atPath: bell), "a committed job did not ring the bell")
    }

    @Test func aJobQueuedAfterAPrintedOneIsReportedToo() async throws {
        // Commits that leave nothing queued (taking and printing the first job) wake the watch too; the next job is
        // still reported.
        let fixture = try StoreFixture()
        let watch = try await Watch(fixture.store)
        defer { watch.task.cancel() }
        let other = try HallStore(path: fixture.path)
        let job = try await other.enqueuePrintJob(idempotencyKey: "first", printerRole: "p1", noticeID: nil, copies: 1, at: StoreFixture.march2)
        #expect(await watch.next())
        _ = try await other.takeNextPrintJob(roles: ["p1"], at: StoreFixture.march2)
        try await other.markPrinted(job: job.id, on: "p1", at: StoreFixture.march2)
        _ = try await other.enqueuePrintJob(idempotencyKey: "second", printerRole: "p1", noticeID: nil, copies: 1, at: StoreFixture.march2)
        #expect(await watch.next(), "the job queued after the printed one was not reported")
    }
}
