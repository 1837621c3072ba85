// The simulator checked by a client nobody here wrote: pyzk reads users and 100,000 records, gets and sets the
// time, writes a user and a fingerprint, and receives a live event, over TCP and UDP, with and without comm key.
// Not checked through pyzk: the dataPacketSize fault. pyzk's split-DATA path does one recv per DATA packet and blocks
// (times out) once the whole chunk has already arrived, which on loopback it always has; SimulatorFaultTests checks
// that fault on the wire instead.
import CounterCore
import CounterGateTestSupport
import Crypto
import Foundation
import Simulators
import Testing
import ZKTerminal

/// What Tests/Peers/pyzk_check.py prints after "RESULT ".
struct PyzkReport: Decodable {
    struct User: Decodable, Equatable {
        let uid: Int
        let name: String
        let user_id: String
        let privilege: Int
    }

    struct Record: Decodable, Equatable {
        let user_id: String
        let timestamp: String
        let status: Int
        let punch: Int
        let uid: Int
    }

    struct Writes: Decodable {
        let user_after_set: User?
        let template_matches: Bool
        let uid_50_after_delete: Bool
    }

    let serial_number: String
    let firmware: String
    let platform: String
    let device_name: String
    let users: [User]
    let attendance_count: Int
    let attendance_sha256: String
    let first_record: Record?
    let last_record: Record?
    let time: String
    let time_after_set: String?
    let writes: Writes?
    let live_event: Record?

    static func parse(_ stdout: String) throws -> PyzkReport {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw ChildProcessTimedOut(what: "a RESULT line from pyzk_check.py", output: stdout)
        }
        return try JSONDecoder().decode(PyzkReport.self, from: Data(line.dropFirst("RESULT ".count).utf8))
    }
}

extension PyzkReport.Record {
    init(_ record: ZKAttendanceRecord) {
        self.init(user_id: record.userID, timestamp: record.time.description, status: Int(record.verifyType),
                  punch: Int(record.state), uid: Int(record.uid ?? 0))
    }
}

@Suite struct PyzkPeerTests {
    struct Case: Sendable, CustomStringConvertible {
        let udp: Bool
        let commKey: UInt32?
        var description: String { "\(udp ? "UDP" : "TCP"), \(commKey.map { "comm key \($0)" } ?? "no comm key")" }
    }

    static let cases = [Case(udp: false, commKey: nil), Case(udp: false, commKey: 123_456),
                        Case(udp: true, commKey: nil), Case(udp: true, commKey: 987_654)]
    static let firstDay = ZKLocalTime(year: 2014, month: 1, day: 6, hour: 0, minute: 0, second: 0)
    static let records = ZKTerminalSimulator.generatedRecords(count: 100_000, start: firstDay, seed: 2026)

    @Test(arguments: cases)
    func pyzkReadsWritesAndListens(_ c: Case) async throws {
        try await Pyzk.requireInstalled()
        let users = ZKTerminalSimulator.demoUsers()
        let records = Self.records
        #expect(records.count == 100_000)
        let simulator = ZKTerminalSimulator(configuration: .init(commKey: c.commKey, clockOffset: -95), users: users,
                                            records: records, clock: ManualClock(hallMorning))
        let ports = try await simulator.start()
        do {
            // CounterGate's own client reads the same simulator first; pyzk must read the very same records.
            let ours = ZKClient(.init(endpoint: ZKEndpoint(host: "127.0.0.1", port: c.udp ? ports.udp : ports.tcp, transport: c.udp ? .udp : .tcp),
                                      commKey: c.commKey ?? 0, replyTimeout: .seconds(10), deviceName: "simulator"))
            try await ours.connect()
            let ourRecords = try await ours.attendance()
            await ours.disconnect()
            #expect(ourRecords == records)
            var digest = SHA256()
            for r in ourRecords { digest.update(data: Data("\(r.userID),\(r.time),\(r.verifyType),\(r.state)\n".utf8)) }
            let ourDigest = digest.finalize().map { String(format: "%02x", $0) }.joined()

            let terminalTime = simulator.state.terminalTime
            var arguments = [Pyzk.script, "--port", String(c.udp ? ports.udp : ports.tcp), "--set-time", "2031-07-15 10:20:30",
                             "--writes", "--live"]
            if c.udp { arguments.append("--udp") }
            if let key = c.commKey { arguments += ["--password", String(key)] }
            let peer = try PeerProcess.start("python3", arguments)

            // pyzk prints "ready" just before live_capture, which reads the users and then sends REG_EVENT.
            try await peer.wait(for: "pyzk_check.py to print ready", timeout: .seconds(300)) {
                peer.stdout.contains("ready\n") || !peer.isRunning
            }
            try #require(peer.isRunning, "pyzk_check.py ended early:\n\(peer.stdout)\n\(peer.stderr)")
            try await simulator.waitUntil("pyzk to register for attendance events", timeout: .seconds(60)) {
                $0.state.attendanceEventSessions == 1
            }
            let punched = simulator.punch(userID: "3", verifyType: 15, state: 1,
                                          at: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 9, minute: 31, second: 7))
            let status = try await peer.exitStatus(timeout: .seconds(60))
            try #require(status == 0, "pyzk_check.py failed:\n\(peer.stderr)")
            let report = try PyzkReport.parse(peer.stdout)

            #expect(report.serial_number == "SIM0000001")
            #expect(report.firmware == "Ver 6.60 Apr 28 2017")
            #expect(report.platform == "ZMM220_TFT")
            #expect(report.device_name == "CounterGate simulated terminal")
            #expect(report.users == users.map { .init(uid: Int($0.uid), name: $0.name, user_id: $0.userID, privilege: Int($0.privilege)) })
            #expect(report.users.map(\.name).contains("欧阳晓明"))
            #expect(report.attendance_count == 100_000)
            #expect(report.attendance_sha256 == ourDigest, "pyzk and CounterGate read different records")
            #expect(report.first_record == PyzkReport.Record(records[0]))
            #expect(report.last_record == PyzkReport.Record(records[records.count - 1]))
            #expect(report.time == terminalTime.description)
            #expect(report.time_after_set == "2031-07-15 10:20:30")
            #expect(simulator.state.terminalTime.description == "2031-07-15 10:20:30")
            #expect(report.writes?.user_after_set == .init(uid: 50, name: "测试员", user_id: "50", privilege: 0))
            #expect(report.writes?.template_matches == true)
            #expect(report.writes?.uid_50_after_delete == false)
            #expect(report.live_event == PyzkReport.Record(punched))

            let counters = simulator.counters
            #expect(counters.liveEventsSent == 1 && counters.liveEventsAcknowledged == 1)
            #expect(counters.checksumErrors == 0)
            // Two full downloads (ours, then pyzk's), chunk by chunk.
            #expect(counters.readBufferChunksServed == 2 * (c.udp ? (4_000_004 + 16_383) / 16_384 : (4_000_004 + 65_471) / 65_472))
            // Ours connects once; pyzk opens and closes a TCP connection before connecting over TCP; over UDP neither does.
            #expect(counters.tcpConnectionsAccepted == (c.udp ? 0 : 3))
            let state = simulator.state
            #expect(state.isEnabled)
            #expect(state.records.count == 100_001 && state.users == users && state.templates.isEmpty)
            #expect(state.openSessions == 0)
        } catch {
            try await simulator.stop()
            throw error
        }
        try await simulator.stop()
    }
}
