// The simulator on real loopback sockets, seen byte for byte: sessions, bad input, live events, and the faults.
import CounterCore
import Foundation
@testable import Simulators
import Testing
import ZKTerminal

/// Starts a simulator with `records` generated records, runs `body`, and stops it whatever happens.
func withSimulator(records count: Int = 1000, configuration: ZKTerminalSimulator.Configuration = .init(),
                   _ body: (ZKTerminalSimulator, (tcp: Int, udp: Int)) async throws -> Void) async throws {
    let records = ZKTerminalSimulator.generatedRecords(count: count, start: ZKLocalTime(year: 2026, month: 1, day: 5, hour: 0, minute: 0, second: 0), seed: 9)
    let simulator = ZKTerminalSimulator(configuration: configuration, users: ZKTerminalSimulator.demoUsers(), records: records,
                                        clock: ManualClock(hallMorning))
    let ports = try await simulator.start()
    do {
        try await body(simulator, ports)
    } catch {
        try await simulator.stop()
        throw error
    }
    try await simulator.stop()
}

@Suite struct SimulatorSessionWireTests {
    @Test func tcpClientsAreServedAtOnceEachInItsSession() async throws {
        try await withSimulator { simulator, ports in
            let a = try await TCPWireClient(port: ports.tcp)
            let b = try await TCPWireClient(port: ports.tcp)
            let sessionA = try await a.connect()
            let sessionB = try await b.connect()
            #expect(sessionA != sessionB && sessionA != 0 && sessionB != 0)
            // Interleaved: each gets its own answers.
            try await a.send(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
            try await b.send(.getVersion)
            let versionB = try await b.packets(1)[0]
            let readyA = try await a.packets(1)[0]
            #expect(versionB.command == .ackOK && versionB.sessionID == sessionB)
            #expect(readyA.command == .ackOK && readyA.sessionID == sessionA && readyA.payload.count == 13)
            #expect(simulator.state.openSessions == 2)
            await a.close()
            await b.close()
            try await simulator.waitUntil("both sessions to end") { $0.state.openSessions == 0 }
        }
    }

    @Test func commKeyOverTheWire() async throws {
        try await withSimulator(configuration: .init(commKey: 4711)) { _, ports in
            let client = try await TCPWireClient(port: ports.tcp)
            _ = try await client.connect(key: 4711)
            #expect(try await client.request(.getTime).command == .ackOK)
            let intruder = try await TCPWireClient(port: ports.tcp)
            #expect(try await intruder.request(.connect).command == .ackUnauthorized)
            #expect(try await intruder.request(.getTime).command == .ackUnauthorized)
            await client.close()
            await intruder.close()
        }
    }

    @Test func aStreamThatDoesNotDeframeIsClosed() async throws {
        try await withSimulator { simulator, ports in
            let client = try await TCPWireClient(port: ports.tcp)
            try await client.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
            #expect(try await client.bytesUntilClosed().isEmpty)
            #expect(simulator.counters.undecodableInputs == 1)
            // Others are still served.
            let other = try await TCPWireClient(port: ports.tcp)
            _ = try await other.connect()
            await other.close()
        }
    }

    @Test func udpJunkIsIgnoredAndTheSessionGoesOn() async throws {
        try await withSimulator { simulator, ports in
            let client = try await UDPWireClient(port: ports.udp)
            let session = try await client.connect()
            try await client.sendRaw([1, 2, 3])
            try await simulator.waitUntil("the junk datagram to be counted") { $0.counters.undecodableInputs == 1 }
            let reply = try await client.request(.getVersion)
            #expect(reply.command == .ackOK && reply.sessionID == session && reply.replyID == 2)
            #expect(try await client.request(.exit).command == .ackOK)
            #expect(try await client.request(.getVersion).command == .ackUnauthorized)  // the session ended with EXIT
            await client.close()
        }
    }

    @Test func disabledStaysDisabledWhenTheClientGoes() async throws {
        try await withSimulator { simulator, ports in
            let client = try await TCPWireClient(port: ports.tcp)
            _ = try await client.connect()
            #expect(try await client.request(.disableDevice).command == .ackOK)
            #expect(!simulator.isEnabled)
            await client.close()
            try await simulator.waitUntil("the session to end") { $0.state.openSessions == 0 }
            #expect(!simulator.isEnabled)
            let next = try await TCPWireClient(port: ports.tcp)
            _ = try await next.connect()
            #expect(try await next.request(.enableDevice).command == .ackOK)
            #expect(simulator.isEnabled)
            await next.close()
        }
    }

    @Test func liveEventsWaitForTheAckAndSkipGoneClients() async throws {
        try await withSimulator { simulator, ports in
            let gone = try await TCPWireClient(port: ports.tcp)
            _ = try await gone.connect()
            #expect(try await gone.request(.registerEvents, u32(1)).command == .ackOK)
            await gone.close()
            try await simulator.waitUntil("the first client to be gone") { $0.state.attendanceEventSessions == 0 }

            let client = try await TCPWireClient(port: ports.tcp)
            let session = try await client.connect()
            #expect(try await client.request(.registerEvents, u32(1)).command == .ackOK)
            simulator.punch(userID: "1")
            simulator.punch(userID: "2", state: 1)
            let first = try await client.packets(1)[0]
            #expect(first.command == .registerEvents && first.sessionID == 1 && first.replyID == 0)
            #expect(try ZKLiveAttendance.decode(first.payload).userID == "1")
            #expect(simulator.counters.liveEventsSent == 1)  // the second waits for the ACK
            try await client.sendRaw(ZKTCPFrame.wrap(ZKPacket(command: .ackOK, sessionID: session, replyID: 0).encoded()))
            let second = try await client.packets(1)[0]
            #expect(try ZKLiveAttendance.decode(second.payload).userID == "2")
            #expect(simulator.state.records.suffix(2).map(\.userID) == ["1", "2"])
            await client.close()
        }
    }
}

@Suite struct SimulatorFaultTests {
    @Test func stallAnswersNothingUntilCleared() async throws {
        try await withSimulator { simulator, ports in
            let client = try await TCPWireClient(port: ports.tcp)
            _ = try await client.connect()
            try await client.send(.registerEvents, u32(1))
            _ = try await client.packets(1)
            simulator.setFaults(.init(stall: true))
            let ignored = try await client.send(.getTime)
            try await simulator.waitUntil("the request to be read and ignored") { $0.counters.ignoredWhileStalled == 1 }
            simulator.punch(userID: "4")  // the live event waits too
            #expect(simulator.counters.liveEventsSent == 0)
            simulator.setFaults(.init())
            // Clearing the stall sends the waiting event; the ignored request is never answered.
            let event = try await client.packets(1)[0]
            #expect(event.command == .registerEvents)
            let asked = try await client.send(.getVersion)
            let reply = try await client.packets(1)[0]
            #expect(reply.replyID == asked && asked != ignored && reply.command == .ackOK)
            #expect(client.inbox.untaken.isEmpty)
            await client.close()
        }
    }

    @Test func dropCutsTheNthChunkOnceAndClosesTheConnection() async throws {
        try await withSimulator(records: 1000) { simulator, ports in
            simulator.setFaults(.init(dropConnectionAfterChunks: 2))
            let client = try await TCPWireClient(port: ports.tcp)
            _ = try await client.connect()
            #expect(try await client.request(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead)).command == .ackOK)
            try await client.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 16_000))
            #expect(try await client.packets(3).map(\.command) == [.prepareData, .data, .ackOK])
            try await client.send(.readBuffer, ZKBufferedRead.readRequest(start: 16_000, size: 16_000))
            let rest = try await client.bytesUntilClosed()
            let (packets, used, error) = deframe(rest)
            #expect(error == nil && packets.map(\.command) == [.prepareData])
            let partial = rest.count - used
            #expect(partial > 16 && partial < 8 + 8 + 16_000)  // part of the DATA frame, then the end
            #expect(simulator.faults.dropConnectionAfterChunks == nil)

            // It fired once: a new connection reads the same chunk whole.
            let again = try await TCPWireClient(port: ports.tcp)
            _ = try await again.connect()
            _ = try await again.request(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
            try await again.send(.readBuffer, ZKBufferedRead.readRequest(start: 16_000, size: 16_000))
            let whole = try await again.packets(3)
            #expect(whole.map(\.command) == [.prepareData, .data, .ackOK] && whole[1].payload.count == 16_000)
            await again.close()
        }
    }

    @Test func dropOnUDPSendsHalfAPacketAndForgetsTheSession() async throws {
        try await withSimulator(records: 1000) { simulator, ports in
            simulator.setFaults(.init(dropConnectionAfterChunks: 1))
            let client = try await UDPWireClient(port: ports.udp)
            _ = try await client.connect()
            _ = try await client.request(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
            try await client.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 16_000))
            let datagrams = try await client.datagrams(2)
            #expect(try ZKPacket.decode(datagrams[0]).command == .prepareData)
            #expect(datagrams[1].count == (8 + 1024) / 2)
            #expect(try await client.request(.getTime).command == .ackUnauthorized)
            await client.close()
        }
    }

    @Test func garbageRepliesAreNoPackets() async throws {
        try await withSimulator { simulator, ports in
            let tcp = try await TCPWireClient(port: ports.tcp)
            _ = try await tcp.connect()
            let udp = try await UDPWireClient(port: ports.udp)
            _ = try await udp.connect()
            simulator.setFaults(.init(garbageReplies: true))

            try await udp.send(.getTime)
            let datagram = try await udp.datagrams(1)[0]
            #expect((16...64).contains(datagram.count))
            #expect((try? ZKPacket.decode(datagram)) == nil)

            try await tcp.send(.getTime)
            try await tcp.inbox.wait(for: "garbage on TCP") { bytes, _ in bytes.count >= 16 }
            #expect(deframe(tcp.inbox.untaken).error != nil)
            #expect(simulator.counters.commandsHandled == 4)  // the commands were still carried out
            await tcp.close()
            await udp.close()
        }
    }

    @Test func dataPacketSizeSplitsEachChunk() async throws {
        try await withSimulator(records: 1000) { simulator, ports in
            simulator.setFaults(.init(dataPacketSize: 1008, udpDataPacketSize: 500))
            let tcp = try await TCPWireClient(port: ports.tcp)
            _ = try await tcp.connect()
            _ = try await tcp.request(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
            let asked = try await tcp.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 16_000))
            let packets = try await tcp.packets(18)  // PREPARE_DATA, 16 DATA (15 × 1008 + 880), ACK_OK
            #expect(packets.first?.command == .prepareData && packets.last?.command == .ackOK)
            let data = packets.dropFirst().dropLast()
            #expect(data.allSatisfy { $0.command == .data && $0.replyID == asked })
            #expect(data.map(\.payload.count) == Array(repeating: 1008, count: 15) + [880])
            let expected = ZKDataset.wrap(simulator.state.records.flatMap { ZKAttendanceLayout.full.encode($0) })
            #expect(data.flatMap(\.payload) == Array(expected.prefix(16_000)))
            await tcp.close()

            let udp = try await UDPWireClient(port: ports.udp)
            _ = try await udp.connect()
            _ = try await udp.request(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
            try await udp.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 2_000))
            let small = try await udp.packets(6)  // PREPARE_DATA, 4 × 500, ACK_OK
            #expect(small.map(\.command) == [.prepareData, .data, .data, .data, .data, .ackOK])
            #expect(small.dropFirst().dropLast().allSatisfy { $0.payload.count == 500 })
            await udp.close()
        }
    }
}
