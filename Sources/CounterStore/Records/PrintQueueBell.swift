// The print queue's doorbell: every process that commits a change to the print jobs touches a small file beside the
// store after the commit; the running gateway's queue watch (QueuedJobWatch.swift) sleeps on inotify until that file
// is touched. A write to anything else (punches, device health, the audit log) wakes nobody.
import Foundation
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The file beside the store (`<store>-print-bell`) that is touched after each commit that changed the print jobs.
///
/// Why a file of its own, and not the store's WAL: the last write of a commit to the WAL comes before the commit is
/// visible to other connections (its fsync, then the WAL index in shared memory, which inotify does not see), and
/// every other commit writes the WAL too. The bell is touched after the commit is visible, and only for print jobs,
/// so one look at the queue per ring is enough and an idle hall's device health writes cost the watch nothing.
///
/// The bell carries no data and may be deleted at any time; a ring that cannot be written (the folder read-only to
/// this user) loses only speed: the printers' workers look at the queue every 10 s anyway.
public enum PrintQueueBell {
    /// The bell of the store at `storePath`.
    public static func path(forStore storePath: String) -> String { storePath + "-print-bell" }

    /// Touches the bell: opening it for writing and closing it is what inotify reports (`IN_CLOSE_WRITE`).
    static func ring(_ bellPath: String) {
        #if canImport(Glibc)
        let fd = open(bellPath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o666)
        guard fd >= 0 else { return }
        // Whoever creates it (root running the CLI, or the service user), every process that may write the store can
        // ring it later: the data folder's own permissions are what keep others out. Fails quietly when not the owner.
        _ = fchmod(fd, 0o666)
        close(fd)
        #endif
    }
}

/// Rings the bell after each commit that inserted or changed a print job, whichever code path did it (a notice
/// issued with its job, `print notice`, `jobs retry`, a fail-over, a printer bound to a role). Added to every store's
/// pool (HallStore.init), so the CLI and any other tool ring it too.
final class PrintQueueBellObserver: TransactionObserver, @unchecked Sendable {
    // Touched only on the writer's queue, where GRDB calls an observer.
    private var changed = false
    private let bellPath: String

    init(storePath: String) { bellPath = PrintQueueBell.path(forStore: storePath) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .insert(let table), .update(let table, _): return table == "print_jobs"
        case .delete: return false  // a deleted job queues nothing
        }
    }

    func databaseDidChange(with event: DatabaseEvent) { changed = true }

    /// Called once the transaction is committed, so a watcher woken by the ring sees it.
    func databaseDidCommit(_ db: Database) {
        guard changed else { return }
        changed = false
        PrintQueueBell.ring(bellPath)
    }

    func databaseDidRollback(_ db: Database) { changed = false }
}

/// A stream that yields whenever the print queue's bell (``PrintQueueBell``) is rung, by this process or another:
/// Linux inotify on the store's folder.
///
/// One thread per listener sleeps in `poll(2)` on the inotify descriptor and a pipe that wakes it to stop; it costs
/// nothing while nobody rings. Bursts collapse into one pending announcement. The stream ends when the listener is
/// cancelled, or by itself when the folder goes away (removed, renamed, unmounted) or inotify fails.
final class PrintQueueBellListener: Sendable {
    /// Announcements; ends when the consuming task is cancelled (which also stops the thread), or when the folder can
    /// no longer be watched.
    let rings: AsyncStream<Void>

    /// Nil where inotify cannot watch the folder (not Linux, no inotify instances left, the folder unreadable): the
    /// caller then polls.
    init?(storePath: String) {
        #if os(Linux)
        let bell = URL(fileURLWithPath: PrintQueueBell.path(forStore: storePath))
        let folder = bell.deletingLastPathComponent().path
        let bellName = bell.lastPathComponent
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        // IN_CLOSE_WRITE: a ring (also when it creates the file); IN_ATTRIB: `touch` by hand; IN_MOVED_TO: a bell put
        // in place by rename; the folder itself removed or renamed ends the listener (IN_IGNORED comes with those).
        guard inotify_add_watch(inotify, folder, UInt32(IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)) >= 0,
              let stop = StopSignal() else {
            close(inotify)
            return nil
        }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        rings = stream
        // Runs exactly once: cancelled by the consumer, or after the thread finished the stream.
        continuation.onTermination = { _ in stop.signalAndRelease() }
        let thread = Thread {
            Self.listen(inotify: inotify, stop: stop.descriptor, bellName: bellName) { continuation.yield() }
            close(inotify)
            continuation.finish()
            stop.release()
        }
        thread.name = "countergate print bell"
        thread.start()
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The pipe that tells the listener's thread to stop. Both the thread and the stream's termination hold it; it is
    /// closed when both let go, so neither writes to, or polls, a descriptor the other closed (and perhaps reused), and
    /// the write never meets a closed reading end.
    private final class StopSignal: Sendable {
        /// What the thread polls.
        let descriptor: Int32
        private let writing: Int32
        private let holders = Mutex(2)

        init?() {
            var ends: [Int32] = [0, 0]
            // (pipe2 is not in Swift's Glibc module; close-on-exec follows at once.)
            guard pipe(&ends) == 0 else { return nil }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC); _ = fcntl(end, F_SETFL, O_NONBLOCK) }
            descriptor = ends[0]
            writing = ends[1]
        }

        func signalAndRelease() {
            holders.withLock { holders in
                var one: UInt8 = 1
                _ = write(writing, &one, 1)
                holders -= 1
                if holders == 0 { close(descriptor); close(writing) }
            }
        }

        func release() {
            holders.withLock { holders in
                holders -= 1
                if holders == 0 { close(descriptor); close(writing) }
            }
        }
    }

    /// The thread's loop: sleeps until the folder changes or the stop signal is written; announces rings of
    /// `bellName`; returns when told to stop, or when the folder can no longer be watched.
    private static func listen(inotify: Int32, stop: Int32, bellName: String, announce: () -> Void) {
        let capacity = 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        let header = MemoryLayout<inotify_event>.size
        let gone = UInt32(IN_IGNORED | IN_UNMOUNT | IN_DELETE_SELF | IN_MOVE_SELF)
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else {
                if fds[0].revents != 0 { return }  // POLLERR or POLLHUP on the inotify descriptor: nothing more to learn
                continue
            }
            var announced = false
            var folderGone = false
            while true {
                let count = read(inotify, buffer, capacity)
                if count <= 0 { break }
                var offset = 0
                while offset + header <= count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameLength = Int(event.len)
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        announced = true  // events were lost: announce, the reader checks
                    } else if event.mask & gone != 0 {
                        folderGone = true
                    } else if nameLength > 0 {
                        let name = String(cString: buffer.advanced(by: offset + header).assumingMemoryBound(to: CChar.self))
                        if name == bellName { announced = true }
                    }
                    offset += header + nameLength
                }
            }
            if announced { announce() }
            if folderGone { return }
        }
    }
    #endif
}
