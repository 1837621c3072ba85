// What the transport tests share: loopback sockets, pty pairs, blocking waits moved off the cooperative threads.
import DeviceKit
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking test code (accept, poll) on a thread of its own, so the tests' waits never hold a cooperative thread.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result(catching: body))
        }
    }
}

enum FD {
    /// Reads until `count` bytes arrived or `timeout` passed (poll-bounded; the fd may be blocking or not).
    static func read(_ fd: Int32, count: Int, timeout: Duration) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < count {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw TestFailure("only \(bytes.count) of \(count) bytes arrived within \(timeout)") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, min($0.count, count - bytes.count)) }
            if n > 0 { bytes += buffer.prefix(n); continue }
            if n < 0, errno == EAGAIN || errno == EINTR { continue }
            throw TestFailure("read ended after \(bytes.count) of \(count) bytes (\(n < 0 ? String(cString: strerror(errno)) : "end of stream"))")
        }
        return bytes
    }

    /// Reads until the other side closes, within `timeout`.
    static func readToEnd(_ fd: Int32, timeout: Duration) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw TestFailure("no end of stream within \(timeout) (\(bytes.count) bytes so far)") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n > 0 { bytes += buffer.prefix(n); continue }
            if n == 0 { return bytes }
            if errno == EAGAIN || errno == EINTR { continue }
            throw TestFailure("read failed: \(String(cString: strerror(errno)))")
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw TestFailure("write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}

/// A TCP socket bound to 127.0.0.1 on a free port, listening or (to refuse connections) not.
final class LoopbackListener: Sendable {
    let fd: Int32
    let port: Int

    /// - Parameters:
    ///   - listening: false leaves the socket bound but not listening, so connecting to it is refused.
    ///   - receiveBuffer: a small SO_RCVBUF makes a listener that never reads fill up after little data.
    init(listening: Bool = true, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw TestFailure("bind failed: \(String(cString: strerror(errno)))") }
        if listening, listen(fd, 8) != 0 { close(fd); throw TestFailure("listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts one connection, waiting at most `timeout`.
    func accept(timeout: Duration = .seconds(5)) async throws -> Int32 {
        let fd = self.fd
        return try await onThread {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(timeout.components.seconds * 1000)) > 0 else { throw TestFailure("no connection within \(timeout)") }
            let client = Glibc.accept(fd, nil, nil)
            guard client >= 0 else { throw TestFailure("accept failed") }
            return client
        }
    }

    deinit { close(fd) }
}

/// Runs `body`, which should fail with a `TransportError`, and returns the error (recording an issue on success).
func transportError(_ body: () async throws(TransportError) -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> TransportError? {
    do {
        try await body()
        Issue.record("expected a TransportError, but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
