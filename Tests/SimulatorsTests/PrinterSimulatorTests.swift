// The printer simulator on real loopback sockets: it prints what it receives, answers status, and misbehaves on command.
import DeviceKit
import ESCPOS
import Foundation
import NIOCore
import Simulators
import Testing

/// Starts a printer simulator, runs `body`, and stops it whatever happens.
func withPrinter(profile: PrinterProfile? = nil, _ body: (ESCPOSPrinterSimulator, Int) async throws -> Void) async throws {
    let simulator = ESCPOSPrinterSimulator(profile: profile)
    let port = try await simulator.start()
    do {
        try await body(simulator, port)
    } catch {
        await simulator.stop()
        throw error
    }
    await simulator.stop()
}

/// A receipt profile for these tests: GB18030, QR, a cutter, DLE EOT with ASB, GS r.
let simulatorTestProfile = PrinterProfile(
    id: "sim-test", name: "Simulator test", paperWidthDots: 576, columnsFontA: 48, columnsFontB: 64, chineseFont: true,
    encoding: .gb18030, chineseMode: .fsAmpersand, cutter: .fullAndPartial, qrCode: true, status: .dleEOTAndASB, transmitStatus: true)

/// A notice-like job: title, Chinese names, QR, cut, then GS r 1 to confirm it reached the paper.
func sampleNotice(lines: [String] = ["受理通知书", "申请人：王喆 李堃 陈赟", "编号：2026-000123"], confirm: Bool = true) throws -> [UInt8] {
    var job = ESCPOSDocument(profile: simulatorTestProfile)
    job.initialize()
    for line in lines { job.line(line) }
    job.qrCode("2026-000123")
    job.cut(.partial)
    if confirm { job.requestTransmitStatus() }
    return try job.bytes()
}

extension TCPWireClient {
    /// Waits for `count` reply bytes and takes them.
    func replies(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await inbox.wait(for: "\(count) reply byte(s)", timeout: timeout) { bytes, _ in bytes.count >= count }
        let bytes = Array(inbox.untaken.prefix(count))
        inbox.take(count)
        return bytes
    }
}

@Suite struct PrinterSimulatorTests {
    @Test func printsWhatItReceivesInPiecesAndAnswersStatus() async throws {
        try await withPrinter { simulator, port in
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw([0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4])
            #expect(try await client.replies(4) == [0x12, 0x12, 0x12, 0x12])
            let job = try sampleNotice()
            // Pieces of 7 bytes split commands and Chinese characters anywhere.
            var offset = 0
            while offset < job.count {
                try await client.sendRaw(Array(job[offset..<min(job.count, offset + 7)]))
                offset += 7
            }
            #expect(try await client.replies(1) == [0x00], "GS r 1: paper adequate, the job is on paper")
            await client.close()
            try await simulator.waitUntil("the job to end") { $0.jobs.count == 1 && !$0.jobs[0].isOpen }
            let printed = simulator.jobs[0]
            #expect(printed.transcript == "受理通知书\n申请人：王喆 李堃 陈赟\n编号：2026-000123\n[QR: 2026-000123]\n[PARTIAL CUT]")
            #expect(printed.pages.count == 1 && printed.pages[0].cut == .partial && printed.pages[0].qrCodes == ["2026-000123"])
            #expect(printed.printout.statusRequests == ["DLE EOT 1", "DLE EOT 2", "DLE EOT 3", "DLE EOT 4", "GS r 1"])
            #expect(printed.printout.unknownBytes == 0 && printed.heldElements == 0)
            let counters = simulator.counters
            #expect(counters.connectionsAccepted == 1 && counters.statusRequests == 4 && counters.statusRepliesSent == 5)
            #expect(counters.bytesReceived == 12 + job.count && counters.linesPrinted == 5)
        }
    }

    @Test func outOfPaperHoldsTheJobUntilPaperIsLoaded() async throws {
        try await withPrinter { simulator, port in
            simulator.runOutOfPaper()
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw([0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4])
            let replies = try await client.replies(3)
            let condition = try ESCPOSStatus.condition(fromReplies: [replies[0], replies[1], 0x12, replies[2]])
            #expect(condition.paper == .out && condition.online == false && condition.stoppedAtPaperEnd)
            #expect(condition.summary == "out of paper (缺纸): load paper")

            try await client.sendRaw(try sampleNotice() + [0x10, 0x04, 4])
            // DLE EOT is real-time: answered at once, although the job before it is held.
            #expect(try await client.replies(1) == [0x7E])
            try await simulator.waitUntil("the job to be held") { $0.jobs.first?.heldElements ?? 0 > 0 }
            #expect(simulator.jobs[0].transcript.isEmpty, "nothing printed without paper")
            #expect(client.inbox.untaken.isEmpty, "GS r 1 waits for the job to be printed")

            simulator.loadPaper()
            #expect(try await client.replies(1) == [0x00])
            try await simulator.waitUntil("the job to be printed") { $0.jobs[0].heldElements == 0 }
            #expect(simulator.jobs[0].transcript.hasPrefix("受理通知书\n"))
            #expect(simulator.pages.count == 1, "printed exactly once")
            #expect(simulator.condition.canPrint)
            await client.close()
        }
    }

    @Test func paperRunsOutMidJobAndTheRestFollowsOnce() async throws {
        try await withPrinter { simulator, port in
            simulator.setFaults(.init(paperRunsOutAfterLines: 2))
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw(try sampleNotice(lines: ["line 1", "line 2", "line 3", "line 4"]))
            try await simulator.waitUntil("the paper to run out") { $0.condition.paper == .out && ($0.jobs.first?.heldElements ?? 0) > 0 }
            #expect(simulator.jobs[0].transcript == "line 1\nline 2")
            #expect(simulator.faults.paperRunsOutAfterLines == nil, "the fault fires once")
            simulator.loadPaper()
            #expect(try await client.replies(1) == [0x00])
            #expect(simulator.jobs[0].transcript == "line 1\nline 2\nline 3\nline 4\n[QR: 2026-000123]\n[PARTIAL CUT]")
            await client.close()
        }
    }

    @Test func coverOpenIsReportedByStatusAndASB() async throws {
        try await withPrinter(profile: simulatorTestProfile) { simulator, port in
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw([0x1D, 0x61, 0x0F])  // GS a: ASB on
            let first = try await client.replies(4)
            #expect(PrinterCondition().applying(try ESCPOSStatus.decodeASB(first)).canPrint)
            simulator.openCover()
            let block = try await client.replies(4)
            let asb = PrinterCondition().applying(try ESCPOSStatus.decodeASB(block))
            #expect(asb.coverOpen && asb.online == false && asb.summary == "cover open (纸仓盖打开): close the cover")
            try await client.sendRaw([0x10, 0x04, 2])
            let reply = try await client.replies(1)[0]
            #expect(PrinterCondition().applying(try ESCPOSStatus.decode(reply, for: 2)).coverOpen)
            #expect(simulator.condition.operationalState == .error(reason: "cover open (纸仓盖打开): close the cover"))
            simulator.closeCover()
            #expect(PrinterCondition().applying(try ESCPOSStatus.decodeASB(try await client.replies(4))).canPrint)
            #expect(simulator.counters.asbBlocksSent == 3)
            await client.close()
        }
    }

    @Test func droppedConnectionsEndTheJobAndNewOnesWork() async throws {
        try await withPrinter { simulator, port in
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw(Array("before the drop\n".utf8))
            try await simulator.waitUntil("the line") { $0.jobs.first?.transcript == "before the drop" }
            simulator.dropConnections()
            _ = try await client.bytesUntilClosed()
            try await simulator.waitUntil("the job to end") { $0.jobs.first?.isOpen == false && $0.openConnections == 0 }

            // A drop mid-job: only the first 20 bytes arrive.
            simulator.setFaults(.init(dropConnectionAfterBytes: 20))
            let second = try await TCPWireClient(port: port)
            try? await second.sendRaw(try sampleNotice())
            _ = try await second.bytesUntilClosed()
            try await simulator.waitUntil("the second job to end") { $0.jobs.count == 2 && !$0.jobs[1].isOpen }
            #expect(simulator.jobs[1].bytesReceived == 20)
            #expect(simulator.jobs[1].printout.pages.isEmpty, "never cut: the job did not finish")
            #expect(simulator.counters.connectionsDropped == 2)

            let third = try await TCPWireClient(port: port)
            try await third.sendRaw([0x10, 0x04, 1])
            #expect(try await third.replies(1) == [0x12])
            await third.close()
        }
    }

    @Test func aStalledPrinterReadsNothingUntilResumed() async throws {
        try await withPrinter { simulator, port in
            simulator.stall()
            let client = try await TCPWireClient(port: port)
            try await simulator.waitUntil("the connection") { $0.openConnections == 1 }
            // More than the socket buffers hold: the write cannot finish while nothing is read.
            let payload = [UInt8](repeating: 0x41, count: 16 << 20) + [0x0A, 0x10, 0x04, 1]
            let promise = client.channel.eventLoop.makePromise(of: Void.self)
            client.channel.writeAndFlush(client.channel.allocator.buffer(bytes: payload), promise: promise)
            let write = promise.futureResult
            await #expect(throws: ESCPOSPrinterSimulator.TimedOut.self) {
                try await simulator.waitUntil("any byte while stalled", timeout: .milliseconds(300)) { $0.counters.bytesReceived > 0 }
            }
            #expect(client.inbox.untaken.isEmpty)
            simulator.resume()
            try await write.get()
            #expect(try await client.replies(1, timeout: .seconds(30)) == [0x12])
            try await simulator.waitUntil("every byte") { $0.counters.bytesReceived == payload.count }
            #expect(simulator.jobs[0].printout.lineCount == 1)
            await client.close()
        }
    }

    @Test func aPrinterWithoutStatusSupportAnswersNothing() async throws {
        var mute = simulatorTestProfile
        mute.status = .none
        mute.transmitStatus = false
        try await withPrinter(profile: mute) { simulator, port in
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw([0x10, 0x04, 1] + Array("x\n".utf8) + [0x1D, 0x72, 1])
            try await simulator.waitUntil("the line and both requests") { $0.jobs.first?.printout.statusRequests.count == 2 }
            #expect(simulator.counters.statusRepliesSent == 0)
            #expect(client.inbox.untaken.isEmpty)
            await client.close()
        }
    }

    @Test func garbageOnOneConnectionLeavesTheOthersServed() async throws {
        try await withPrinter { simulator, port in
            var random = SystemRandomNumberGenerator()
            let garbage = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &random) }
            let noisy = try await TCPWireClient(port: port)
            try await noisy.sendRaw(garbage)
            try await simulator.waitUntil("the garbage to arrive") { $0.counters.bytesReceived == garbage.count }
            await noisy.close()
            let client = try await TCPWireClient(port: port)
            try await client.sendRaw(Array("still printing\n".utf8) + [0x10, 0x04, 1])
            #expect(try await client.replies(1) == [0x12])
            try await simulator.waitUntil("the second job's line") { $0.jobs.count == 2 && $0.jobs[1].transcript == "still printing" }
            await client.close()
        }
    }
}

/// The status probe the spooler and `countergate printer status` use, against the simulated printer over real TCP.
@Suite struct StatusProbeTests {
    @Test("ESCPOSStatusProbe reads a ready printer, then one out of paper, and confirms a printed job with GS r")
    func probe() async throws {
        try await withPrinter(profile: simulatorTestProfile) { simulator, port in
            let transport = TCPPrinterTransport(host: "127.0.0.1", port: port, connectTimeout: .seconds(5), writeTimeout: .seconds(5))
            try await transport.open()
            guard case .condition(let ready) = try await ESCPOSStatusProbe.ask(transport, timeout: .seconds(5)) else {
                Issue.record("no status from a ready printer")
                return
            }
            #expect(ready.canPrint)
            #expect(try await ESCPOSStatusProbe.confirmPrinted(transport, timeout: .seconds(5)))
            simulator.runOutOfPaper()
            guard case .condition(let out) = try await ESCPOSStatusProbe.ask(transport, timeout: .seconds(5)) else {
                Issue.record("no status from a printer out of paper")
                return
            }
            #expect(!out.canPrint && out.summary.contains("paper"), "\(out.summary)")
            #expect(simulator.counters.statusRequests >= 6)
            await transport.close()
        }
    }
}
