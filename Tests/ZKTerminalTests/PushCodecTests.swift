// The push protocol's text codec (ADMS / iclock): exact line formats both ways, and every decoder refusing bad input
// with a typed error that says what was wrong.
import CounterCore
import Foundation
import Testing
import ZKTerminal

@Suite struct PushCodecTests {
    // MARK: ATTLOG

    @Test func attendanceLinesOfSevenAndFourFields() throws {
        let seven = try PushAttendanceRecord(line: "1001\t2026-03-02 08:31:05\t0\t1\t0\t0\t0")
        #expect(seven.userID == "1001" && seven.time == ZKLocalTime(year: 2026, month: 3, day: 2, hour: 8, minute: 31, second: 5))
        #expect(seven.status == 0 && seven.verify == 1 && seven.workCode == "0" && seven.reserved == ["0", "0"])
        #expect(seven.line == "1001\t2026-03-02 08:31:05\t0\t1\t0\t0\t0")
        let four = try PushAttendanceRecord(line: "7\t2026-03-02 17:45:00\t1\t15")
        #expect(four.status == 1 && four.verify == 15 && four.workCode.isEmpty)
        #expect(four.shortLine == "7\t2026-03-02 17:45:00\t1\t15")
        // Longer lines (mask and temperature columns of some firmware) and space-separated firmware are read too.
        let ten = try PushAttendanceRecord(line: "8\t2026-03-02 08:00:00\t0\t1\t0\t0\t0\t0\t36.5\t0")
        #expect(ten.reserved.count == 5)
        let spaced = try PushAttendanceRecord(line: "9 2026-03-02 08:00:00 0 1")
        #expect(spaced.userID == "9" && spaced.verify == 1)
        // As the pull protocol's record: the same conversion to punches.
        #expect(seven.record == ZKAttendanceRecord(uid: nil, userID: "1001", time: seven.time, verifyType: 1, state: 0))
    }

    @Test(arguments: [
        ("8\t2026-03-02 08:00:00", PushDecodeError.tooFewFields(what: "the ATTLOG line", found: 2, needed: 4)),
        ("\t2026-03-02 08:00:00\t0\t1", .emptyField("user id (PIN)")),
        ("1\t2026-02-31 08:00:00\t0\t1", .invalidTime(field: "punch time", value: "2026-02-31 08:00:00")),
        ("1\t2026-03-02 8:00:00\t0\t1", .invalidTime(field: "punch time", value: "2026-03-02 8:00:00")),
        ("1\t2026-03-02 24:00:00\t0\t1", .invalidTime(field: "punch time", value: "2026-03-02 24:00:00")),
        ("1\t2026-03-02 08:00:00\tin\t1", .invalidNumber(field: "status (in/out state)", value: "in")),
        ("1\t2026-03-02 08:00:00\t0\t300", .outOfRange(field: "verify code", value: 300, range: 0...255)),
        ("garbage", .tooFewFields(what: "the ATTLOG line", found: 0, needed: 4)),
        ("1=2\t2026-03-02 08:00:00\t0\t1", .invalidValue(field: "user id (PIN)", value: "1=2", expected: "no \"=\"")),
        ("\(String(repeating: "9", count: 25))\t2026-03-02 08:00:00\t0\t1",
         .invalidValue(field: "user id (PIN)", value: String(repeating: "9", count: 25), expected: "at most 24 bytes")),
    ])
    func attendanceLinesRefused(line: String, error: PushDecodeError) {
        #expect(throws: error) { try PushAttendanceRecord(line: line) }
    }

    // MARK: OPERLOG

    @Test func operationLines() throws {
        guard case .user(let user) = try PushOperationRecord(line: "USER PIN=12\tName=张伟\tPri=14\tPasswd=123\tCard=1000101\tGrp=1\tTZ=0000000000000000") else {
            Issue.record("not a user")
            return
        }
        #expect(user == PushUserRecord(pin: "12", name: "张伟", privilege: 14, password: "123", card: "1000101", group: "1", timeZone: "0000000000000000"))
        #expect(try PushOperationRecord.user(user).line() == "USER PIN=12\tName=张伟\tPri=14\tPasswd=123\tCard=1000101\tGrp=1\tTZ=0000000000000000")

        let bytes: [UInt8] = (0..<700).map { UInt8($0 % 251) }
        let base64 = Data(bytes).base64EncodedString()
        guard case .fingerprint(let finger) = try PushOperationRecord(line: "FP PIN=12\tFID=6\tSize=\(base64.count)\tValid=1\tTMP=\(base64)") else {
            Issue.record("not a template")
            return
        }
        #expect(finger.pin == "12" && finger.finger == 6 && finger.valid == 1 && finger.template == bytes)
        #expect(try PushOperationRecord.fingerprint(finger).line() == "FP PIN=12\tFID=6\tSize=\(base64.count)\tValid=1\tTMP=\(base64)")
        // Size as the decoded length is accepted as well (firmware differs).
        _ = try PushOperationRecord(line: "FP PIN=12\tFID=6\tSize=700\tValid=1\tTMP=\(base64)")

        guard case .event(let event) = try PushOperationRecord(line: "OPLOG 6\t0\t2026-03-02 08:00:00\t12\t6\t0\t0") else {
            Issue.record("not an operation")
            return
        }
        #expect(event.type == 6 && event.subject == "12" && event.meaning == "fingerprint enrolled" && event.objects == ["12", "6", "0", "0"])

        // BIODATA (push 2.4+): fingerprints read, faces named and not kept.
        guard case .fingerprint(let bio) = try PushOperationRecord(line: "BIODATA Pin=5\tNo=3\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=\(base64)") else {
            Issue.record("not a template")
            return
        }
        #expect(bio.pin == "5" && bio.finger == 3 && bio.template == bytes)
        #expect(try PushOperationRecord(line: "BIODATA Pin=5\tNo=0\tType=9\tTmp=AAAA") == .other(kind: "BIODATA"))
        #expect(try PushOperationRecord(biodataLine: "Pin=5\tNo=2\tType=1\tTmp=\(base64)") == .fingerprint(PushTemplateRecord(pin: "5", finger: 2, template: bytes)))
        #expect(try PushOperationRecord(line: "USERPIC PIN=5\tFileName=5.jpg\tSize=10\tContent=AAAA") == .other(kind: "USERPIC"))
    }

    @Test(arguments: [
        ("PIC PIN=1", PushDecodeError.unknownRecord("PIC PIN=1")),
        ("USER Name=张伟\tPri=0", .missingKey(record: "the USER record", key: "PIN")),
        ("USER PIN=1\tPri=admin", .invalidNumber(field: "privilege (Pri)", value: "admin")),
        ("FP PIN=1\tFID=12\tTMP=AAAA", .outOfRange(field: "finger (FID)", value: 12, range: 0...9)),
        ("FP PIN=1\tTMP=AAAA", .missingKey(record: "the FP record", key: "FID")),
        ("FP PIN=1\tFID=1\tTMP=", .invalidTemplate("is empty (TMP=)")),
        ("FP PIN=1\tFID=1\tTMP=!!!!", .invalidTemplate("is not base64")),
        ("FP PIN=1\tFID=1\tSize=9\tTMP=AAAA", .sizeMismatch(declared: 9, actual: 4)),
        ("OPLOG 6\t0", .tooFewFields(what: "the OPLOG record", found: 2, needed: 3)),
        ("OPLOG x\t0\t2026-03-02 08:00:00", .invalidNumber(field: "operation type", value: "x")),
        ("OPLOG 6\t0\t2026-13-02 08:00:00", .invalidTime(field: "operation time", value: "2026-13-02 08:00:00")),
        ("BIODATA No=1\tType=1\tTmp=AAAA", .missingKey(record: "the BIODATA record", key: "Pin")),
    ])
    func operationLinesRefused(line: String, error: PushDecodeError) {
        #expect(throws: error) { try PushOperationRecord(line: line) }
    }

    @Test func templatesLargerThanATerminalKeepsAreRefused() {
        let huge = Data(repeating: 1, count: ZKFingerprintTemplate.maximumSize + 1).base64EncodedString()
        #expect(throws: PushDecodeError.invalidTemplate("is \(ZKFingerprintTemplate.maximumSize + 1) bytes; templates are at most \(ZKFingerprintTemplate.maximumSize)")) {
            try PushOperationRecord(line: "FP PIN=1\tFID=1\tTMP=\(huge)")
        }
    }

    // MARK: Bodies and encodings

    @Test func gb18030AndUTF8Bodies() throws {
        let name = "吉\u{20BB7}祥"
        let gb = PushTextEncoding.gb18030.encode(name)
        // 𠮷 (U+20BB7) is one of GB18030's four-byte sequences: beyond the BMP, linear index 0x20BB7 − 0x10000 = 68535 gives
        // 0x90 + 68535 / 12600, 0x30 + (… % 12600) / 1260, 0x81 + (… % 1260) / 10, 0x30 + … % 10 = 95 34 B2 35.
        #expect(gb.count == 2 + 4 + 2 && Array(gb[2...5]) == [0x95, 0x34, 0xB2, 0x35])
        let body = PushTextEncoding.gb18030.encode("USER PIN=9\tName=\(name)\r\nOPLOG 30\t0\t2026-03-02 08:00:00\t9\t0\t0\t0\r\n")
        #expect(PushBody.encoding(of: body, contentType: "text/plain") == .gb18030)
        let lines = PushBody.lines(body, encoding: .gb18030)
        #expect(lines.count == 2 && lines.map(\.number) == [1, 2])
        #expect(try lines[0].text.get() == "USER PIN=9\tName=\(name)")
        let utf = Array("USER PIN=9\tName=\(name)\n".utf8)
        #expect(PushBody.encoding(of: utf, contentType: nil) == .utf8)
        #expect(try PushBody.lines(utf, encoding: .utf8)[0].text.get() == "USER PIN=9\tName=\(name)")
        // A declared charset wins; a line that does not decode carries its bytes and the error, the others are read.
        #expect(PushBody.encoding(of: utf, contentType: "text/plain; charset=GBK") == .gb18030)
        let mixed: [UInt8] = Array("1\t2026-03-02 08:00:00\t0\t1\n".utf8) + [0xFF, 0xFE, 0x80] + [0x0A] + Array("\n\n2\t2026-03-02 09:00:00\t0\t1".utf8)
        let read = PushBody.lines(mixed, encoding: .gb18030)
        #expect(read.map(\.number) == [1, 2, 5])
        #expect(read[1].bytes == [0xFF, 0xFE, 0x80] && read[1].text == .failure(.notText))
        #expect(try read[2].text.get() == "2\t2026-03-02 09:00:00\t0\t1")
        let long = [UInt8](repeating: 0x41, count: PushBody.maximumLineBytes + 1)
        #expect(PushBody.lines(long, encoding: .utf8)[0].text == .failure(.lineTooLong(bytes: long.count, limit: PushBody.maximumLineBytes)))
    }

    // MARK: Handshake

    @Test func handshakeAnswerInBothDialects() throws {
        let options = PushOptions(attendanceStamp: "9999", operationStamp: nil, errorDelay: 30, delay: 10, transTimes: ["00:00", "14:05"],
                                  transInterval: 1, transFlags: [.attendance, .operations, .enrolledUsers], timeZone: 8, realtime: true)
        #expect(options.answer(serial: "A8N5211960213", dialect: .current) == """
            GET OPTION FROM: A8N5211960213
            ATTLOGStamp=9999
            OPERLOGStamp=None
            ATTPHOTOStamp=None
            ErrorDelay=30
            Delay=10
            TransTimes=00:00;14:05
            TransInterval=1
            TransFlag=TransData AttLog\tOpLog\tEnrollUser
            TimeZone=8
            Realtime=1
            Encrypt=None
            ServerVer=2.4.1
            PushProtVer=2.4.1

            """)
        #expect(options.answer(serial: "X1", dialect: .legacy) == [
            "GET OPTION FROM: X1", "Stamp=9999", "OpStamp=0", "PhotoStamp=0", "ErrorDelay=30", "Delay=10", "TransTimes=00:00;14:05",
            "TransInterval=1", "TransFlag=1101000000", "TimeZone=8", "Realtime=1", "Encrypt=0", "",
        ].joined(separator: "\r\n"))
        for dialect in [PushOptions.Dialect.current, .legacy] {
            let (serial, decoded) = try PushOptions.decode(answer: options.answer(serial: "X1", dialect: dialect))
            #expect(serial == "X1" && decoded.attendanceStamp == "9999" && decoded.operationStamp == (dialect == .legacy ? "0" : nil))
            #expect(decoded.delay == 10 && decoded.errorDelay == 30 && decoded.transFlags == [.attendance, .operations, .enrolledUsers])
        }
        #expect(throws: PushDecodeError.notAnOptionsAnswer("OK")) { try PushOptions.decode(answer: "OK") }
        #expect(throws: PushDecodeError.invalidNumber(field: "Delay", value: "ten")) { try PushOptions.decode(answer: "GET OPTION FROM: X\nDelay=ten") }
    }

    // MARK: Commands and results

    @Test func commandTextsAndLines() throws {
        let user = PushUserRecord(pin: "77", name: "新同事", privilege: 0, card: "1000777")
        let texts = try [
            PushCommand.updateUser(user), .deleteUser(pin: "77"), .deleteTemplate(pin: "77", finger: 3), .deleteTemplate(pin: "77", finger: nil),
            .queryAttendance(from: ZKLocalTime(year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0),
                             to: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 23, minute: 59, second: 59)),
            .queryUsers(pin: nil), .check, .info, .reboot, .setOption(key: "Delay", value: "20"),
        ].map { try $0.text() }
        #expect(texts == [
            "DATA UPDATE USERINFO PIN=77\tName=新同事\tPri=0\tPasswd=\tCard=1000777\tGrp=1\tTZ=0",
            "DATA DELETE USERINFO PIN=77", "DATA DELETE FINGERTMP PIN=77\tFID=3", "DATA DELETE FINGERTMP PIN=77",
            "DATA QUERY ATTLOG StartTime=2026-03-01 00:00:00\tEndTime=2026-03-02 23:59:59",
            "DATA QUERY USERINFO", "CHECK", "INFO", "REBOOT", "SET OPTION Delay=20",
        ])
        // The terminal's side reads them back.
        for text in texts { #expect(try PushCommand(text: text).text() == text) }
        #expect(PushCommandLine.answer([PushCommandLine(id: 5, text: "INFO"), PushCommandLine(id: 6, text: "CHECK")]) == "C:5:INFO\nC:6:CHECK\n")
        #expect(PushCommandLine.answer([]) == "OK")
        #expect(try PushCommandLine.decode(answer: "C:5:INFO\r\nC:6:DATA DELETE USERINFO PIN=1\n") == [
            PushCommandLine(id: 5, text: "INFO"), PushCommandLine(id: 6, text: "DATA DELETE USERINFO PIN=1")])
        #expect(try PushCommandLine.decode(answer: "OK").isEmpty)
    }

    @Test func commandsThatCannotBeSentOrRead() {
        #expect(throws: PushDecodeError.forbiddenCharacter(field: "the user's name", value: "王\t芳")) {
            try PushCommand.updateUser(PushUserRecord(pin: "1", name: "王\t芳")).text()
        }
        #expect(throws: PushDecodeError.forbiddenCharacter(field: "option Delay", value: "1\nREBOOT")) {
            try PushCommand.setOption(key: "Delay", value: "1\nREBOOT").text()
        }
        #expect(throws: PushDecodeError.invalidValue(field: "option name", value: "De lay", expected: "letters, digits and _ (an option of the terminal, e.g. Delay)")) {
            try PushCommand.setOption(key: "De lay", value: "1").text()
        }
        #expect(throws: PushDecodeError.malformedCommand("FROBNICATE")) { try PushCommand(text: "FROBNICATE") }
        #expect(throws: PushDecodeError.malformedCommand("DATA UPSERT USERINFO PIN=1")) { try PushCommand(text: "DATA UPSERT USERINFO PIN=1") }
        #expect(throws: PushDecodeError.malformedCommand("C:x:INFO")) { try PushCommandLine.decode(answer: "C:x:INFO") }
        #expect(throws: PushDecodeError.malformedCommand("C:0:INFO")) { try PushCommandLine.decode(answer: "C:0:INFO") }
    }

    @Test func commandResults() {
        let body = """
            ID=5&Return=0&CMD=INFO
            ~DeviceName=F22
            FWVersion=Ver 6.60
            UserCount=12
            ID=6&Return=-1002&CMD=DATA
            ID=xyz&Return=0&CMD=DATA
            ID=32
            Return=0
            CMD=Shell
            Content=Tue Mar 24 16:12:26 GMT 2026
            ID=7&Return=zero&CMD=CHECK

            """
        let (results, malformed) = PushCommandResults.decode(body)
        #expect(results.map(\.id) == [5, 6, 32])
        #expect(results[0].facts == ["DeviceName": "F22", "FWVersion": "Ver 6.60", "UserCount": "12"])
        #expect(results[1].returnCode == -1002 && !results[1].succeeded && results[1].command == "DATA")
        #expect(results[2].command == "Shell" && results[2].content == ["Content=Tue Mar 24 16:12:26 GMT 2026"])
        #expect(malformed.map(\.error) == [.invalidNumber(field: "command id (ID)", value: "xyz"), .invalidNumber(field: "result code (Return)", value: "zero")])
        #expect(PushCommandResults.encode([PushCommandResult(id: 9, returnCode: 0, command: "INFO", content: ["UserCount=1"])])
                == "ID=9&Return=0&CMD=INFO\nUserCount=1\n")
        #expect(PushCommandResult.meaning(of: -1002) == "the terminal does not know this command")
    }

    // MARK: Request values

    @Test func serialsStampsAndTables() throws {
        #expect(try PushRequestValues.serialNumber("A8N5211960213") == "A8N5211960213")
        for bad in ["", "../x", "A B", String(repeating: "A", count: 33), "序列号", "A%0A"] {
            #expect(throws: PushDecodeError.self, "\(bad)") { try PushRequestValues.serialNumber(bad) }
        }
        #expect(throws: PushDecodeError.emptyField("serial number (SN)")) { try PushRequestValues.serialNumber(nil) }
        #expect(try PushRequestValues.stamp(nil) == nil && PushRequestValues.stamp("None") == nil && PushRequestValues.stamp("") == nil)
        #expect(try PushRequestValues.stamp("782327498") == "782327498")
        #expect(throws: PushDecodeError.invalidValue(field: "stamp", value: "0\r\nTransFlag=TransData", expected: "digits (at most 20)")) {
            try PushRequestValues.stamp("0\r\nTransFlag=TransData")
        }
        #expect(try PushRequestValues.table("ATTLOG") == .attendance && PushRequestValues.table("operlog") == .operations)
        #expect(try PushRequestValues.table("options") == .options && PushRequestValues.table("BIODATA") == .biodata)
        #expect(try PushRequestValues.table("ATTPHOTO") == .attendancePhotos && PushRequestValues.table("WORKCODE") == .other("WORKCODE"))
        #expect(throws: PushDecodeError.self) { try PushRequestValues.table("AT LOG") }
        #expect(PushRequestValues.stamp("10", isAfter: "9") && !PushRequestValues.stamp("009", isAfter: "10"))
        #expect(PushDeviceFacts.parse("~DeviceName=F22,FWVersion=Ver 6.60,UserCount=12\nbad,=x") == ["DeviceName": "F22", "FWVersion": "Ver 6.60", "UserCount": "12"])
        #expect(PushDeviceFacts.parse(infoParameter: "Ver 6.60,12,20,4000,192.168.1.201,10") == [
            "FWVersion": "Ver 6.60", "UserCount": "12", "FPCount": "20", "TransactionCount": "4000", "IPAddress": "192.168.1.201", "FPVersion": "10"])
    }

    // MARK: Hostile input

    /// Random bytes and mangled real lines go through every decoder: each answers with a value or a typed error, none
    /// crashes (what a terminal, or anyone on the hall LAN, may send).
    @Test func everyDecoderSurvivesGarbage() throws {
        var random = SeededGenerator(seed: 2026)
        let real = [
            "1001\t2026-03-02 08:31:05\t0\t1\t0\t0\t0", "USER PIN=12\tName=张伟\tPri=14\tPasswd=\tCard=\tGrp=1\tTZ=0",
            "FP PIN=12\tFID=6\tSize=8\tValid=1\tTMP=AAECAwQF", "OPLOG 6\t0\t2026-03-02 08:00:00\t12\t6\t0\t0",
            "BIODATA Pin=5\tNo=3\tType=1\tTmp=AAEC", "C:5:DATA UPDATE USERINFO PIN=1\tName=x", "ID=5&Return=0&CMD=INFO",
            "GET OPTION FROM: X\nDelay=10\nTransFlag=1111", "DATA QUERY ATTLOG StartTime=2026-03-01 00:00:00\tEndTime=2026-03-02 00:00:00",
        ]
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = Array(real[round % real.count].utf8)
                for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...3, using: &random) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(contentsOf: [0x09, 0x3D, 0x0A, 0x3A, 0x00].shuffled(using: &random).prefix(2), at: at)
                    default: bytes = Array(bytes.prefix(at))
                    }
                }
            }
            for line in PushBody.lines(bytes, encoding: round % 3 == 0 ? .utf8 : .gb18030) {
                guard case .success(let text) = line.text else { continue }
                _ = try? PushAttendanceRecord(line: text)
                _ = try? PushOperationRecord(line: text)
                _ = try? PushOperationRecord(biodataLine: text)
                _ = try? PushCommand(text: text)
                _ = try? PushCommandLine.decode(answer: text)
                _ = PushCommandResults.decode(text)
                _ = try? PushOptions.decode(answer: text)
                _ = PushDeviceFacts.parse(text)
                _ = PushDeviceFacts.parse(infoParameter: text)
                _ = try? PushRequestValues.serialNumber(text)
                _ = try? PushRequestValues.stamp(text)
                _ = try? PushRequestValues.table(text)
            }
        }
    }
}
