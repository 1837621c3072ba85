// Page printers through CUPS in IPP: a real scheduler (cupsd) started by the test on a free loopback port, a queue
// printing into a file, the job followed to completed; a paused, rejecting, missing or failing queue, and no
// scheduler at all, each an error naming the queue and the command that fixes it. The IPP codec on its own too.
@testable import DeviceKit
import CounterCore
import CounterGateTestSupport
import Foundation
import Testing

@Suite("CUPS page printer transport (IPP)", .serialized)
struct CUPSPrinterTransportTests {
    /// A small PDF (CUPS types a job by its content: this one is application/pdf).
    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
        + [0xE2, 0xE3, 0x00, 0xFF]

    @Test("a job through a real cupsd: both address forms print into the queue's file, and CUPS lists the job completed")
    func printsThroughCUPS() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let output = try await cups.addPageQueue("TEST")

        // cups:QUEUE with CUPS_SERVER naming the scheduler, as the gateway's service would have it.
        let local = CUPSPrinterTransport(queue: "TEST", environment: ["CUPS_SERVER": cups.server])
        #expect(local.deviceName == "printer cups:TEST")
        try await local.open()
        #expect(await local.canRead == false)
        try await local.write(Self.pdf)
        #expect(Array(try Data(contentsOf: output)) == Self.pdf, "the file device holds the job; CUPS log:\n\(cups.log.suffix(3000))")
        await local.close()

        // ipp://HOST:PORT/printers/QUEUE, parsed as the configuration writes it.
        let address = try PrinterAddress(parsing: "ipp://\(cups.server)/printers/TEST")
        let remote = address.makeTransport()
        try await remote.open()
        let second = Self.pdf + Array("% second\n".utf8)
        try await remote.write(second)
        #expect(Array(try Data(contentsOf: output)) == second)
        await remote.close()

        let completed = try await cups.run("lpstat", ["-W", "completed", "-o", "TEST"])
        #expect(completed.stdout.split(separator: "\n").filter { $0.hasPrefix("TEST-") }.count == 2, "\(completed)")
        let pending = try await cups.run("lpstat", ["-o", "TEST"])
        #expect(pending.stdout.isEmpty, "no job left in the queue: \(pending.stdout)")
    }

    @Test("a paused queue (cupsdisable) and one rejecting jobs (cupsreject) say so and how to fix it; retryable")
    func pausedAndRejecting() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let output = try await cups.addPageQueue("A4")
        let transport = CUPSPrinterTransport(queue: "A4", server: cups.server)

        #expect(try await cups.run("cupsdisable", ["A4"]).status == 0)
        let paused = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(paused?.kind == .rejected && paused?.isRetryable == true)
        #expect(paused?.description.contains("printer ipp://\(cups.server)/printers/A4 is paused (stopped) in CUPS") == true, "\(String(describing: paused))")
        #expect(paused?.description.contains("cupsenable A4") == true)

        #expect(try await cups.run("cupsenable", ["A4"]).status == 0)
        #expect(try await cups.run("cupsreject", ["A4"]).status == 0)
        let rejecting = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(rejecting?.kind == .rejected && rejecting?.description.contains("cupsaccept A4") == true, "\(String(describing: rejecting))")

        #expect(try await cups.run("cupsaccept", ["A4"]).status == 0)
        try await transport.open()
        try await transport.write(Self.pdf)
        #expect(Array(try Data(contentsOf: output)) == Self.pdf)
    }

    @Test("a queue that does not exist names the queue and lpadmin; retryable, so the job waits or fails over")
    func missingQueue() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        let transport = CUPSPrinterTransport(queue: "NOSUCH", server: cups.server)
        let error = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(error?.kind == .notFound && error?.isRetryable == true)
        #expect(error?.description.contains("is not a CUPS queue") == true && error?.description.contains("lpadmin -p NOSUCH") == true,
                "\(String(describing: error))")
    }

    @Test("a job CUPS aborts (its filter fails, error policy abort-job) fails the write with the job's state")
    func abortedJob() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        _ = try await cups.addPageQueue("BROKEN", filter: "/bin/false", options: ["-o", "printer-error-policy=abort-job"])
        let transport = CUPSPrinterTransport(queue: "BROKEN", server: cups.server, completionTimeout: .seconds(30))
        try await transport.open()
        let error = await transportError { () async throws(TransportError) in try await transport.write(Self.pdf) }
        #expect(error?.kind == .rejected && error?.isRetryable == true)
        // CUPS aborts it, or leaves it stopped "job-completed-with-errors", which the transport cancels at once.
        #expect(error?.description.contains("aborted job") == true
                && (error?.description.contains("job-state aborted") == true || error?.description.contains("job-completed-with-errors") == true),
                "\(String(describing: error))\n\(cups.log.suffix(2000))")
        let pending = try await cups.run("lpstat", ["-o", "BROKEN"])
        #expect(pending.stdout.isEmpty, "nothing left to print later: \(pending.stdout)")
    }

    @Test("a job that does not finish in time is cancelled in CUPS, so sending it again cannot print it twice")
    func unfinishedJobIsCancelled() async throws {
        let cups = try await CUPSScheduler.start()
        defer { cups.stop() }
        // The default error policy stops the queue when the device fails, leaving the job pending.
        let added = try await cups.run("lpadmin", ["-p", "STALLS", "-E", "-v", "file:///nonexistent-countergate-dir/out.pdf",
                                                    "-P", cups.root.appendingPathComponent("pass-through.ppd").path])
        #expect(added.status == 0, "\(added.stderr)")
        let transport = CUPSPrinterTransport(queue: "STALLS", server: cups.server, completionTimeout: .seconds(2))
        try await transport.open()
        let error = await transportError { () async throws(TransportError) in try await transport.write(Self.pdf) }
        #expect(error?.kind == .timedOut && error?.description.contains("the job was cancelled in CUPS") == true, "\(String(describing: error))")
        let pending = try await cups.run("lpstat", ["-o", "STALLS"])
        #expect(pending.stdout.isEmpty, "the job is gone from the queue: \(pending.stdout)")
    }

    @Test("no scheduler listening: connection refused, telling to start CUPS")
    func noScheduler() async throws {
        let port = try CUPSSchedulerPort.free()
        let transport = CUPSPrinterTransport(queue: "A4", server: "127.0.0.1:\(port)")
        let error = await transportError { () async throws(TransportError) in try await transport.open() }
        #expect(error?.kind == .connectionRefused && error?.description.contains("systemctl start cups") == true, "\(String(describing: error))")
    }

    @Test("IPP messages encode and decode back; truncated ones are refused, not trusted")
    func ippCodec() throws {
        let request = IPPMessage.request(.getJobAttributes, id: 7, [
            ("printer-uri", .string(.uri, "ipp://127.0.0.1:631/printers/A4")), ("job-id", .integer(42)),
        ])
        let bytes = request.encoded()
        #expect(Array(bytes.prefix(8)) == [2, 0, 0x00, 0x09, 0, 0, 0, 7])
        #expect(bytes.last == 0x03)
        let decoded = try #require(IPPMessage(decoding: bytes))
        #expect(decoded == request)
        #expect(decoded["job-id"]?.values.first?.integer == 42)
        #expect(decoded["attributes-charset"]?.values.first?.text == "utf-8")
        for cut in [0, 5, 9, bytes.count / 2, bytes.count - 1] {
            #expect(IPPMessage(decoding: Array(bytes.prefix(cut))) == nil, "cut at \(cut)")
        }
        // A response with a multi-valued attribute (additional values have an empty name).
        let response = IPPMessage(code: 0, requestID: 7, attributes: [
            .init(.job, "job-state", [.integer(9, tag: .enumeration)]),
            .init(.job, "job-state-reasons", [.string(.keyword, "job-completed-successfully"), .string(.keyword, "other")]),
        ])
        let back = try #require(IPPMessage(decoding: response.encoded()))
        #expect(back["job-state-reasons"]?.values.map(\.text) == ["job-completed-successfully", "other"])
        #expect(back["job-state"]?.values.first?.integer.flatMap(IPPJobState.init(rawValue:)) == .completed)
    }

    @Test("HTTP replies: chunked bodies are joined, non-200 statuses are errors")
    func httpReplies() throws {
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
        #expect(try HTTPReply.body(of: chunked, device: "d", server: .tcp(host: "h", port: 1)).get() == Array("abcde".utf8))
        let forbidden = Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(throws: TransportError.self) { try HTTPReply.body(of: forbidden, device: "d", server: .tcp(host: "h", port: 1)).get() }
        #expect(CUPSServer.resolve(nil, environment: [:]) == .tcp(host: "localhost", port: 631))
        #expect(CUPSServer.resolve(nil, environment: ["CUPS_SERVER": "/run/cups/cups.sock"]) == .local(path: "/run/cups/cups.sock"))
        #expect(CUPSServer.resolve(nil, environment: ["CUPS_SERVER": "127.0.0.1:8631"]) == .tcp(host: "127.0.0.1", port: 8631))
        #expect(CUPSServer.resolve("[::1]:631", environment: ["CUPS_SERVER": "elsewhere"]) == .tcp(host: "::1", port: 631))
    }

    @Test("a hostile chunked reply (a negative or overflowing size, not hexadecimal, longer than what came, no last chunk) is an error, never a trap",
          arguments: ["-5\r\nabc\r\n0\r\n\r\n", "7FFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n", "+3\r\nabc\r\n0\r\n\r\n", "zz\r\nabc\r\n",
                      "10\r\nabc\r\n", "3\r\nabc\r\n", "\r\n\r\n", "3;ext=1\r\nabc"])
    func hostileChunks(body: String) {
        #expect(HTTPReply.dechunk(Array(body.utf8)) == nil)
        let reply = Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body).utf8)
        #expect(throws: TransportError.self) { try HTTPReply.body(of: reply, device: "d", server: .tcp(host: "h", port: 1)).get() }
        // A chunk extension is allowed in a well-formed body.
        #expect(HTTPReply.dechunk(Array("3;ext=1\r\nabc\r\n0\r\n\r\n".utf8)) == Array("abc".utf8))
    }
}

/// A free loopback port with nothing listening on it.
enum CUPSSchedulerPort {
    static func free() throws -> Int { try CUPSScheduler.freeLoopbackPort() }
}
