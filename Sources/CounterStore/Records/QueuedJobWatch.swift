// Notices print at once when another process queues them: the print queue's bell (PrintQueueBell.swift), touched after
// every commit that changed the print jobs, wakes the watch (inotify); only then is the queue looked at.
import Foundation
import GRDB
import Synchronization

extension HallStore {
    /// Calls `onQueued` whenever a print job is queued (or sent round again) by any connection to the store,
    /// another process's included: the CLI's `print notice`, `jobs retry`, another gateway tool.
    ///
    /// The watch sleeps until the print queue's bell is rung (``PrintQueueBell``: every store's pool touches a file
    /// beside the store after each commit that inserted or changed a print job, and inotify on the store's folder
    /// reports it), then asks its own read-only connection (``StoreChangeProbe``) `PRAGMA data_version`, which changes
    /// only when some other connection has committed. Only when it has changed is the queue looked at (a count over the
    /// `print_jobs_state` index), and `onQueued` is called whenever jobs are queued then. The bell rings after the
    /// commit is visible, so one look per ring sees the job; a job queued elsewhere is seen within milliseconds, and an
    /// idle store, or one busy with punches and device health, costs the watch nothing. Where inotify cannot watch the
    /// folder, the data version is asked every `interval` instead.
    ///
    /// Runs until the task is cancelled.
    /// - Parameters:
    ///   - interval: how often the data version is checked where inotify is unavailable (20 ms: a notice starts printing
    ///     well within 100 ms).
    ///   - onReady: called once the watch has read its starting point; a job queued after this is reported.
    ///   - onQueued: called (on the watch's task) as the watch starts when jobs are queued, and after each change that
    ///     leaves queued jobs in the store.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the watch's connection cannot be opened, the error of a
    ///   read that failed, or ``QueueWatchEnded`` when the folder can no longer be watched (the caller decides whether
    ///   to watch again).
    public func watchQueuedPrintJobs(interval: Duration = .milliseconds(20), onReady: @Sendable () -> Void = {},
                                     onQueued: @Sendable () -> Void) async throws {
        // The listener is set up before the starting point is read, so a ring between the two is announced.
        let bell = PrintQueueBellListener(storePath: path)
        let probe = try StoreChangeProbe(store: self)
        _ = try await probe.changed()
        func look(always: Bool = false) async throws {
            guard try await probe.changed() || always else { return }
            let queued = try await pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM print_jobs WHERE state = 'queued'") ?? 0
            }
            if queued > 0 { onQueued() }
        }
        do {
            // A job committed just before the starting point rang a bell that the data version would now dismiss:
            // the queue is looked at once as the watch starts.
            try await look(always: true)
            onReady()
            if let bell {
                for await _ in bell.rings { try await look() }
                // The stream ends when the task is cancelled, or when the folder can no longer be watched: then the
                // caller is told, so that it starts the watch again (PrintSpooler.watchOtherProcesses).
                if Task.isCancelled { return }
                throw QueueWatchEnded(folder: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            }
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                try await look()
            }
        } catch is CancellationError {
            return  // cancelled during a read (GRDB's async reads honour cancellation): the watch simply ends
        }
    }
}

/// The watch for print jobs queued by other processes stopped hearing the bell: the store's folder was renamed, or
/// removed (reported by the kernel once the store's files are closed), or inotify failed.
public struct QueueWatchEnded: Error, Sendable, CustomStringConvertible {
    public let folder: String
    public var description: String {
        "the watch of \(folder) for print jobs queued by other processes ended (the folder was renamed or removed, or inotify failed)"
    }
}

/// Tells whether any other connection (this process's pool, or another process) has committed to the store since it
/// was last asked: SQLite's `PRAGMA data_version` on a read-only connection of its own. Pollers that would read the
/// same rows again and again (the queue watch above, the role-binding watcher) ask it first, so an idle store costs
/// them one pragma.
public final class StoreChangeProbe: Sendable {
    private let queue: DatabaseQueue
    private let last: Mutex<Int64?> = Mutex(nil)

    public init(store: HallStore) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        do { queue = try DatabaseQueue(path: store.path, configuration: configuration) } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: store.path, reason: error.message ?? error.description)
        }
    }

    /// True the first time, and whenever a commit has happened since the last call.
    public func changed() async throws -> Bool {
        // No transaction around a pragma: this is a poller's whole cost on an idle store, many times a second.
        let version = try await queue.unsafeRead { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        return last.withLock { last in
            defer { last = version }
            return last != version
        }
    }
}
