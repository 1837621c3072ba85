// Notices print at once when another process queues them: SQLite's data version, checked on a short timer, says the
// store changed; only then is the queue looked at.
import Foundation
import GRDB

extension HallStore {
    /// What changed in the print queue, as the watch sees it: the queued jobs' count, newest id and latest update.
    struct QueueSignature: Equatable {
        var count: Int64
        var newestID: Int64
        var lastUpdate: Int64
    }

    /// Calls `onQueued` whenever a print job is queued (or sent round again) by any connection to the store,
    /// another process's included: the CLI's `print notice`, `jobs retry`, another gateway tool.
    ///
    /// The watch has its own read-only connection and asks it `PRAGMA data_version` every `interval`: that number
    /// changes only when some other connection has committed, and reading it touches no table. Only when it has
    /// changed is the queue read (one indexed query). So a job queued elsewhere is seen within `interval`, while an
    /// idle store costs one pragma per tick and the printers' own polling of the queue stays as slow as it was.
    ///
    /// Runs until the task is cancelled.
    /// - Parameters:
    ///   - interval: how often the data version is checked (20 ms: a notice starts printing well within 100 ms).
    ///   - onReady: called once the watch has read its starting point; a job queued after this is reported.
    ///   - onQueued: called (on the watch's task) after each change that leaves queued jobs in the store.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the watch's connection cannot be opened.
    public func watchQueuedPrintJobs(interval: Duration = .milliseconds(20), onReady: @Sendable () -> Void = {},
                                     onQueued: @Sendable () -> Void) async throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        let watcher: DatabaseQueue
        do { watcher = try DatabaseQueue(path: path, configuration: configuration) } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? error.description)
        }
        func dataVersion() throws -> Int64 {
            try watcher.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
        func signature() throws -> QueueSignature {
            try watcher.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM print_jobs WHERE state = 'queued'
                    """)
                return QueueSignature(count: row?[0] ?? 0, newestID: row?[1] ?? 0, lastUpdate: row?[2] ?? 0)
            }
        }
        var version = try dataVersion()
        var seen = try signature()
        onReady()
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                let now = try dataVersion()
                guard now != version else { continue }
                version = now
                let current = try signature()
                guard current != seen else { continue }
                seen = current
                if current.count > 0 { onQueued() }
            } catch {
                // A busy or briefly locked store: the next tick tries again; the printers' own polling still runs.
                continue
            }
        }
    }
}
