// Raw TCP printing against listeners on loopback: whole buffers, status replies, timeouts, refusals, reconnects.
@testable import DeviceKit
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("TCP printer transport")
struct TCPPrinterTransportTests {
    @Test("a large job arrives whole and in order")
    func bytesArriveWhole() async throws {
        let listener = try LoopbackListener()
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: listener.port)
        // 1 MiB of every byte value: far more than one socket buffer, so the write loop must resume after EAGAIN.
        let job = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        try await transport.open()
        let connection = try await listener.accept()
        defer { close(connection) }
        async let received = onThread { try FD.readToEnd(connection, timeout: .seconds(10)) }
        try await transport.write(job)
        await transport.close()
        let bytes = try await received
        #expect(bytes.count == job.count)
        #expect(bytes == job)
    }

    @Test("a status request is answered on the same connection; silence is an empty read")
    func statusReply() async throws {
        let listener = try LoopbackListener()
        let transport = TCPPrinterTransport(host: "localhost", port: listener.port)
        try await transport.open()
        let connection = try await listener.accept()
        defer { close(connection) }
        #expect(await transport.canRead)
        #expect(try await transport.read(upTo: 4, timeout: .milliseconds(50)) == [])
        async let request = onThread { try FD.read(connection, count: 3, timeout: .seconds(5)) }
        try await transport.write([0x10, 0x04, 0x01])
        #expect(try await request == [0x10, 0x04, 0x01])
        try FD.writeAll(connection, [0x12])
        #expect(try await transport.read(upTo: 4, timeout: .seconds(5)) == [0x12])
        await transport.close()
    }

    @Test("a printer that stops reading makes the write time out, typed and retryable")
    func writeTimesOut() async throws {
        // Never accepted, never read: the kernel completes the handshake, then the buffers fill up.
        let listener = try LoopbackListener(receiveBuffer: 4096)
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: listener.port, writeTimeout: .milliseconds(300))
        try await transport.open()
        let started = ContinuousClock.now
        let error = await transportError { () async throws(TransportError) in
            try await transport.write([UInt8](repeating: 0x41, count: 64 << 20))
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.kind == .timedOut)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("printer tcp://127.0.0.1:\(listener.port) did not accept data within 300 ms") == true)
        // Ends with the timeout instead of hanging; the bound is loose because a loaded CI machine stalls the test itself.
        #expect(elapsed < .seconds(20))
        await transport.close()
    }

    @Test("cancelling a stalled write ends it promptly, long before its timeout")
    func cancellation() async throws {
        let listener = try LoopbackListener(receiveBuffer: 4096)
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: listener.port, writeTimeout: .seconds(60))
        try await transport.open()
        let started = ContinuousClock.now
        let job = Task { try await transport.write([UInt8](repeating: 0x41, count: 64 << 20)) }
        job.cancel()
        let result = await job.result
        // Long before the 60 s timeout; the bound leaves room for building the 64 MiB job on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(30))
        guard case .failure(let error) = result else {
            Issue.record("a cancelled 64 MiB write to a listener that never reads succeeded")
            return
        }
        #expect((error as? TransportError)?.kind == .cancelled, "\(error)")
        await transport.close()
    }

    @Test("a refused connection is typed and retryable")
    func connectionRefused() async throws {
        let notListening = try LoopbackListener(listening: false)
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: notListening.port)
        let error = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.isRetryable == true)
        #expect(error?.description.hasPrefix("printer tcp://127.0.0.1:\(notListening.port) refused the connection (connect: Connection refused)") == true)
    }

    @Test("after the printer drops the connection, the next write reconnects")
    func reconnectsAfterDisconnect() async throws {
        let listener = try LoopbackListener()
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: listener.port)
        try await transport.open()
        let first = try await listener.accept()
        close(first)
        let error = await transportError { () async throws(TransportError) in
            _ = try await transport.read(upTo: 1, timeout: .seconds(5))
        }
        #expect(error?.kind == .disconnected)
        #expect(error?.isRetryable == true)
        try await transport.write([0x1B, 0x40])
        let second = try await listener.accept()
        defer { close(second) }
        #expect(try await onThread { try FD.read(second, count: 2, timeout: .seconds(5)) } == [0x1B, 0x40])
        await transport.close()
    }

    @Test("writing before open, or after close, says so")
    func notOpen() async throws {
        let transport = TCPPrinterTransport(host: "127.0.0.1", port: 9)
        let error = await transportError { () async throws(TransportError) in try await transport.write([0x0A]) }
        #expect(error?.kind == .notOpen)
        #expect(error?.isRetryable == false)
    }
}
