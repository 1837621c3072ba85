// Bounded writes and reads on non-blocking file descriptors (sockets, /dev/usb/lpN, ttys, pipes), for the I/O threads.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a descriptor operation ended when it did not succeed.
enum DescriptorFailure: Error, Equatable {
    /// A system call failed with this errno.
    case system(call: String, errno: Int32)
    /// The deadline passed; `done` bytes had been written (or read) by then.
    case timedOut(done: Int)
    /// The task was cancelled or the device is closing.
    case stopped
    /// The other side closed (read returned 0, or a write saw a hang-up).
    case endOfStream
}

/// Poll-based loops on descriptors opened with `O_NONBLOCK`: each waits at most until a deadline, and gives up
/// early when a stop signal is raised (checked every ``PrinterIOThreads/checkInterval``).
enum DescriptorIO {
    enum Readiness { case ready(hangUp: Bool), timedOut, stopped }

    /// Waits until `fd` is ready for `events`, the deadline passes, or a stop signal is raised.
    static func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant, stops: [StopSignal]) -> Result<Readiness, DescriptorFailure> {
        while true {
            if stops.contains(where: \.isRaised) { return .success(.stopped) }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .success(.timedOut) }
            let slice = min(remaining, PrinterIOThreads.checkInterval)
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&pfd, 1, Int32(max(1, slice.milliseconds)))
            if result < 0 {
                if errno == EINTR { continue }
                return .failure(.system(call: "poll", errno: errno))
            }
            if result == 0 { continue }
            if pfd.revents & Int16(POLLNVAL) != 0 { return .failure(.system(call: "poll", errno: EBADF)) }
            return .success(.ready(hangUp: pfd.revents & Int16(POLLHUP | POLLERR) != 0))
        }
    }

    /// Writes every byte, resuming after partial writes, EINTR and EAGAIN, until the deadline.
    /// - Parameter socket: use `send` with `MSG_NOSIGNAL` (no SIGPIPE on a reset connection).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], until deadline: ContinuousClock.Instant, stops: [StopSignal],
                         socket: Bool = false) -> Result<Void, DescriptorFailure> {
        var written = 0
        return bytes.withUnsafeBytes { buffer -> Result<Void, DescriptorFailure> in
            while written < buffer.count {
                if stops.contains(where: \.isRaised) { return .failure(.stopped) }
                let pointer = buffer.baseAddress! + written
                let count = buffer.count - written
                let result = socket ? socketSend(fd, pointer, count) : systemWrite(fd, pointer, count)
                if result > 0 {
                    written += result
                    continue
                }
                let code = result < 0 ? errno : EAGAIN
                switch code {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    // The device or socket buffer is full: wait for room, within the deadline.
                    switch wait(fd, for: Int16(POLLOUT), until: deadline, stops: stops) {
                    case .success(.ready(let hangUp)):
                        if hangUp {
                            // Ready only because the other side hung up: the next write says why.
                            let probe = socket ? socketSend(fd, pointer, count) : systemWrite(fd, pointer, count)
                            if probe > 0 { written += probe; continue }
                            if probe < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                                return .failure(.system(call: socket ? "send" : "write", errno: errno))
                            }
                            return .failure(.endOfStream)
                        }
                    case .success(.timedOut): return .failure(.timedOut(done: written))
                    case .success(.stopped): return .failure(.stopped)
                    case .failure(let failure): return .failure(failure)
                    }
                default:
                    return .failure(.system(call: socket ? "send" : "write", errno: code))
                }
            }
            return .success(())
        }
    }

    /// Reads up to `maxCount` bytes, waiting for the first until the deadline. Empty when nothing came in time.
    static func read(_ fd: Int32, upTo maxCount: Int, until deadline: ContinuousClock.Instant, stops: [StopSignal]) -> Result<[UInt8], DescriptorFailure> {
        var buffer = [UInt8](repeating: 0, count: max(1, maxCount))
        while true {
            let result = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if result > 0 { return .success(Array(buffer.prefix(result))) }
            if result == 0 { return .failure(.endOfStream) }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                switch wait(fd, for: Int16(POLLIN), until: deadline, stops: stops) {
                case .success(.ready): continue
                case .success(.timedOut): return .success([])
                case .success(.stopped): return .failure(.stopped)
                case .failure(let failure): return .failure(failure)
                }
            case let code:
                return .failure(.system(call: "read", errno: code))
            }
        }
    }

    /// The system's words for an errno (`Resource busy`).
    static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

// `write` and `read` are also names of the transports' own methods; these name the system calls unambiguously.
@inline(__always) func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, pointer, count)
    #else
    Darwin.write(fd, pointer, count)
    #endif
}

/// `send` without SIGPIPE: a printer resetting the connection must give EPIPE, not kill the gateway.
@inline(__always) func socketSend(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
    send(fd, pointer, count, 0)
    #endif
}

@inline(__always) func systemRead(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, pointer, count)
    #else
    Darwin.read(fd, pointer, count)
    #endif
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short timeout still waits.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

extension TransportError {
    /// The error for a failed descriptor operation on a device node (a file, a tty) or socket.
    /// - Parameters:
    ///   - failure: what went wrong.
    ///   - device: the printer's name.
    ///   - doing: what was being done, `write` or `read` or `open`, for the summary.
    ///   - timeout: the time that was allowed, for a timeout's summary.
    ///   - permissionAdvice: what grants access to this kind of node.
    static func from(_ failure: DescriptorFailure, device: String, doing: String, timeout: Duration? = nil,
                     permissionAdvice: String? = nil) -> TransportError {
        switch failure {
        case .timedOut(let done):
            let allowed = timeout.map { " within \(format($0))" } ?? ""
            return TransportError(.timedOut, device: device, summary: "did not accept data\(allowed)",
                                  detail: "\(done) bytes sent before the timeout")
        case .stopped:
            return TransportError(.cancelled, device: device, detail: "\(doing) cancelled, or the transport closed during it")
        case .endOfStream:
            return TransportError(.disconnected, device: device, detail: "end of stream during \(doing)")
        case .system(let call, let code):
            let detail = "\(call): \(DescriptorIO.message(code))"
            switch code {
            case ENOENT, ENODEV, ENXIO:
                return TransportError(.unplugged, device: device, detail: detail)
            case EIO:
                // A tty whose USB adapter was pulled, or a pty whose other side closed, answers EIO from then on.
                return TransportError(.unplugged, device: device, summary: "stopped answering", detail: detail,
                                      advice: "check that it is plugged in; printing resumes when it is back")
            case EACCES, EPERM:
                return TransportError(.permissionDenied, device: device, detail: detail, advice: permissionAdvice)
            case EBUSY:
                return TransportError(.busy, device: device, detail: detail)
            case ENOSPC:
                return TransportError(.outOfPaper, device: device, detail: detail)
            case ECONNREFUSED:
                return TransportError(.connectionRefused, device: device, detail: detail)
            case EHOSTUNREACH, ENETUNREACH, ENETDOWN, EHOSTDOWN:
                return TransportError(.unreachable, device: device, detail: detail)
            case ETIMEDOUT:
                return TransportError(.timedOut, device: device, summary: "did not answer", detail: detail)
            case EPIPE, ECONNRESET, ECONNABORTED, ENOTCONN:
                return TransportError(.disconnected, device: device, detail: detail)
            case EISDIR, ENOTDIR, ENOTTY, EINVAL:
                return TransportError(.misconfigured, device: device, summary: "is not a printer device", detail: detail)
            default:
                return TransportError(.ioFailure, device: device, summary: "failed during \(doing)", detail: detail)
            }
        }
    }

    static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }
}
