// The push listener checked by a terminal nobody here wrote: django-fingerprint-attendance's ADMS device simulator
// (PyPI), in its three firmware profiles, over real HTTP (Tests/Peers/adms_device_check.py). Missing, the test fails
// and says how to install it; it never passes silently.
import CounterConfig
import CounterCore
import CounterGateTestSupport
import CounterStore
import Foundation
import Testing
import ZKTerminal
@testable import Gateway

/// What Tests/Peers/adms_device_check.py prints after "RESULT ".
struct ADMSPeerReport: Decodable {
    struct Terminal: Decodable {
        let firmware: String
        let options: [String: String]
        let uploaded: Int
        let log: Int
        let statuses: [Int]
        let answers: [String]
        let applied: [String]
        let users: [String: String]
        let templates: [String]
        let template_77_1: String
    }

    let terminals: [String: Terminal]
    let stranger: String
}

enum ADMSPeer {
    struct Missing: Error, CustomStringConvertible {
        let detail: String
        var description: String { "django-fingerprint-attendance is missing: run scripts/setup --test (pip install django-fingerprint-attendance)\n\(detail)" }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers/adms_device_check.py").path
    static let environment: [String: String?] = ["PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"]

    static func requireInstalled() async throws {
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", "from fingerprint_attendance.testing import ADMSDeviceSimulator"],
                                                environment: environment, timeout: .seconds(60))
        if result.status != 0 { throw Missing(detail: result.stderr) }
    }
}

@Suite(.serialized) struct PushPeerTests {
    @Test("django-fingerprint-attendance's ADMS device (legacy, push2 and biodata firmware) is served: handshake, uploads with a corrupt line, a user, an enrolment, commands matched; a stranger refused",
          .timeLimit(.minutes(3)))
    func admsDeviceOfAnotherProject() async throws {
        try await ADMSPeer.requireInstalled()
        let serials = ["PEERLEGACY01", "PEERPUSH2001", "PEERBIODATA1"]
        let hall = try await PushHall.start(try PushHall.configuration(serials: serials))
        let commands = PushTerminalCommands(store: hall.store, settings: hall.config.push, clock: SystemClock())
        var queued: [String: [Int64]] = [:]
        for serial in serials {
            queued[serial] = try await commands.queue([
                .updateUser(PushUserRecord(pin: "77", name: "新同事", privilege: 0)),
                .updateTemplate(PushTemplateRecord(pin: "77", finger: 1, template: Array(repeating: 0x5A, count: 512))),
                .info,
            ], serial: serial, purpose: "peer test", by: "ops:test")
        }
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", ADMSPeer.script, "--port", String(hall.port), "--serials",
                                                                 serials.joined(separator: ","), "--stranger", "PEERSTRANGER"],
                                                environment: ADMSPeer.environment, timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("RESULT ") })
        let report = try JSONDecoder().decode(ADMSPeerReport.self, from: Data(line.dropFirst(7).utf8))

        for (index, serial) in serials.enumerated() {
            let terminal = try #require(report.terminals[serial])
            // Every request answered 200 OK; the peer's cursor reached its whole log.
            #expect(terminal.statuses.allSatisfy { $0 == 200 }, "\(serial): \(terminal.statuses) \(terminal.answers)")
            #expect(terminal.answers.prefix(3) == ["OK: 15", "OK: 5", "OK: 5"], "\(serial)")
            #expect(terminal.uploaded == 25 && terminal.log == 25)
            #expect(terminal.options["Delay"] == "1" && terminal.options["TimeZone"] == "8")
            // Its commands ran on it and their results matched, in order.
            #expect(terminal.applied.count == 3 && terminal.users["77"] == "新同事" && terminal.templates.contains("77#1"))
            #expect(Data(base64Encoded: terminal.template_77_1) == Data(repeating: 0x5A, count: 512))
            let records = try await hall.store.pushCommands(ids: queued[serial] ?? [])
            #expect(records.map(\.state) == [.done, .done, .done], "\(serial)")
            // What it uploaded is stored: 24 punches (the line it corrupted is in quarantine), its users and its finger.
            let role = "push-terminal-\(index + 1)"
            let punches = try await hall.punches().filter { $0.punch.terminalSerial == serial }
            #expect(punches.count == 24, "\(serial)")
            #expect(try await hall.store.pushQuarantine(serial: serial).map(\.rawText) == ["garbage\tnot-a-date"])
            let users = try await hall.store.pushUsers(role: role)
            #expect(Dictionary(uniqueKeysWithValues: users.map { ($0.pin, $0.name) }) == ["21": "李秀英", "22": "赵敏"], "\(serial)")
            let fingers = try await hall.store.pushTemplates(role: role)
            #expect(fingers.map { "\($0.pin)#\($0.finger)" } == ["22#6"] && fingers.first.map { [UInt8]($0.template) } == Array(0...255) + Array(0...255))
            #expect(try await hall.store.pushOperations(serial: serial).contains { $0.type == 6 })
        }
        #expect(report.stranger.contains("403"))
        #expect(try await hall.store.deviceCandidates().contains { $0.identity.serialNumber == "PEERSTRANGER" })
        try await hall.stop()
    }
}
