// The adapter's loop without umockdev: unplug (ENODEV) and re-plug through a fake EvdevSystem whose nodes are pipes,
// and the /proc scan that names the process holding a grab.
import BadgeReaders
import Foundation
import Synchronization
import Testing

/// A reader whose "node" is a pipe: each open makes a new pipe (the re-plugged reader); when the test closes the
/// write end, `read` fails with ENODEV as the kernel's does for an unplugged device.
final class ReplugFake: EvdevSystem {
    private struct State {
        var writers: [Int32] = []
        var opens = 0
        var present = true
        var refusals = 0
    }
    private let state = Mutex(State())
    /// Each `close` of a node, in order.
    let closes: AsyncStream<Int32>
    private let closed: AsyncStream<Int32>.Continuation

    /// A fake whose first `refusals` grabs are refused with EBUSY (held by "Xorg", pid 812).
    init(refusals: Int = 0) {
        (closes, closed) = AsyncStream<Int32>.makeStream()
        state.withLock { $0.refusals = refusals }
    }

    func findNode(vendorID: UInt16, productID: UInt16) -> Result<String, WedgeReaderError> {
        state.withLock { state in
            state.present ? .success("/dev/input/event\(5 + state.opens)") : .failure(.notFound(vendorID: vendorID, productID: productID, attached: []))
        }
    }

    func openAndGrab(_ node: String) -> Result<Int32, WedgeReaderError> {
        let refused = state.withLock { state in
            defer { state.refusals -= 1 }
            return state.refusals > 0
        }
        if refused { return .failure(.grabRefused(node: node, holders: [NodeHolder(pid: 812, command: "Xorg")])) }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failure(.openFailed(node: node, errno: errno)) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        state.withLock {
            $0.writers.append(fds[1])
            $0.opens += 1
        }
        return .success(fds[0])
    }

    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, errno: Int32) {
        let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if count == 0 { return (-1, ENODEV) }
        return (count, count < 0 ? errno : 0)
    }

    func close(_ fd: Int32) {
        _ = Glibc.close(fd)
        closed.yield(fd)
    }

    var opens: Int { state.withLock { $0.opens } }

    /// Types `events` on the currently open node.
    func type(_ events: [InputEvent]) {
        let bytes = events.flatMap(\.encoded)
        let writer = state.withLock { $0.writers.last! }
        let written = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        precondition(written == bytes.count)
    }

    /// Pulls the reader: the next read of the open node fails with ENODEV.
    func unplug() {
        let writer = state.withLock { $0.writers.last! }
        _ = Glibc.close(writer)
    }
}

@Suite("wedge reader adapter")
struct WedgeReaderTests {
    @Test("ENODEV closes the node, reports the unplug, and the reader is found, grabbed and read again")
    func unplugAndReplug() async throws {
        let fake = ReplugFake()
        let reader = WedgeReader(vendorID: 0xffff, productID: 0x0035, rescanInterval: .milliseconds(20), system: fake)
        var seen: [WedgeReaderEvent] = []
        var iterator = reader.events().makeAsyncIterator()
        func next() async throws -> WedgeReaderEvent {
            guard let event = await iterator.next() else { throw ReaderTestFailure("the reader's stream ended; seen \(seen)") }
            seen.append(event)
            return event
        }
        #expect(try await next() == .attached(node: "/dev/input/event5"))
        fake.type(Typing.card("1234"))
        #expect(try await next() == .card(WedgeCard(number: "1234", time: .milliseconds(32)), node: "/dev/input/event5"))
        fake.type(Typing.card("99", enter: nil)) // half a card when the reader is pulled
        fake.unplug()
        #expect(try await next() == .unplugged(node: "/dev/input/event5"))
        #expect(try await next() == .attached(node: "/dev/input/event6"))
        #expect(fake.opens == 2)
        fake.type(Typing.card("5678"))
        #expect(try await next() == .card(WedgeCard(number: "5678", time: .milliseconds(32)), node: "/dev/input/event6"),
                "the half card from before the unplug is not glued to the new one")
    }

    @Test("a refused grab is reported once, retried, and reading starts when the holder lets go")
    func refusedGrabRetried() async throws {
        let fake = ReplugFake(refusals: 3)
        let reader = WedgeReader(vendorID: 0xffff, productID: 0x0035, rescanInterval: .milliseconds(10), system: fake)
        var iterator = reader.events().makeAsyncIterator()
        let refused = WedgeReaderError.grabRefused(node: "/dev/input/event5", holders: [NodeHolder(pid: 812, command: "Xorg")])
        #expect(await iterator.next() == .problem(refused))
        #expect(await iterator.next() == .attached(node: "/dev/input/event5"), "three refusals, one report")
        fake.type(Typing.card("42"))
        #expect(await iterator.next() == .card(WedgeCard(number: "42", time: .milliseconds(16)), node: "/dev/input/event5"))
    }

    @Test("when the consumer stops, the thread wakes from poll and releases the node")
    func stopReleases() async throws {
        let fake = ReplugFake()
        let reader = WedgeReader(vendorID: 0xffff, productID: 0x0035, system: fake)
        do {
            var iterator = reader.events().makeAsyncIterator()
            #expect(await iterator.next() == .attached(node: "/dev/input/event5"))
        }
        var closes = fake.closes.makeAsyncIterator()
        let closed = await closes.next()
        #expect(closed != nil && closed! >= 0)
    }

    @Test("a grab refused with EBUSY names the processes holding the node, from /proc/*/fd")
    func holders() throws {
        let proc = FileManager.default.temporaryDirectory.appendingPathComponent("wedge-proc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: proc) }
        func process(_ pid: Int, _ comm: String, links: [String]) throws {
            let fd = "\(proc)/\(pid)/fd"
            try FileManager.default.createDirectory(atPath: fd, withIntermediateDirectories: true)
            try Data((comm + "\n").utf8).write(to: URL(fileURLWithPath: "\(proc)/\(pid)/comm"))
            for (index, link) in links.enumerated() {
                try FileManager.default.createSymbolicLink(atPath: "\(fd)/\(index)", withDestinationPath: link)
            }
        }
        try process(812, "Xorg", links: ["/dev/null", "/dev/input/event5", "/dev/input/event2"])
        try process(4021, "evtest", links: ["/dev/input/event5"])
        try process(77, "bash", links: ["/dev/pts/0", "/dev/input/event50"])
        try FileManager.default.createDirectory(atPath: "\(proc)/self", withIntermediateDirectories: true)

        let holders = LinuxEvdev.holders(of: "/dev/input/event5", procRoot: proc)
        #expect(holders == [NodeHolder(pid: 812, command: "Xorg"), NodeHolder(pid: 4021, command: "evtest")])
        let error = WedgeReaderError.grabRefused(node: "/dev/input/event5", holders: holders)
        #expect(error.description.hasPrefix("/dev/input/event5 is grabbed by another process: held open by Xorg (pid 812), evtest (pid 4021)"))
        #expect(LinuxEvdev.holders(of: "/dev/input/event9", procRoot: proc).isEmpty)
    }

    @Test("the real /proc scan finds this process holding a file it opened")
    func holdersInRealProc() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wedge-node-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { _ = Glibc.close(fd) }
        let holders = LinuxEvdev.holders(of: path)
        #expect(holders.map(\.pid) == [getpid()])
    }
}
