// The keyboard-wedge reader adapter: finds the reader's evdev node by its USB ids, grabs it, reads key events on a
// thread of its own and hands out cards through an AsyncStream; survives unplug and re-plug.
import CounterCore
import DeviceKit
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process that has a reader's event node open (found under `/proc/*/fd`).
public struct NodeHolder: Sendable, Hashable, CustomStringConvertible {
    public let pid: Int32
    /// `/proc/PID/comm`, e.g. `Xorg`, `evtest`, `countergate`.
    public let command: String

    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    public var description: String { "\(command) (pid \(pid))" }
}

/// Why the reader cannot be used right now. The reader keeps trying; these are reported, not thrown.
public enum WedgeReaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No event node with these USB ids in `/sys/class/input`.
    case notFound(vendorID: UInt16, productID: UInt16, attached: [String])
    /// `open` failed (EACCES: the service user lacks the udev rule's group).
    case openFailed(node: String, errno: Int32)
    /// `EVIOCGRAB` refused with EBUSY: another process holds the exclusive grab. `holders` are the processes
    /// that have the node open (the grabber is among them, unless it is in another PID namespace).
    case grabRefused(node: String, holders: [NodeHolder])
    /// `EVIOCGRAB` failed for another reason.
    case grabFailed(node: String, errno: Int32)
    /// `read` failed with something other than ENODEV/EAGAIN/EINTR.
    case readFailed(node: String, errno: Int32)
    /// A read returned bytes that are not whole 24-byte records.
    case badRecords(node: String, InputEventDecodingError)

    public var description: String {
        func message(_ code: Int32) -> String { String(cString: strerror(code)) }
        switch self {
        case .notFound(let vendor, let product, let attached):
            let ids = String(format: "%04x:%04x", vendor, product)
            return "no input device \(ids) in /sys/class/input (attached: \(attached.isEmpty ? "none" : attached.joined(separator: "; ")))"
        case .openFailed(let node, let code):
            return "cannot open \(node): \(message(code))"
                + (code == EACCES ? " (the service user needs the group the udev rule grants, see udev/)" : "")
        case .grabRefused(let node, let holders):
            let who = holders.isEmpty
                ? "no process visible here holds it open (another container or PID namespace?)"
                : "held open by " + holders.map(\.description).joined(separator: ", ")
            return "\(node) is grabbed by another process: \(who); stop it, or keep the desktop off the reader with ENV{LIBINPUT_IGNORE_DEVICE}=\"1\""
        case .grabFailed(let node, let code):
            return "cannot grab \(node) (EVIOCGRAB): \(message(code))"
        case .readFailed(let node, let code):
            return "reading \(node) failed: \(message(code))"
        case .badRecords(let node, let error):
            return "\(node): \(error)"
        }
    }
}

/// What a running ``WedgeReader`` reports.
public enum WedgeReaderEvent: Sendable, Hashable {
    /// The node was opened and grabbed; cards typed from now on are ours alone.
    case attached(node: String)
    /// A card was read.
    case card(WedgeCard, node: String)
    /// A half card was thrown away (timeout between keys, or too long).
    case discarded(partial: String, node: String)
    /// A key no reader types (noise, or a keyboard sharing the node).
    case unexpectedKey(code: UInt16, node: String)
    /// The node went away (read failed with ENODEV): the reader is looked for again by its ids.
    case unplugged(node: String)
    /// The reader cannot be used right now; it is retried every ``WedgeReader/rescanInterval``.
    case problem(WedgeReaderError)
}

/// The operating system calls ``WedgeReader`` needs; ``LinuxEvdev`` in the gateway, a fake in tests.
public protocol EvdevSystem: Sendable {
    /// The event node of the reader with these ids, if attached.
    func findNode(vendorID: UInt16, productID: UInt16) -> Result<String, WedgeReaderError>
    /// Opens `node` non-blocking and takes the exclusive grab; returns the descriptor.
    func openAndGrab(_ node: String) -> Result<Int32, WedgeReaderError>
    /// `read(2)`: the byte count, or -1 with the errno.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, errno: Int32)
    /// Releases the grab and closes.
    func close(_ fd: Int32)
}

/// The real thing: `/sys/class/input` for discovery, `open(O_RDONLY|O_NONBLOCK|O_CLOEXEC)` and `EVIOCGRAB`.
public struct LinuxEvdev: EvdevSystem {
    /// `_IOW('E', 0x90, int)`.
    public static let eviocgrab: UInt = 0x4004_4590

    public let sysfsRoot: String
    public let procRoot: String

    public init(sysfsRoot: String = "/sys", procRoot: String = "/proc") {
        self.sysfsRoot = sysfsRoot
        self.procRoot = procRoot
    }

    public func findNode(vendorID: UInt16, productID: UInt16) -> Result<String, WedgeReaderError> {
        if let node = InputDevices.nodes(vendorID: vendorID, productID: productID, sysfsRoot: sysfsRoot).first?.node {
            return .success(node)
        }
        return .failure(.notFound(vendorID: vendorID, productID: productID,
                                  attached: InputDevices.scan(sysfsRoot: sysfsRoot).map(\.description)))
    }

    public func openAndGrab(_ node: String) -> Result<Int32, WedgeReaderError> {
        let fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.openFailed(node: node, errno: errno)) }
        if ioctl(fd, Self.eviocgrab, Int32(1)) != 0 {
            let code = errno
            _ = Glibc.close(fd)
            if code == EBUSY { return .failure(.grabRefused(node: node, holders: Self.holders(of: node, procRoot: procRoot))) }
            return .failure(.grabFailed(node: node, errno: code))
        }
        return .success(fd)
    }

    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, errno: Int32) {
        let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
        return (count, count < 0 ? errno : 0)
    }

    public func close(_ fd: Int32) {
        _ = ioctl(fd, Self.eviocgrab, Int32(0))
        _ = Glibc.close(fd)
    }

    /// The processes with `node` open: every `<procRoot>/PID/fd/*` link that resolves to it, named by
    /// `<procRoot>/PID/comm`. Processes whose fds we may not read are skipped.
    public static func holders(of node: String, procRoot: String = "/proc") -> [NodeHolder] {
        let files = FileManager.default
        guard let entries = try? files.contentsOfDirectory(atPath: procRoot) else { return [] }
        var found: [NodeHolder] = []
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            let fdDirectory = procRoot + "/" + entry + "/fd"
            guard let fds = try? files.contentsOfDirectory(atPath: fdDirectory) else { continue }
            let holds = fds.contains { (try? files.destinationOfSymbolicLink(atPath: fdDirectory + "/" + $0)) == node }
            guard holds else { continue }
            let comm = (try? String(contentsOfFile: procRoot + "/" + entry + "/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            found.append(NodeHolder(pid: pid, command: comm ?? "?"))
        }
        return found.sorted { $0.pid < $1.pid }
    }
}

/// A keyboard-wedge badge reader, found by its USB ids.
///
/// ``events()`` starts a dedicated thread (never a Swift cooperative thread) that finds the node, opens and grabs
/// it, and waits in `poll` for key events or for the stream's consumer to go away. ENODEV (unplug) closes the
/// node, reports ``WedgeReaderEvent/unplugged(node:)`` and looks for the reader again by its ids, immediately and
/// then every ``rescanInterval``; other failures (not attached, grab refused) are reported once per change and
/// retried at the same interval.
public final class WedgeReader: Sendable {
    public let vendorID: UInt16
    public let productID: UInt16
    /// The longest gap between keys of one card.
    public let keyTimeout: Duration
    /// How often a missing or unusable reader is looked for again.
    public let rescanInterval: Duration
    private let system: any EvdevSystem

    public init(vendorID: UInt16, productID: UInt16, keyTimeout: Duration = .milliseconds(300),
                rescanInterval: Duration = .seconds(1), system: any EvdevSystem = LinuxEvdev()) {
        self.vendorID = vendorID
        self.productID = productID
        self.keyTimeout = keyTimeout
        self.rescanInterval = rescanInterval
        self.system = system
    }

    /// Starts reading. The thread stops, and the node is released, when the stream's consumer stops iterating.
    public func events() -> AsyncStream<WedgeReaderEvent> {
        let (stream, continuation) = AsyncStream<WedgeReaderEvent>.makeStream(bufferingPolicy: .unbounded)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            continuation.yield(.problem(.readFailed(node: "wake pipe", errno: errno)))
            continuation.finish()
            return stream
        }
        let wakeRead = pipeFDs[0], wakeWrite = pipeFDs[1]
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let writeEnd = Mutex<Int32?>(wakeWrite)
        continuation.onTermination = { _ in
            writeEnd.withLock { fd in
                guard let open = fd else { return }
                var byte: UInt8 = 1
                _ = write(open, &byte, 1)
            }
        }
        let loop = ReadLoop(vendorID: vendorID, productID: productID, keyTimeout: keyTimeout,
                            rescanInterval: rescanInterval, system: system, wake: wakeRead, continuation: continuation)
        Thread.detachNewThread {
            loop.run()
            writeEnd.withLock { fd in
                if let open = fd { _ = Glibc.close(open) }
                fd = nil
            }
            _ = Glibc.close(wakeRead)
            continuation.finish()
        }
        return stream
    }
}

/// The body of the reader's thread.
private struct ReadLoop: Sendable {
    let vendorID: UInt16
    let productID: UInt16
    let keyTimeout: Duration
    let rescanInterval: Duration
    let system: any EvdevSystem
    let wake: Int32
    let continuation: AsyncStream<WedgeReaderEvent>.Continuation

    /// Waits up to `timeout` (nil: forever) for the wake pipe or `fd`; true when asked to stop.
    private func wait(for fd: Int32?, timeout: Duration?) -> (stop: Bool, readable: Bool) {
        var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        if let fd { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = timeout.map { Int32(clamping: $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) } ?? -1
        let ready = poll(&fds, nfds_t(fds.count), milliseconds)
        if ready < 0 { return (false, false) } // EINTR: the caller loops
        if fds[0].revents != 0 { return (true, false) }
        return (false, fds.count > 1 && fds[1].revents != 0)
    }

    func run() {
        var lastProblem: WedgeReaderError?
        var retryNow = false
        func report(_ problem: WedgeReaderError) {
            if problem != lastProblem { continuation.yield(.problem(problem)) }
            lastProblem = problem
        }
        while true {
            if !retryNow, wait(for: nil, timeout: lastProblem == nil ? .zero : rescanInterval).stop { return }
            retryNow = false
            let node: String
            switch system.findNode(vendorID: vendorID, productID: productID) {
            case .failure(let problem): report(problem); continue
            case .success(let found): node = found
            }
            let fd: Int32
            switch system.openAndGrab(node) {
            case .failure(let problem): report(problem); continue
            case .success(let opened): fd = opened
            }
            lastProblem = nil
            continuation.yield(.attached(node: node))
            switch readCards(fd: fd, node: node) {
            case .stop:
                system.close(fd)
                return
            case .unplugged:
                system.close(fd)
                continuation.yield(.unplugged(node: node))
                retryNow = true
            case .failed(let problem):
                system.close(fd)
                report(problem)
            }
        }
    }

    private enum Ending { case stop, unplugged, failed(WedgeReaderError) }

    private func readCards(fd: Int32, node: String) -> Ending {
        var assembler = WedgeCardAssembler(timeout: keyTimeout)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: InputEvent.size * 64, alignment: 8)
        defer { buffer.deallocate() }
        var carry: [UInt8] = []
        while true {
            let (stop, readable) = wait(for: fd, timeout: nil)
            if stop { return .stop }
            if !readable { continue }
            let (count, code) = system.read(fd, into: buffer)
            if count < 0 {
                if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { continue }
                if code == ENODEV { return .unplugged }
                return .failed(.readFailed(node: node, errno: code))
            }
            if count == 0 { return .unplugged } // evdev never ends a stream while the device exists
            // evdev returns whole records; anything left over is a torn read, reported and carried.
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            let whole = carry.count - carry.count % InputEvent.size
            if whole != carry.count {
                continuation.yield(.problem(.badRecords(node: node, .wrongSize(carry.count))))
            }
            guard let events = try? InputEvent.decodeAll(carry[0..<whole]) else { continue }
            carry.removeFirst(whole)
            for output in assembler.feed(events) {
                switch output {
                case .card(let card): continuation.yield(.card(card, node: node))
                case .discarded(let partial, _): continuation.yield(.discarded(partial: partial, node: node))
                case .unexpectedKey(let keyCode, _): continuation.yield(.unexpectedKey(code: keyCode, node: node))
                }
            }
        }
    }
}
