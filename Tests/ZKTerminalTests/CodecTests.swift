// Codec vectors from protocols.md and round trips of every layout.
import DeviceKit
import Foundation
import Testing
@testable import ZKTerminal

func hex(_ s: String) -> [UInt8] {
    let clean = s.filter { !$0.isWhitespace }
    return stride(from: 0, to: clean.count, by: 2).map {
        let i = clean.index(clean.startIndex, offsetBy: $0)
        return UInt8(clean[i..<clean.index(i, offsetBy: 2)], radix: 16)!
    }
}

@Suite struct PacketCodecTests {
    @Test func connectPacketVector() {
        #expect(ZKPacket(command: .connect, sessionID: 0, replyID: 0).encoded() == hex("e8 03 17 fc 00 00 00 00"))
    }

    @Test func capturedPacketVector() throws {
        let bytes = hex("0b0058efc5c005007e4f5300")
        let packet = try ZKPacket.decode(bytes)
        #expect(packet.command == .optionsRead)
        #expect(packet.sessionID == 0xC0C5 && packet.replyID == 5)
        #expect(packet.payload == Array("~OS\0".utf8))
        #expect(packet.encoded() == bytes)
    }

    @Test func badChecksumIsRefused() {
        var bytes = hex("0b0058efc5c005007e4f5300")
        bytes[9] ^= 0x01
        #expect(throws: ZKDecodeError.self) { try ZKPacket.decode(bytes) }
        #expect((try? ZKPacket.decode(bytes, verifyChecksum: false)) != nil)
        #expect(throws: ZKDecodeError.tooShort(what: "packet", needed: 8, got: 3)) { try ZKPacket.decode([1, 2, 3]) }
    }

    @Test func commKeyVectors() {
        #expect(ZKCommKey.scramble(key: 0, sessionID: 0) == hex("61 7d 32 79"))
        #expect(ZKCommKey.scramble(key: 123456, sessionID: 0xB14E) == hex("29 7f 32 48"))
    }

    @Test func timeVector() throws {
        let t = ZKLocalTime(year: 2024, month: 5, day: 3, hour: 17, minute: 11, second: 38)
        #expect(t.packed == 782_327_498)
        #expect(ZKLocalTime(packed: 782_327_498) == t)
        #expect(ZKLocalTime(packed: 0) == ZKLocalTime(year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0))
        // Any u32 unpacks, but Feb 31 is not a date.
        let impossible = ZKLocalTime(year: 2026, month: 2, day: 31, hour: 8, minute: 0, second: 0)
        #expect(ZKLocalTime(packed: impossible.packed) == impossible)
        #expect(!impossible.isValidDate)
        #expect(impossible.instant(in: TimeZone(identifier: "Asia/Shanghai")!) == nil)
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        #expect(t.instant(in: zone) == Date(timeIntervalSince1970: 1_714_727_498))
        #expect(try ZKLocalTime(eventBytes: t.eventBytes) == t)
    }

    @Test func tcpDeframerHandlesSplitAndJoinedReads() throws {
        let a = ZKTCPFrame.wrap(ZKPacket(command: .ackOK, sessionID: 7, replyID: 1).encoded())
        let b = ZKTCPFrame.wrap(ZKPacket(command: .data, sessionID: 7, replyID: 1, payload: Array(repeating: 9, count: 3000)).encoded())
        let stream = a + b
        // Feed the stream one byte at a time, then in two joined halves: the same two packets come out.
        for cut in [1, 7, 16, 1000, stream.count] {
            var deframer = ZKTCPDeframer()
            var packets: [ZKPacket] = []
            var i = 0
            while i < stream.count {
                deframer.append(stream[i..<min(i + cut, stream.count)])
                i += cut
                while let p = try deframer.next() { packets.append(try ZKPacket.decode(p)) }
            }
            #expect(packets.map(\.command) == [.ackOK, .data])
            #expect(packets.last?.payload.count == 3000)
            #expect(deframer.pendingBytes == 0)
        }
    }

    @Test func tcpDeframerRefusesGarbageAndAbsurdLengths() {
        var garbage = ZKTCPDeframer()
        garbage.append([0x48, 0x54, 0x54, 0x50])
        #expect(throws: ZKDecodeError.self) { try garbage.next() }
        var huge = ZKTCPDeframer()
        huge.append(ZKTCPFrame.magic + [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: ZKDecodeError.self) { try huge.next() }
        var short = ZKTCPDeframer()
        short.append(ZKTCPFrame.magic + [3, 0, 0, 0, 1, 2, 3])
        #expect(throws: ZKDecodeError.self) { try short.next() }
    }
}

@Suite struct RecordCodecTests {
    let time = ZKLocalTime(year: 2026, month: 2, day: 14, hour: 8, minute: 29, second: 5)

    @Test func attendanceLayoutsRoundTrip() throws {
        for layout in ZKAttendanceLayout.allCases {
            let record = ZKAttendanceRecord(uid: layout == .numeric ? nil : 12, userID: "12", time: time, verifyType: 1, state: 0,
                                            workCode: layout == .numeric ? 7 : 0)
            let bytes = layout.encode(record)
            #expect(bytes.count == layout.rawValue)
            #expect(try layout.decode(bytes) == record)
            let dataset = ZKDataset.wrap(bytes + bytes)
            let (found, records) = try ZKDataset.attendance(dataset, records: 2)
            #expect(found == layout)
            #expect(records == [record, record])
        }
    }

    @Test func attendanceSizeThatFitsNoLayoutIsAnError() throws {
        let dataset = ZKDataset.wrap([UInt8](repeating: 0, count: 90))
        #expect(throws: ZKDecodeError.unknownRecordSize(what: "attendance dataset", totalBytes: 90, records: 3)) {
            try ZKDataset.attendance(dataset, records: 3)
        }
        #expect(throws: ZKDecodeError.self) { try ZKDataset.attendance(ZKDataset.wrap([UInt8](repeating: 0, count: 80)), records: 0) }
        // A declared length that disagrees with the bytes is refused too.
        #expect(throws: ZKDecodeError.inconsistentLength(what: "attendance dataset", declared: 40, actual: 39)) {
            try ZKDataset.attendance([40, 0, 0, 0] + [UInt8](repeating: 0, count: 39), records: 1)
        }
        #expect(try ZKDataset.attendance([], records: 0).1.isEmpty)
    }

    @Test func usersRoundTripWithChineseNames() throws {
        let user = ZKUser(uid: 3, privilege: 14, password: "1234", name: "王建国", card: 1_234_567, group: "1", userID: "3")
        for layout in ZKUserLayout.allCases {
            let bytes = layout.encode(user)
            #expect(bytes.count == layout.rawValue)
            #expect(try layout.decode(bytes) == user)
        }
        // The name is GB18030 on the wire: 王 is CD F5.
        #expect(Array(ZKUserLayout.zk8.encode(user)[11..<13]) == [0xCD, 0xF5])
        let (layout, users) = try ZKDataset.users(ZKDataset.wrap(ZKUserLayout.zk8.encode(user) + ZKUserLayout.zk8.encode(user)), records: 2)
        #expect(layout == .zk8 && users.count == 2)
    }

    @Test func gbkFirmwareNamesDecode() {
        // 李秀英 in GBK, as older firmware stores it.
        #expect(GB18030.decodeField([0xC0, 0xEE, 0xD0, 0xE3, 0xD3, 0xA2, 0, 0]) == "李秀英")
        #expect(GB18030.decodeField(Array("张伟".utf8) + [0]) == "张伟")
        #expect(GB18030.decodeField(Array("Li Na".utf8)) == "Li Na")
        #expect(GB18030.encode("政务") == [0xD5, 0xFE, 0xCE, 0xF1])
    }

    @Test func templatesRoundTrip() throws {
        let templates = [ZKFingerprintTemplate(uid: 1, fingerIndex: 0, template: Array(repeating: 0xAB, count: 600)),
                         ZKFingerprintTemplate(uid: 2, fingerIndex: 6, template: Array(0..<200).map { UInt8($0) })]
        let dataset = ZKDataset.wrap(templates.flatMap { $0.datasetRecord() })
        #expect(try ZKDataset.templates(dataset) == templates)
        let users = [ZKUser(uid: 1, name: "甲", userID: "1"), ZKUser(uid: 2, name: "乙", userID: "2")]
        let upload = ZKDataset.userTemplateUpload(users: users, layout: .zk8, templates: templates)
        let parsed = try ZKDataset.parseUserTemplateUpload(upload)
        #expect(parsed.users == users)
        #expect(parsed.templates == templates)
    }

    @Test func freeSizesAndOptions() throws {
        let sizes = ZKFreeSizes(users: 8, fingers: 16, records: 100_000)
        #expect(try ZKFreeSizes.decode(sizes.encode()) == sizes)
        #expect(throws: ZKDecodeError.self) { try ZKFreeSizes.decode([0, 1, 2]) }
        #expect(ZKOption.value(of: Array("~SerialNumber=CQZ7231\0".utf8)) == "CQZ7231")
        #expect(ZKOption.name(ofRequest: ZKOption.request("~SerialNumber")) == "~SerialNumber")
    }

    @Test func liveEventsOfEveryLength() throws {
        let event = ZKLiveAttendance(userID: "12", verifyType: 1, state: 0, time: time)
        #expect(try ZKLiveAttendance.decode(event.encode52()) == event)
        var ten: [UInt8] = [12, 0, 1, 0]
        ten += time.eventBytes
        #expect(try ZKLiveAttendance.decode(ten) == event)
        var twelve: [UInt8] = [12, 0, 0, 0, 1, 0]
        twelve += time.eventBytes
        #expect(try ZKLiveAttendance.decode(twelve) == event)
        #expect(throws: ZKDecodeError.self) { try ZKLiveAttendance.decode([1, 2, 3]) }
        #expect(throws: ZKDecodeError.self) { try ZKLiveAttendance.decode([12, 0, 1, 0, 26, 2, 31, 8, 0, 0]) }  // Feb 31
    }
}

@Suite struct DecoderFuzzTests {
    /// A seeded random loop over every decoder: random bytes, and mutations of valid encodings. Decoders
    /// may refuse, never trap.
    @Test func decodersNeverCrash() {
        var rng = SeededGenerator(seed: 0x5EED_CAFE)
        let valid: [[UInt8]] = [
            ZKPacket(command: .data, sessionID: 1, replyID: 2, payload: Array(repeating: 1, count: 40)).encoded(),
            ZKDataset.wrap(ZKAttendanceLayout.full.encode(ZKAttendanceRecord(uid: 1, userID: "1", time: ZKLocalTime(packed: 9), verifyType: 1, state: 0))),
            ZKDataset.wrap(ZKUserLayout.zk8.encode(ZKUser(uid: 1, name: "王", userID: "1"))),
            ZKDataset.wrap(ZKFingerprintTemplate(uid: 1, fingerIndex: 1, template: [1, 2, 3]).datasetRecord()),
            ZKLiveAttendance(userID: "1", verifyType: 1, state: 0, time: ZKLocalTime(packed: 5000)).encode52(),
            ZKFreeSizes(users: 1, fingers: 1, records: 1).encode(),
        ]
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...120, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = valid[round % valid.count]
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            }
            _ = try? ZKPacket.decode(bytes)
            _ = try? ZKDataset.attendance(bytes, records: Int.random(in: 0...3, using: &rng))
            _ = try? ZKDataset.users(bytes, records: Int.random(in: 0...2, using: &rng))
            _ = try? ZKDataset.templates(bytes)
            _ = try? ZKDataset.parseUserTemplateUpload(bytes)
            _ = try? ZKLiveAttendance.decode(bytes)
            _ = try? ZKFreeSizes.decode(bytes)
            for layout in ZKAttendanceLayout.allCases { _ = try? layout.decode(bytes) }
            for layout in ZKUserLayout.allCases { _ = try? layout.decode(bytes) }
            var deframer = ZKTCPDeframer()
            deframer.append(ZKTCPFrame.magic + bytes)
            while let packet = try? deframer.next() { _ = try? ZKPacket.decode(packet) }
        }
    }
}

/// SplitMix64: a reproducible generator for the fuzz loop.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BufferedReadPayloadTests {
    /// The payloads pyzk packs (`<bhii>`, `<ii>`) and the replies a terminal sends, both ways.
    @Test func payloadsMatchPyzkAndRoundTrip() throws {
        // pyzk: pack('<bhii', 1, 13, 0, 0) and pack('<bhii', 1, 9, 5, 0).
        #expect(ZKBufferedRead.prepareRequest(command: .attendanceRead) == hex("01 0d00 00000000 00000000"))
        #expect(ZKBufferedRead.prepareRequest(command: .userTemplateRead, fct: 5) == hex("01 0900 05000000 00000000"))
        let parsed = try ZKBufferedRead.parsePrepareRequest(hex("01 0700 02000000 00000000"))
        #expect(parsed.command == .dbRead && parsed.fct == 2 && parsed.ext == 0)
        // pyzk: pack('<ii', 65472, 65472).
        #expect(ZKBufferedRead.readRequest(start: 65472, size: 65472) == hex("c0ff0000 c0ff0000"))
        #expect(try ZKBufferedRead.parseReadRequest(hex("00000000 ffffffff")) == (0, -1))
        // pyzk reads the size at data[1:5].
        let ready = ZKBufferedRead.bufferReadyReply(size: 4_000_004)
        #expect(ready.count == 13 && ready[0] == 0)
        #expect(try ZKBufferedRead.parseBufferReadyReply(ready) == 4_000_004)
        #expect(ZKBufferedRead.prepareData(size: 1024) == hex("00040000 00000000"))
        #expect(try ZKBufferedRead.parsePrepareData(hex("00040000")) == 1024)
        #expect(throws: ZKDecodeError.self) { try ZKBufferedRead.parseReadRequest([1, 2, 3]) }
        #expect(throws: ZKDecodeError.self) { try ZKBufferedRead.parsePrepareRequest([1, 13, 0]) }
    }
}
