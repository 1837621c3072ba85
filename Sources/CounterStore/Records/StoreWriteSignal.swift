// Tells a waiter that the store's write-ahead log was written, by any process: Linux inotify on the store's folder.
// The queue watch (QueuedJobWatch.swift) waits on it instead of asking SQLite fifty times a second.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stream that yields whenever the store's WAL file (`<store>-wal`) is written or created, by this process or
/// another. Each commit in WAL mode appends to that file, so no commit goes by unannounced; writes that are not
/// commits (a checkpoint rewriting the WAL) announce themselves too, and the reader's own check sorts them out.
///
/// One thread per signal sleeps in `poll(2)` on the inotify descriptor and a pipe that wakes it to stop; it costs
/// nothing while the store is idle. Bursts collapse into one pending announcement.
final class StoreWriteSignal: Sendable {
    /// Announcements; ends when the consuming task is cancelled (which also stops the thread).
    let writes: AsyncStream<Void>

    /// Nil where inotify cannot watch the folder (not Linux, no inotify instances left, the folder unreadable): the
    /// caller then polls.
    init?(storePath: String) {
        #if os(Linux)
        let url = URL(fileURLWithPath: storePath)
        let folder = url.deletingLastPathComponent().path
        let walName = url.lastPathComponent + "-wal"
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        guard inotify_add_watch(inotify, folder, UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO)) >= 0 else {
            close(inotify)
            return nil
        }
        var stopPipe: [Int32] = [0, 0]
        guard pipe(&stopPipe) == 0 else {
            close(inotify)
            return nil
        }
        for end in stopPipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        writes = stream
        let stopRead = stopPipe[0], stopWrite = stopPipe[1]
        continuation.onTermination = { _ in
            var one: UInt8 = 1
            _ = write(stopWrite, &one, 1)
        }
        let thread = Thread {
            defer { close(inotify); close(stopRead); close(stopWrite) }
            Self.watch(inotify: inotify, stop: stopRead, walName: walName) { continuation.yield() }
            continuation.finish()
        }
        thread.name = "countergate store write signal"
        thread.start()
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The thread's loop: sleeps until the folder changes or the stop pipe is written; announces writes of `walName`.
    private static func watch(inotify: Int32, stop: Int32, walName: String, announce: () -> Void) {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        let header = MemoryLayout<inotify_event>.size
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
            while true {
                let count = read(inotify, buffer, capacity)
                if count <= 0 { break }
                var offset = 0
                while offset + header <= count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameLength = Int(event.len)
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        announced = true  // events were lost: announce, the reader checks
                    } else if nameLength > 0 {
                        let name = String(cString: buffer.advanced(by: offset + header).assumingMemoryBound(to: CChar.self))
                        if name == walName { announced = true }
                    }
                    offset += header + nameLength
                }
            }
            if announced { announce() }
        }
    }
    #endif
}
