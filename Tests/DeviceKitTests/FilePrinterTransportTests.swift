// Printing to a device path (/dev/usb/lpN in the hall), here a FIFO or a plain file standing in for the node.
@testable import DeviceKit
import CounterGateTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("File (device node) printer transport")
struct FilePrinterTransportTests {
    @Test("a job larger than the pipe's buffer arrives whole through a FIFO")
    func fifoWhole() async throws {
        let directory = try TemporaryDirectory("fifo")
        let path = directory.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        // The reader must exist first: a non-blocking open for writing fails with ENXIO without one.
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let job = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let transport = FilePrinterTransport(path: path)
        try await transport.open()
        async let received = onThread { try FD.read(reader, count: job.count, timeout: .seconds(10)) }
        try await transport.write(job)
        #expect(try await received == job)
        await transport.close()
    }

    @Test("a device that stops taking data makes the write time out")
    func fifoTimesOut() async throws {
        let directory = try TemporaryDirectory("fifo-stall")
        let path = directory.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK) // opened, never read: the pipe fills up
        defer { close(reader) }
        let transport = FilePrinterTransport(path: path, writeTimeout: .milliseconds(200))
        try await transport.open()
        let started = ContinuousClock.now
        let error = await transportError { () async throws(TransportError) in try await transport.write([UInt8](repeating: 0, count: 4 << 20)) }
        #expect(error?.kind == .timedOut)
        #expect(error?.isRetryable == true)
        // The configured 200 ms, not the 10 s default: the error names it. The time bound only says "no hang"; it is loose
        // because a loaded CI machine stalls the test itself.
        #expect(error?.description.contains("200 ms") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("a plain file receives the bytes (what `/dev/usb/lp0` would)")
    func plainFile() async throws {
        let directory = try TemporaryDirectory("file")
        let path = directory.file("lp0")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let transport = FilePrinterTransport(path: path)
        try await transport.open()
        try await transport.write([0x1B, 0x40] + Array("OK\n".utf8))
        try await transport.write([0x1D, 0x56, 0x00])
        await transport.close()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == [0x1B, 0x40, 0x4F, 0x4B, 0x0A, 0x1D, 0x56, 0x00])
    }

    @Test("a missing node is an unplugged printer: retryable, named, with what to do")
    func missingNode() async throws {
        let directory = try TemporaryDirectory("missing")
        let path = directory.file("lp7")
        let transport = FilePrinterTransport(path: path)
        let error = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(error?.kind == .unplugged)
        #expect(error?.isRetryable == true)
        #expect(error?.description == "printer \(path) is unplugged (open: No such file or directory): plug it back in; printing resumes when it is back")
    }

    @Test("after the node vanishes and comes back, the next write reopens it")
    func reopensWhenBack() async throws {
        let directory = try TemporaryDirectory("replug")
        let path = directory.file("lp0")
        #expect(mkfifo(path, 0o600) == 0)
        var reader = open(path, O_RDONLY | O_NONBLOCK)
        let transport = FilePrinterTransport(path: path)
        try await transport.open()
        try await transport.write([0x01])
        let firstReader = reader
        #expect(try await onThread { try FD.read(firstReader, count: 1, timeout: .seconds(5)) } == [0x01])
        // Unplugged: the reader (the "printer") goes away and the node with it.
        close(reader)
        unlink(path)
        let gone = await transportError { () async throws(TransportError) in try await transport.write([0x02]) }
        #expect(gone?.isRetryable == true)
        #expect(gone?.kind == .disconnected)
        #expect(mkfifo(path, 0o600) == 0)
        reader = open(path, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        try await transport.write([0x03])
        let secondReader = reader
        #expect(try await onThread { try FD.read(secondReader, count: 1, timeout: .seconds(5)) } == [0x03])
        await transport.close()
    }

    @Test("a directory is not a printer device; a write-only node cannot be read")
    func misuse() async throws {
        let directory = try TemporaryDirectory("dir")
        let error = await transportError { () async throws(TransportError) in try await FilePrinterTransport(path: directory.path).open() }
        #expect(error?.kind == .misconfigured)
        #expect(error?.isRetryable == false)

        let path = directory.file("lp0")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let transport = FilePrinterTransport(path: path)
        try await transport.open()
        #expect(await transport.canRead == false)
        let cannot = await transportError { () async throws(TransportError) in _ = try await transport.read(upTo: 1, timeout: .milliseconds(10)) }
        #expect(cannot?.kind == .cannotRead)
        await transport.close()
    }
}
