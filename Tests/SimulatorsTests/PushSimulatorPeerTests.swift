// The simulated push terminal checked by a parser nobody here wrote: iclockhelper (PyPI) reads every request it makes
// (behind a minimal ADMS server in Tests/Peers/iclock_server_check.py) and must read what the simulator holds: its
// punches, its users with their Chinese names (GB18030, 𠮷 included), its fingers, its poll's facts, and the result of
// the command it was given. Missing iclockhelper fails the test and says how to install it.
import CounterCore
import CounterGateTestSupport
import Foundation
import Simulators
import Testing
import ZKTerminal

struct IclockPeerReport: Decodable {
    struct Transaction: Decodable, Equatable {
        let pin: String
        let time: String?
        let status: String
        let verify: String
        let stamp: String
    }

    struct User: Decodable, Equatable {
        let pin: String
        let name: String
        let privilege: String
    }

    struct Finger: Decodable, Equatable {
        let pin: String
        let fid: String
        let tmp: String
    }

    struct Info: Decodable {
        let sn: String
        let fw_version: String
        let user_count: Int
        let fp_count: Int
    }

    let handshakes: [[String: String]]
    let transactions: [Transaction]
    let users: [User]
    let fingerprints: [Finger]
    let info: [Info]
    let results: [String]
}

@Suite(.serialized) struct PushSimulatorPeerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/iclock_server_check.py").path

    struct Missing: Error, CustomStringConvertible {
        let detail: String
        var description: String { "iclockhelper is missing: run scripts/setup --test (pip install iclockhelper)\n\(detail)" }
    }

    @Test("iclockhelper reads what the simulated push terminal sends: punches, GB18030 names, fingers, poll facts, a command's result",
          .timeLimit(.minutes(2)))
    func iclockhelperReadsTheSimulator() async throws {
        let check = try await PeerProcess.run("python3", ["-c", "import iclockhelper"])
        if check.status != 0 { throw Missing(detail: check.stderr) }
        let server = try PeerProcess.start("python3", [Self.script])
        try await server.wait(for: "the peer server to listen") { server.stdout.contains("listening ") }
        let port = try #require(server.stdout.firstMatch(of: /listening (\d+)/).flatMap { Int($0.1) })

        let users = PushTerminalSimulator.demoUsers()
        let templates = PushTerminalSimulator.demoTemplates()
        let records = PushTerminalSimulator.generatedRecords(count: 30, start: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 0, minute: 0, second: 0), seed: 5)
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: "PEERCHECK001", textEncoding: .gb18030, maxLinesPerUpload: 12),
                                              users: users, templates: templates, records: records)
        let running = Task { await simulator.run(host: "127.0.0.1", port: port) }
        // The whole line: a long RESULT line can arrive through the pipe in pieces.
        try await server.wait(for: "the command's result") { server.stdout.range(of: "RESULT [^\n]*\n", options: .regularExpression) != nil }
        running.cancel()
        await running.value
        let line = try #require(server.stdout.split(separator: "\n").last { $0.hasPrefix("RESULT ") })
        let report = try JSONDecoder().decode(IclockPeerReport.self, from: Data(line.dropFirst(7).utf8))
        kill(server.processIdentifier, SIGTERM)

        #expect(report.handshakes.first == ["sn": "PEERCHECK001", "pushver": "2.4.1"])
        #expect(report.transactions.map { IclockPeerReport.Transaction(pin: $0.pin, time: $0.time, status: $0.status, verify: $0.verify, stamp: "") }
                == records.map { IclockPeerReport.Transaction(pin: $0.userID, time: $0.time.description, status: String($0.status), verify: String($0.verify), stamp: "") })
        // In batches of 12, each with the stamp of its last record.
        #expect(Set(report.transactions.map(\.stamp)) == ["12", "24", "30"])
        #expect(report.users == users.map { IclockPeerReport.User(pin: $0.pin, name: $0.name, privilege: String($0.privilege)) })
        #expect(report.users.last?.name == "吉\u{20BB7}祥")
        #expect(report.fingerprints == templates.map { IclockPeerReport.Finger(pin: $0.pin, fid: String($0.finger), tmp: Data($0.template).base64EncodedString()) })
        let info = try #require(report.info.first)
        #expect(info.sn == "PEERCHECK001" && info.fw_version == simulator.configuration.firmware && info.user_count == 9 && info.fp_count == 9)
        // The command was run (a user added, named in GB18030) and its result posted.
        #expect(report.results == ["ID=1&Return=0&CMD=DATA\n"])
        #expect(simulator.state.users["99"]?.name == "外来人员")
    }
}
