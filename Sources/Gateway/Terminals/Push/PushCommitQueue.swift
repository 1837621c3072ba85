// Group commit for push uploads: uploads that arrive while a transaction is being written wait for the next one and
// are committed together, so fifty terminals uploading at once cost a few fsyncs, not fifty. Each upload is answered
// only after the transaction that holds it has committed.
import CounterStore
import Foundation
import Logging
import Synchronization

/// Commits push uploads in shared transactions (``HallStore/commitPushUploads(_:)``).
final class PushCommitQueue: Sendable {
    private struct Pending {
        let upload: PushUpload
        let continuation: CheckedContinuation<PushUploadOutcome, any Error>
    }

    /// Why an upload was not committed because the gateway is stopping.
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "the gateway is stopping; the terminal sends the upload again after its ErrorDelay" }
    }

    let store: HallStore
    let logger: Logger
    /// Uploads per transaction at most, and punches: a transaction of many thousands of rows keeps the next uploads
    /// waiting longer than it saves.
    let maxUploads: Int
    let maxPunches: Int
    private let pending = Mutex<(items: [Pending], running: Bool, stopped: Bool)>(([], false, false))
    private let (signal, doorbell) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(store: HallStore, logger: Logger, maxUploads: Int = 64, maxPunches: Int = 8_000) {
        self.store = store
        self.logger = logger
        self.maxUploads = maxUploads
        self.maxPunches = maxPunches
    }

    /// Commits `upload` (with whatever else is waiting) and returns what it did, once it is on disk.
    /// - Throws: the store's error (nothing of the upload was stored), or ``Stopped`` on shutdown.
    func commit(_ upload: PushUpload) async throws -> PushUploadOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = pending.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.items.append(Pending(upload: upload, continuation: continuation))
                return true
            }
            if accepted { doorbell.yield() } else { continuation.resume(throwing: Stopped()) }
        }
    }

    /// Writes waiting uploads until cancelled; on the way out, fails what is still waiting (the terminals send it
    /// again).
    func run() async {
        for await _ in signal {
            while let batch = next() {
                await write(batch)
            }
            if Task.isCancelled { break }
        }
        let left = pending.withLock { state -> [Pending] in
            state.stopped = true
            defer { state.items = [] }
            return state.items
        }
        for item in left { item.continuation.resume(throwing: Stopped()) }
    }

    /// Ends ``run()`` once what is waiting has been written.
    func finish() { doorbell.finish() }

    private func next() -> [Pending]? {
        pending.withLock { state in
            guard !state.items.isEmpty else { return nil }
            var punches = 0
            var count = 0
            for item in state.items {
                if count > 0 && (count >= maxUploads || punches + item.upload.punches.count > maxPunches) { break }
                punches += item.upload.punches.count
                count += 1
            }
            let batch = Array(state.items.prefix(count))
            state.items.removeFirst(count)
            return batch
        }
    }

    private func write(_ batch: [Pending]) async {
        do {
            let outcomes = try await store.commitPushUploads(batch.map(\.upload))
            for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(returning: outcome) }
        } catch where batch.count > 1 {
            // One upload the store refuses must not fail the others: each on its own.
            logger.warning("a shared push commit failed; committing its uploads one by one", metadata: ["uploads": "\(batch.count)", "error": "\(error)"])
            for item in batch { await write([item]) }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
        }
    }
}
