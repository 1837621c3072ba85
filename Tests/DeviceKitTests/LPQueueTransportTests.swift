// CUPS queues through `lp`: a stand-in `lp` script records its arguments and the job it was fed.
@testable import DeviceKit
import CounterGateTestSupport
import Foundation
import Testing

@Suite("CUPS queue transport")
struct LPQueueTransportTests {
    /// Writes an executable shell script and returns its path.
    func script(_ body: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("lp")
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("each write is one raw job to the named queue, bytes untouched")
    func rawJob() async throws {
        let directory = try TemporaryDirectory("lp")
        let lp = try script("printf '%s\\n' \"$@\" > '\(directory.file("args"))'\ncat > '\(directory.file("job"))'", in: directory)
        let transport = LPQueueTransport(queue: "window3", lpPath: lp)
        try await transport.open()
        #expect(await transport.canRead == false)
        let job: [UInt8] = [0x1B, 0x40] + GB18030.encode("受理通知书\n")! + [0x00, 0xFF, 0x1D, 0x56, 0x41, 0x10]
        try await transport.write(job)
        let arguments = try String(contentsOfFile: directory.file("args"), encoding: .utf8).split(separator: "\n")
        #expect(arguments == ["-d", "window3", "-o", "raw", "-s"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("job")))) == job)
        let cannot = await transportError { () async throws(TransportError) in _ = try await transport.read(upTo: 1, timeout: .zero) }
        #expect(cannot?.kind == .cannotRead)
        await transport.close()
    }

    @Test("a queue CUPS does not know is a configuration error carrying lp's words")
    func unknownQueue() async throws {
        let directory = try TemporaryDirectory("lp-unknown")
        let lp = try script("cat > /dev/null\necho 'lp: The printer or class does not exist.' >&2\nexit 1", in: directory)
        let transport = LPQueueTransport(queue: "nosuch", lpPath: lp)
        try await transport.open()
        let error = await transportError { () async throws(TransportError) in try await transport.write([0x0A]) }
        #expect(error?.kind == .misconfigured)
        #expect(error?.description.contains("The printer or class does not exist.") == true)
        #expect(error?.description.contains("lpstat -p") == true)
    }

    @Test("lp dying before it read the job is a failed job, not a killed gateway (SIGPIPE)")
    func lpDiesEarly() async throws {
        let directory = try TemporaryDirectory("lp-dies")
        let lp = try script("echo 'lp: Error - Scheduler not responding.' >&2\nexit 1", in: directory)
        let transport = LPQueueTransport(queue: "window3", lpPath: lp)
        try await transport.open()
        let error = await transportError { () async throws(TransportError) in try await transport.write([UInt8](repeating: 0x41, count: 1 << 20)) }
        #expect(error?.kind == .rejected)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("Scheduler not responding") == true)
    }

    @Test("an lp whose program file is still open for writing (Text file busy) is retried, then a retryable busy error")
    func textFileBusy() async throws {
        let directory = try TemporaryDirectory("lp-busy")
        let lp = try script("cat > '\(directory.file("job"))'", in: directory)
        let holder = open(lp, O_WRONLY)
        #expect(holder >= 0)
        let transport = LPQueueTransport(queue: "window3", timeout: .milliseconds(200), lpPath: lp)
        try await transport.open()
        let error = await transportError { () async throws(TransportError) in try await transport.write([0x0A]) }
        #expect(error?.kind == .busy)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("Text file busy") == true)
        // Once the writer lets go, the same transport prints.
        close(holder)
        let again = LPQueueTransport(queue: "window3", timeout: .seconds(30), lpPath: lp)  // room for a loaded machine to start lp
        try await again.open()
        try await again.write([0x1B, 0x40])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("job")))) == [0x1B, 0x40])
    }

    @Test("a missing lp says what to install")
    func missingLP() async throws {
        let transport = LPQueueTransport(queue: "window3", lpPath: "/nonexistent/bin/lp")
        let error = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(error?.kind == .toolMissing)
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("the lp command is missing") == true)
        #expect(error?.description.contains("apt-get install cups-client") == true)
    }
}
