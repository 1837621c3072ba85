// The simulator's protocol state machine, without sockets: packets in, packets out.
import CounterCore
import Foundation
import Testing
@testable import Simulators
import ZKTerminal

let shanghai = TimeZone(identifier: "Asia/Shanghai")!
/// 2026-03-02 09:30:00 in Shanghai (a Monday).
let hallMorning = Date(timeIntervalSince1970: 1_772_415_000)

/// A session and its terminal, with the client's bookkeeping (session id, reply ids).
struct SessionHarness {
    var terminal: SimulatedTerminal
    var session: SimulatedTerminalSession
    var sessionID: UInt16 = 0
    var replyID: UInt16 = 0

    init(configuration: ZKTerminalSimulator.Configuration = .init(), users: [ZKUser] = ZKTerminalSimulator.demoUsers(),
         records: [ZKAttendanceRecord] = [], transport: SimulatedTransport = .tcp, clock: ManualClock = ManualClock(hallMorning)) {
        terminal = SimulatedTerminal(configuration: configuration, clock: clock, users: users, templates: [], records: records)
        session = SimulatedTerminalSession(transport: transport)
    }

    /// Sends one command; returns all outputs.
    mutating func outputs(_ command: ZKCommand, _ payload: [UInt8] = [], sessionID: UInt16? = nil, corrupt: Bool = false) -> [SessionOutput] {
        replyID &+= 1
        var bytes = ZKPacket(command: command, sessionID: sessionID ?? self.sessionID, replyID: replyID, payload: payload).encoded()
        if corrupt { bytes[2] ^= 0x55 }
        return session.receive(bytes, terminal: &terminal)
    }

    /// Sends one command; returns the packets sent back (and fails on anything else).
    mutating func send(_ command: ZKCommand, _ payload: [UInt8] = [], sessionID: UInt16? = nil, corrupt: Bool = false) -> [ZKPacket] {
        outputs(command, payload, sessionID: sessionID, corrupt: corrupt).compactMap {
            guard case .packet(let packet) = $0 else { return nil }
            return packet
        }
    }

    mutating func connect() {
        sessionID = send(.connect).first?.sessionID ?? 0
    }
}

func u32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
func u32(_ bytes: [UInt8], at offset: Int = 0) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
}

@Suite struct SessionConnectionTests {
    @Test func connectGivesASessionAndRepliesEchoTheReplyID() {
        var h = SessionHarness()
        #expect(h.send(.getVersion).map(\.command) == [.ackUnauthorized])  // before CONNECT
        let reply = h.send(.connect)
        #expect(reply.count == 1 && reply[0].command == .ackOK && reply[0].sessionID != 0 && reply[0].replyID == h.replyID)
        h.sessionID = reply[0].sessionID
        let version = h.send(.getVersion)
        #expect(version[0].command == .ackOK && version[0].sessionID == h.sessionID && version[0].replyID == h.replyID)
        #expect(version[0].payload == Array("Ver 6.60 Apr 28 2017".utf8) + [0])
        // A request with another session id is refused.
        #expect(h.send(.getVersion, sessionID: h.sessionID &+ 1).map(\.command) == [.ackUnauthorized])
        #expect(h.terminal.counters.sessionsOpened == 1)
    }

    @Test func commKeyNeedsTheRightAuth() {
        var h = SessionHarness(configuration: .init(commKey: 123_456))
        let reply = h.send(.connect)
        #expect(reply[0].command == .ackUnauthorized && reply[0].sessionID != 0)
        h.sessionID = reply[0].sessionID
        #expect(h.send(.getVersion).map(\.command) == [.ackUnauthorized])
        #expect(h.send(.auth, ZKCommKey.scramble(key: 654_321, sessionID: h.sessionID)).map(\.command) == [.ackUnauthorized])
        #expect(h.send(.auth, ZKCommKey.scramble(key: 123_456, sessionID: h.sessionID)).map(\.command) == [.ackOK])
        #expect(h.send(.getVersion).map(\.command) == [.ackOK])
    }

    @Test func commKeyAcceptsOtherTicks() {
        var h = SessionHarness(configuration: .init(commKey: 0))
        h.connect()
        #expect(h.send(.auth, ZKCommKey.scramble(key: 0, sessionID: h.sessionID, ticks: 7)).map(\.command) == [.ackOK])
    }

    @Test func exitEndsTheSession() {
        var h = SessionHarness()
        h.connect()
        let outputs = h.outputs(.exit)
        #expect(outputs.count == 2 && outputs[1] == .endSession)
        #expect(h.send(.getVersion).map(\.command) == [.ackUnauthorized])
    }

    @Test func unknownCommandsAndClientAcks() {
        var h = SessionHarness()
        h.connect()
        #expect(h.send(ZKCommand(4242)).map(\.command) == [.ackUnknown])
        #expect(h.send(.ackError).map(\.command) == [.ackUnknown])      // pyzk's _clear_error
        #expect(h.outputs(.ackOK).isEmpty)                               // an ACK with no event in flight: nothing
        #expect(h.terminal.counters.commandsHandled == 3)
    }

    @Test func badChecksumsAreCountedAndStillAnswered() {
        var h = SessionHarness()
        h.connect()
        #expect(h.send(.getVersion, corrupt: true).map(\.command) == [.ackOK])
        #expect(h.terminal.counters.checksumErrors == 1)
        #expect(h.session.receive([1, 2, 3], terminal: &h.terminal).isEmpty)
        #expect(h.terminal.counters.undecodableInputs == 1)
    }

    @Test func enableAndDisable() {
        var h = SessionHarness()
        h.connect()
        _ = h.send(.disableDevice)
        #expect(!h.terminal.isEnabled)
        _ = h.send(.enableDevice)
        #expect(h.terminal.isEnabled)
    }
}

@Suite struct SessionFactsTests {
    @Test func optionsAnswerKnownNamesOnly() {
        var h = SessionHarness()
        h.connect()
        let serial = h.send(.optionsRead, ZKOption.request("~SerialNumber"))
        #expect(serial[0].command == .ackOK && serial[0].payload == Array("~SerialNumber=SIM0000001\0".utf8))
        #expect(ZKOption.value(of: h.send(.optionsRead, ZKOption.request("~ZKFPVersion"))[0].payload) == "10")
        #expect(ZKOption.value(of: h.send(.optionsRead, ZKOption.request("~ExtendFmt"))[0].payload) == "1")
        for name in ["~Platform", "~DeviceName", "~UserExtFmt", "FaceFunOn", "CompatOldFirmware", "IPAddress", "NetMask",
                     "GATEIPAddress", "MAC", "~OS"] {
            #expect(h.send(.optionsRead, ZKOption.request(name))[0].command == .ackOK, "\(name)")
        }
        #expect(h.send(.optionsRead, ZKOption.request("ZKFaceVersion"))[0].command == .ackError)
        #expect(h.send(.optionsWrite, Array("SDKBuild=1\0".utf8))[0].command == .ackOK)
    }

    @Test func freeSizesCountWhatIsHeld() throws {
        let records = ZKTerminalSimulator.generatedRecords(count: 37, start: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 0, minute: 0, second: 0), seed: 1)
        var h = SessionHarness(records: records)
        h.connect()
        let sizes = try ZKFreeSizes.decode(h.send(.getFreeSizes)[0].payload)
        #expect(sizes.users == 8 && sizes.records == 37 && sizes.fingers == 0)
    }

    @Test func terminalClockIsSkewedAndSettable() {
        let clock = ManualClock(hallMorning)
        var h = SessionHarness(configuration: .init(clockOffset: -95), clock: clock)
        h.connect()
        let time = ZKLocalTime(packed: u32(h.send(.getTime)[0].payload))
        #expect(time == ZKLocalTime(year: 2026, month: 3, day: 2, hour: 9, minute: 28, second: 25))
        let wanted = ZKLocalTime(year: 2031, month: 7, day: 15, hour: 10, minute: 20, second: 30)
        #expect(h.send(.setTime, u32(wanted.packed))[0].command == .ackOK)
        #expect(ZKLocalTime(packed: u32(h.send(.getTime)[0].payload)) == wanted)
        clock.advance(by: 61)
        #expect(ZKLocalTime(packed: u32(h.send(.getTime)[0].payload)) == ZKLocalTime(year: 2031, month: 7, day: 15, hour: 10, minute: 21, second: 31))
        // Feb 31 is no time.
        #expect(h.send(.setTime, u32(ZKLocalTime(year: 2026, month: 2, day: 31, hour: 0, minute: 0, second: 0).packed))[0].command == .ackError)
    }
}

@Suite struct SessionBulkReadTests {
    static let start = ZKLocalTime(year: 2026, month: 3, day: 2, hour: 0, minute: 0, second: 0)

    @Test func smallSetsComeBackDirectly() throws {
        var h = SessionHarness()
        h.connect()
        let reply = h.send(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .userTemplateRead, fct: 5))
        #expect(reply.count == 1 && reply[0].command == .data)
        let (layout, users) = try ZKDataset.users(reply[0].payload, records: 8)
        #expect(layout == .zk8 && users == ZKTerminalSimulator.demoUsers())
        #expect(h.send(.prepareBuffer, ZKBufferedRead.prepareRequest(command: ZKCommand(99)))[0].command == .ackError)
    }

    @Test func largeSetsAreReadInChunks() throws {
        let records = ZKTerminalSimulator.generatedRecords(count: 1000, start: Self.start, seed: 7)
        var h = SessionHarness(records: records)
        h.connect()
        let ready = h.send(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
        #expect(ready.count == 1 && ready[0].command == .ackOK && ready[0].payload.count == 13)
        let size = try ZKBufferedRead.parseBufferReadyReply(ready[0].payload)
        #expect(size == 4 + 40 * 1000)
        var dataset: [UInt8] = []
        var start = 0
        while start < size {
            let want = min(16 * 1024, size - start)
            let chunk = h.send(.readBuffer, ZKBufferedRead.readRequest(start: start, size: want))
            #expect(chunk.map(\.command) == [.prepareData, .data, .ackOK])
            #expect(chunk.allSatisfy { $0.replyID == h.replyID && $0.sessionID == h.sessionID })
            #expect(try ZKBufferedRead.parsePrepareData(chunk[0].payload) == want && chunk[0].payload.count == 8)
            dataset += chunk[1].payload
            start += want
        }
        let (layout, decoded) = try ZKDataset.attendance(dataset, records: 1000)
        #expect(layout == .full && decoded == records)
        #expect(h.terminal.counters.readBufferChunksServed == 3)
        // Ranges outside the buffer, too big, or after FREE_DATA are refused.
        #expect(h.send(.readBuffer, ZKBufferedRead.readRequest(start: size - 10, size: 11))[0].command == .ackError)
        #expect(h.send(.readBuffer, ZKBufferedRead.readRequest(start: -1, size: 10))[0].command == .ackError)
        #expect(h.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 0xFFC1))[0].command == .ackError)
        #expect(h.send(.readBuffer, [1, 2])[0].command == .ackError)
        #expect(h.send(.freeData)[0].command == .ackOK)
        #expect(h.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 10))[0].command == .ackError)
    }

    @Test func udpChunksComeIn1024BytePackets() {
        let records = ZKTerminalSimulator.generatedRecords(count: 1000, start: Self.start, seed: 7)
        var h = SessionHarness(records: records, transport: .udp)
        h.connect()
        _ = h.send(.prepareBuffer, ZKBufferedRead.prepareRequest(command: .attendanceRead))
        let chunk = h.send(.readBuffer, ZKBufferedRead.readRequest(start: 0, size: 16 * 1024))
        #expect(chunk.count == 18 && chunk.first?.command == .prepareData && chunk.last?.command == .ackOK)
        #expect(chunk.dropFirst().dropLast().allSatisfy { $0.command == .data && $0.payload.count == 1024 })
    }
}

@Suite struct SessionWriteTests {
    @Test func userWriteUpsertsAndDeleteRemoves() throws {
        var h = SessionHarness()
        h.connect()
        let user = ZKUser(uid: 3, name: "李娜娜", userID: "3")
        #expect(h.send(.userWrite, ZKUserLayout.zk8.encode(user))[0].command == .ackOK)
        #expect(h.terminal.users.count == 8 && h.terminal.users.first { $0.uid == 3 }?.name == "李娜娜")
        #expect(h.send(.userWrite, ZKUserLayout.zk6.encode(user))[0].command == .ackError)  // not this terminal's layout
        #expect(h.send(.deleteUser, [3, 0])[0].command == .ackOK)
        #expect(h.terminal.users.count == 7 && !h.terminal.users.contains { $0.uid == 3 })
    }

    @Test func userTemplateUploadIsSaved() {
        var h = SessionHarness()
        h.connect()
        let user = ZKUser(uid: 20, name: "测试员", userID: "20")
        let template = ZKFingerprintTemplate(uid: 20, fingerIndex: 6, template: Array(repeating: 0xA5, count: 1500))
        let upload = ZKDataset.userTemplateUpload(users: [user], layout: .zk8, templates: [template])
        #expect(h.send(.freeData)[0].command == .ackOK)
        #expect(h.send(.prepareData, u32(UInt32(upload.count)))[0].command == .ackOK)
        for start in stride(from: 0, to: upload.count, by: 1024) {
            #expect(h.send(.data, Array(upload[start..<min(start + 1024, upload.count)]))[0].command == .ackOK)
        }
        #expect(h.send(.saveUserTemplates, u32(12) + [0, 0, 8, 0])[0].command == .ackOK)
        #expect(h.terminal.users.contains(user) && h.terminal.templates == [template])
    }

    @Test func badUploadChangesNothing() {
        var h = SessionHarness()
        h.connect()
        let before = h.terminal.users
        let broken: [UInt8] = u32(73) + u32(0) + u32(0) + [1, 2, 3]
        _ = h.send(.prepareData, u32(UInt32(broken.count)))
        _ = h.send(.data, broken)
        #expect(h.send(.saveUserTemplates)[0].command == .ackError)
        #expect(h.terminal.users == before && h.terminal.templates.isEmpty)
        // More data than announced is refused.
        _ = h.send(.prepareData, u32(4))
        #expect(h.send(.data, [1, 2, 3, 4, 5])[0].command == .ackError)
    }

    @Test func clearAttendance() {
        let records = ZKTerminalSimulator.generatedRecords(count: 10, start: SessionBulkReadTests.start, seed: 1)
        var h = SessionHarness(records: records)
        h.connect()
        #expect(h.send(.clearAttendance)[0].command == .ackOK)
        #expect(h.terminal.records.isEmpty)
    }
}

@Suite struct SessionLiveEventTests {
    static let event = ZKLiveAttendance(userID: "2", verifyType: 1, state: 0,
                                        time: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 9, minute: 1, second: 2))

    @Test func eventsGoOneAtATimeEachAfterTheAck() throws {
        var h = SessionHarness()
        h.connect()
        #expect(h.session.queueAttendanceEvent(Self.event, terminal: &h.terminal).isEmpty)  // not registered
        #expect(h.send(.registerEvents, u32(1))[0].command == .ackOK)
        let first = h.session.queueAttendanceEvent(Self.event, terminal: &h.terminal)
        guard case .packet(let packet) = first.first else {
            Issue.record("no event sent")
            return
        }
        #expect(packet.command == .registerEvents && packet.sessionID == 1 && packet.replyID == 0 && packet.payload.count == 52)
        #expect(try ZKLiveAttendance.decode(packet.payload) == Self.event)
        var second = Self.event
        second.userID = "3"
        #expect(h.session.queueAttendanceEvent(second, terminal: &h.terminal).isEmpty)  // waits for the ACK
        let afterAck = h.outputs(.ackOK)
        guard case .packet(let next) = afterAck.first else {
            Issue.record("the queued event did not follow the ACK")
            return
        }
        #expect(try ZKLiveAttendance.decode(next.payload).userID == "3")
        #expect(h.outputs(.ackOK).isEmpty)
        #expect(h.terminal.counters.liveEventsSent == 2 && h.terminal.counters.liveEventsAcknowledged == 2)
        // Unregistering stops them.
        _ = h.send(.registerEvents, u32(0))
        #expect(h.session.queueAttendanceEvent(Self.event, terminal: &h.terminal).isEmpty)
    }
}

@Suite struct GeneratedRecordsTests {
    @Test func deterministicDistinctAndInWorkingHours() {
        let start = ZKLocalTime(year: 2024, month: 5, day: 3, hour: 12, minute: 0, second: 0)  // a Friday, noon
        let a = ZKTerminalSimulator.generatedRecords(count: 5000, start: start, seed: 42)
        #expect(a == ZKTerminalSimulator.generatedRecords(count: 5000, start: start, seed: 42))
        #expect(a != ZKTerminalSimulator.generatedRecords(count: 5000, start: start, seed: 43))
        #expect(a.count == 5000)
        #expect(Set(a.map { "\($0.userID) \($0.time)" }).count == a.count)
        #expect(zip(a, a.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(a.allSatisfy { $0.time >= start && $0.time.isValidDate && (8...18).contains($0.time.hour) })
        #expect(Set(a.map(\.state)) == [0, 1, 2, 3])
        #expect(Set(a.map(\.verifyType)).isSuperset(of: [1, 15]))
        // No weekend days: 2024-05-04 and 05 are Saturday and Sunday.
        #expect(!a.contains { $0.time.year == 2024 && $0.time.month == 5 && ($0.time.day == 4 || $0.time.day == 5) })
        // Each user's punches on a day are minutes apart.
        let firstMonday = a.filter { $0.time.day == 6 && $0.time.month == 5 && $0.userID == "1" }
        #expect(firstMonday.count >= 2)
        let uids = Dictionary(uniqueKeysWithValues: ZKTerminalSimulator.demoUsers().map { ($0.userID, $0.uid) })
        #expect(a.allSatisfy { uids[$0.userID] == $0.uid })
    }

    @Test func demoUsersHaveChineseNamesThatFitTheLayouts() throws {
        let users = ZKTerminalSimulator.demoUsers()
        #expect(users.map(\.userID) == (1...8).map(String.init))
        for user in users {
            #expect(user.name.unicodeScalars.allSatisfy { $0.value > 0x4E00 })
            #expect(try ZKUserLayout.zk8.decode(ZKUserLayout.zk8.encode(user)) == user)
        }
    }
}

@Suite struct SessionFuzzTests {
    /// Seeded random commands, payloads, session ids and faults: a session may refuse, never trap.
    @Test func sessionsNeverTrapOnAnyInput() {
        var rng = SimulatorRandom(seed: 0xF0CC)
        let records = ZKTerminalSimulator.generatedRecords(count: 60, start: SessionBulkReadTests.start, seed: 3)
        let known: [ZKCommand] = [.connect, .auth, .exit, .enableDevice, .disableDevice, .getVersion, .optionsRead, .optionsWrite,
                                  .getFreeSizes, .getTime, .setTime, .refreshData, .cancelCapture, .startVerify, .registerEvents,
                                  .prepareBuffer, .readBuffer, .freeData, .prepareData, .data, .saveUserTemplates, .userWrite,
                                  .deleteUser, .clearAttendance, .ackOK, .ackError, .ackUnknown]
        for round in 0..<2000 {
            var h = SessionHarness(configuration: .init(commKey: round % 5 == 0 ? 1 : nil), records: records,
                                   transport: round % 2 == 0 ? .tcp : .udp)
            h.terminal.faults = .init(stall: round % 17 == 0, dropConnectionAfterChunks: round % 7 == 0 ? 1 : nil,
                                      garbageReplies: round % 11 == 0, dataPacketSize: round % 3 == 0 ? Int.random(in: -2...300, using: &rng) : nil,
                                      udpDataPacketSize: Int.random(in: -1...1024, using: &rng))
            if round % 4 != 0 { h.connect() }
            for _ in 0..<12 {
                let command = Bool.random(using: &rng) ? known.randomElement(using: &rng)! : ZKCommand(UInt16.random(in: 0...UInt16.max, using: &rng))
                var payload = (0..<Int.random(in: 0...90, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: payload = ZKBufferedRead.prepareRequest(command: Bool.random(using: &rng) ? .attendanceRead : .userTemplateRead,
                                                                fct: Int32.random(in: -1...6, using: &rng))
                case 1: payload = ZKBufferedRead.readRequest(start: Int.random(in: -5...2500, using: &rng), size: Int.random(in: -5...70_000, using: &rng))
                default: break
                }
                let session = Bool.random(using: &rng) ? h.sessionID : UInt16.random(in: 0...UInt16.max, using: &rng)
                _ = h.outputs(command, payload, sessionID: session, corrupt: Int.random(in: 0..<10, using: &rng) == 0)
                if Int.random(in: 0..<8, using: &rng) == 0 {
                    let raw = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    _ = h.session.receive(raw, terminal: &h.terminal)
                }
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    _ = h.session.queueAttendanceEvent(SessionLiveEventTests.event, terminal: &h.terminal)
                }
            }
        }
    }
}
