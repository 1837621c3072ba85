// Push terminals (ADMS / iclock over HTTP) against the gateway's push listener, through the simulated push terminal
// (a test fake) over real loopback HTTP: the handshake and its options, uploads exactly once across failures and
// restarts, Chinese names, commands and their results, replacement, trust and abuse, health.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Simulators
import Synchronization
import Testing
import ZKTerminal
@testable import Gateway

@Suite(.serialized) struct PushTerminalTests {
    static let start = ZKLocalTime(year: 2026, month: 3, day: 2, hour: 0, minute: 0, second: 0)

    @Test("handshake options are obeyed: stamps (only what comes after), TransFlag (what is uploaded), Realtime, Delay between polls, ErrorDelay after a failure",
          .timeLimit(.minutes(2)))
    func handshakeOptionsAreObeyed() async throws {
        let serial = "OPT0000000001"
        let config = try PushHall.configuration(serials: [serial]) {
            $0.push.uploadUsers = false
            $0.push.transTimes = ["08:30", "17:45"]
            $0.push.delaySeconds = 1
            $0.push.errorDelaySeconds = 2
        }
        let hall = try await PushHall.start(config)
        // The gateway holds the first 5 of the terminal's 8 records already (committed with their stamp).
        let records = PushTerminalSimulator.generatedRecords(count: 8, start: Self.start, seed: 3)
        var first = PushUpload(serial: serial, role: "push-terminal-1", table: "ATTLOG", stamp: "5", receivedAt: Date())
        first.punches = records.prefix(5).map {
            Punch(terminalSerial: serial, terminalUserID: $0.userID, at: $0.time.instant(in: HallTime.chinaStandardTime)!, verification: .fingerprint,
                  direction: .checkIn)
        }
        _ = try await hall.store.commitPushUploads([first])

        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial), users: PushTerminalSimulator.demoUsers(),
                                              templates: PushTerminalSimulator.demoTemplates(), records: records)
        let running = hall.run(simulator)
        try await simulator.waitUntil("the three records after stamp 5 acknowledged") { $0.acknowledgedRecords == 8 }
        let options = try #require(simulator.state.options)
        #expect(options.attendanceStamp == "5")
        #expect(options.delay == 1 && options.errorDelay == 2 && options.transInterval == 1 && options.transTimes == ["08:30", "17:45"])
        #expect(options.transFlags == [.attendance, .operations])
        #expect(options.timeZone == 8 && options.realtime && !options.encrypt)
        // Only what came after the stamp was sent: one upload of 3 lines.
        let uploads = simulator.state.exchanges.filter { $0.kind == .attendanceUpload }
        #expect(uploads.map(\.lines) == [3])
        #expect(try await hall.store.punchCount() == 8)
        // TransFlag without EnrollUser/EnrollFP: the terminal's users and fingers stay on it.
        #expect(simulator.state.count(.operationUpload) == 0)
        #expect(try await hall.store.pushUsers(role: "push-terminal-1").isEmpty)

        // Realtime=1: a punch is uploaded at once, not at the next TransInterval (a minute away).
        simulator.punch(userID: "3", at: ZKLocalTime(year: 2026, month: 3, day: 9, hour: 8, minute: 30, second: 1))
        try await simulator.waitUntil("the real-time punch acknowledged", timeout: .seconds(20)) { $0.acknowledgedRecords == 9 }

        // Delay=1: polls come no closer than a second apart.
        try await simulator.waitUntil("four polls") { $0.count(.poll) >= 4 }
        let polls = simulator.state.exchanges.filter { $0.kind == .poll }.map(\.at)
        for (a, b) in zip(polls, polls.dropFirst()) { #expect(b.timeIntervalSince(a) >= 0.9, "polls \(a) and \(b)") }

        // ErrorDelay=2: after a refused upload the terminal waits two seconds before sending it again.
        hall.service.injectFaults(PushFaults(failUploadsBeforeCommit: 1))
        simulator.punch(userID: "4", at: ZKLocalTime(year: 2026, month: 3, day: 9, hour: 8, minute: 31, second: 2))
        try await simulator.waitUntil("the refused punch sent again and acknowledged", timeout: .seconds(20)) { $0.acknowledgedRecords == 10 }
        let attempts = simulator.state.exchanges.filter { $0.kind == .attendanceUpload }.suffix(2)
        #expect(attempts.map(\.status) == [500, 200])
        if let failed = attempts.first, let again = attempts.last {
            #expect(again.at.timeIntervalSince(failed.at) >= 1.9, "resent \(again.at.timeIntervalSince(failed.at)) s after the failure")
        }
        #expect(try await hall.store.punchCount() == 10)
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("stamps survive a restart of the gateway: the terminal is told the committed stamp and sends only what came after",
          .timeLimit(.minutes(2)))
    func stampsSurviveARestartOfTheGateway() async throws {
        let serial = "RST0000000001"
        let config = try PushHall.configuration(serials: [serial])
        let first = try await PushHall.start(config)
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial, maxLinesPerUpload: 100),
                                              records: PushTerminalSimulator.generatedRecords(count: 300, start: Self.start, seed: 5))
        let running = first.run(simulator)
        try await simulator.waitUntil("300 records acknowledged") { $0.acknowledgedRecords == 300 }
        #expect(try await first.store.pushStamps(serial: serial)["ATTLOG"] == "300")
        let port = first.port
        try await first.stop()
        let before = simulator.state.exchanges.count

        // A new gateway on the same store and port: what it knows, it knows from the store.
        let second = try await PushHall.start(config, port: port)
        try await simulator.waitUntil("a handshake with the restarted gateway") { state in
            state.exchanges.dropFirst(before).contains { $0.kind == .handshake && $0.status == 200 }
        }
        #expect(simulator.state.options?.attendanceStamp == "300", "\(simulator.state.optionsAnswer ?? "-") \(simulator.state.exchanges.dropFirst(before).map { "\($0.kind) \($0.status) \($0.answer.prefix(80))" })")
        simulator.punch(userID: "2", at: ZKLocalTime(year: 2026, month: 4, day: 1, hour: 8, minute: 40, second: 0))
        try await simulator.waitUntil("the new punch acknowledged") { $0.acknowledgedRecords == 301 }
        let after = simulator.state.exchanges.dropFirst(before).filter { $0.kind == .attendanceUpload && $0.status == 200 }
        #expect(after.map(\.lines) == [1], "after the restart only the new punch is sent")
        #expect(try await second.store.punchCount() == 301)
        #expect(try await second.store.pushStamps(serial: serial)["ATTLOG"] == "301")
        running.cancel()
        await running.value
        try await second.stop()
    }

    @Test("10,000 punches arrive exactly once although the gateway answers 500 in the middle (once before its commit, once after); the terminal resends",
          .timeLimit(.minutes(3)))
    func tenThousandPunchesExactlyOnceAcrossForced500s() async throws {
        let serial = "TENK000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]))
        let records = PushTerminalSimulator.generatedRecords(count: 10_000, start: Self.start, seed: 11)
        let identities = Set(records.map { "\($0.userID)@\($0.time)" })
        #expect(identities.count == 10_000)
        // Upload 10 fails before it is written, upload 30 after (its answer is lost): both are sent again.
        hall.service.injectFaults(PushFaults(failAfterCommitAt: [30], failBeforeCommitAt: [10]))
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial, maxLinesPerUpload: 200), records: records)
        let running = hall.run(simulator)
        try await simulator.waitUntil("10,000 records acknowledged", timeout: .seconds(150)) { $0.acknowledgedRecords == 10_000 }

        let uploads = simulator.state.exchanges.filter { $0.kind == .attendanceUpload }
        #expect(uploads.filter { $0.status == 500 }.count == 2)
        #expect(uploads.filter { $0.status == 200 }.count == 50)
        let stored = try await hall.punches()
        #expect(stored.count == 10_000)
        #expect(Set(stored.map { "\($0.punch.terminalUserID)@\(ZKLocalTime($0.punch.at, in: HallTime.chinaStandardTime))" }) == identities)
        #expect(Set(stored.map(\.punch.terminalSerial)) == [serial])
        // The batch answered 500 after its commit came again and stored nothing twice.
        let outcomes = hall.events.events.compactMap { event -> PushUploadOutcome? in
            if case .uploaded(serial, "ATTLOG", _, let outcome) = event { return outcome } else { return nil }
        }
        #expect(outcomes.filter { $0.alreadyStored == 200 && $0.inserted == 0 }.count == 1)
        // Answered uploads inserted all but the 200 whose answer was lost (they were inserted by the commit before it).
        #expect(outcomes.reduce(0) { $0 + $1.inserted } == 10_000 - 200)
        #expect(try await hall.store.pushStamps(serial: serial)["ATTLOG"] == "10000")
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("Chinese names in GB18030 (with the four-byte 𠮷) and in UTF-8 are stored intact, in the copy and in the role's backup",
          .timeLimit(.minutes(2)))
    func chineseNamesInBothEncodings() async throws {
        let gbSerial = "GBK0000000001", utfSerial = "UTF0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [gbSerial, utfSerial]))
        let users = PushTerminalSimulator.demoUsers()
        #expect(users.contains { $0.name.unicodeScalars.contains { $0.value == 0x20BB7 } })
        let templates = PushTerminalSimulator.demoTemplates()
        let gb = PushTerminalSimulator(configuration: .init(serialNumber: gbSerial, textEncoding: .gb18030), users: users, templates: templates)
        let utf = PushTerminalSimulator(configuration: .init(serialNumber: utfSerial, textEncoding: .utf8), users: users, templates: templates)
        let runs = [hall.run(gb), hall.run(utf)]
        for simulator in [gb, utf] {
            try await simulator.waitUntil("users and fingers acknowledged") { $0.acknowledgedOperations == $0.operationLines && $0.operationLines == 18 }
        }
        let expected = Dictionary(uniqueKeysWithValues: users.map { ($0.pin, $0.name) })
        for role in ["push-terminal-1", "push-terminal-2"] {
            let stored = try await hall.store.pushUsers(role: role)
            #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.pin, $0.name) }) == expected, "\(role)")
            let fingers = try await hall.store.pushTemplates(role: role)
            #expect(fingers.map { [UInt8]($0.template) } == templates.sorted { $0.pin < $1.pin }.map(\.template))
        }
        #expect(try await hall.store.pushTerminal(serial: gbSerial)?.textEncoding == "gb18030")
        #expect(try await hall.store.pushTerminal(serial: utfSerial)?.textEncoding == "utf-8")
        // The role's backup (what a replacement restores) carries the names as they were enrolled.
        await hall.service.flushBackups()
        for role in ["push-terminal-1", "push-terminal-2"] {
            let backup = try #require(try await hall.store.latestTerminalBackup(role: role))
            let (backedUp, fingers) = try TerminalBackups.contents(of: backup)
            #expect(Dictionary(uniqueKeysWithValues: backedUp.map { ($0.userID, $0.name) }) == expected)
            #expect(fingers.count == 9 && backup.userCount == 9)
        }
        for run in runs { run.cancel(); await run.value }
        try await hall.stop()
    }

    @Test("commands are executed by the terminal and their results matched by id: INFO facts kept, users and fingers written, an unknown command fails, another terminal's command waits",
          .timeLimit(.minutes(2)))
    func commandsExecutedAndResultsMatched() async throws {
        let serial = "CMD0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]))
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial), users: PushTerminalSimulator.demoUsers(),
                                              records: PushTerminalSimulator.generatedRecords(count: 40, start: Self.start, seed: 9))
        let running = hall.run(simulator)
        try await simulator.waitUntil("the log acknowledged") { $0.acknowledgedRecords == 40 }
        let commands = PushTerminalCommands(store: hall.store, settings: hall.config.push, clock: SystemClock())
        let newcomer = PushUserRecord(pin: "77", name: "新同事𠮷", privilege: 0, card: "1000777")
        let finger = PushTemplateRecord(pin: "77", finger: 1, template: Array(repeating: 0xA5, count: 600))
        let ids = try await commands.queue([
            .info, .setOption(key: "Volume", value: "5"), .updateUser(newcomer), .updateTemplate(finger), .deleteUser(pin: "2"),
            .queryAttendance(from: Self.start, to: ZKLocalTime(year: 2026, month: 3, day: 3, hour: 23, minute: 59, second: 59)), .check,
        ], serial: serial, purpose: "test", by: "ops:test")
        let unknown = try await hall.store.enqueuePushCommands(serial: serial, [NewPushCommand(text: "FROBNICATE NOW", purpose: "test")], by: "ops:test",
                                                               maxAttempts: 3, timeoutSeconds: 60, at: Date())
        let elsewhere = try await commands.queue([.reboot], serial: "OTHER00000001", purpose: "test", by: "ops:test")
        let all = Set(ids + unknown)
        try await hall.events.wait("every command finished") { events in
            let finished = events.flatMap { event -> [Int64] in
                if case .commandsFinished(_, let commands) = event { return commands.map(\.id) } else { return [] }
            }
            return all.isSubset(of: finished)
        }
        let records = try await hall.store.pushCommands(ids: Array(all))
        #expect(records.filter { ids.contains($0.id) }.allSatisfy { $0.state == .done && $0.returnCode == 0 })
        let refused = try #require(records.first { $0.id == unknown[0] })
        #expect(refused.state == .failed && refused.returnCode == -1002)
        // Matched by id: the terminal ran exactly these, in order.
        #expect(simulator.state.executed.map(\.id) == ids + unknown)
        #expect(simulator.state.users["77"]?.name == "新同事𠮷" && simulator.state.users["2"] == nil)
        #expect(simulator.state.templates["77#1"]?.template == finger.template)
        #expect(simulator.state.deviceOptions["Volume"] == "5")
        let info = try #require(records.first { $0.id == ids[0] })
        #expect(info.result?.contains("UserCount=9") == true)
        #expect(try await hall.store.pushTerminal(serial: serial)?.facts["FWVersion"] == simulator.configuration.firmware)
        // The log query made the terminal send its records again: stored once already, nothing new.
        #expect(try await hall.store.punchCount() == 40)
        #expect(try await hall.store.pushCommands(ids: elsewhere).first?.state == .queued)
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("a command without a result is sent again under its id after its timeout, expires when out of attempts, and a late result still matches it",
          .timeLimit(.minutes(1)))
    func commandTimeoutsRetriesAndExpiry() async throws {
        let serial = "TMO0000000001"
        let clock = ManualClock(Date(timeIntervalSince1970: 1_772_416_800))
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]) {
            $0.push.commandTimeoutSeconds = 30
            $0.push.commandAttempts = 2
        }, clock: clock)
        let commands = PushTerminalCommands(store: hall.store, settings: hall.config.push, clock: clock)
        let id = try #require(try await commands.queue([.info], serial: serial, purpose: "test", by: "ops:test").first)
        let poll = RawHTTP.request("GET", "/iclock/getrequest?SN=\(serial)")
        #expect(try RawHTTP.exchange(port: hall.port, poll).hasSuffix("C:\(id):INFO\n"))
        #expect(try RawHTTP.exchange(port: hall.port, poll).hasSuffix("\r\n\r\nOK"), "not due again before its timeout")
        clock.advance(by: 31)
        #expect(try RawHTTP.exchange(port: hall.port, poll).hasSuffix("C:\(id):INFO\n"), "sent again under the same id")
        clock.advance(by: 31)
        #expect(try RawHTTP.exchange(port: hall.port, poll).hasSuffix("\r\n\r\nOK"), "out of attempts")
        await hall.service.checkTerminals()
        var record = try #require(try await hall.store.pushCommands(ids: [id]).first)
        #expect(record.state == .expired && record.attempts == 2)
        // A result for another terminal's command changes nothing; a malformed line is skipped; the late result matches.
        let other = try #require(try await commands.queue([.check], serial: "OTHER00000002", purpose: "test", by: "ops:test").first)
        let body = Array("ID=\(other)&Return=0&CMD=CHECK\nID=abc&Return=0&CMD=INFO\nID=\(id)&Return=0&CMD=INFO\nUserCount=3\n".utf8)
        #expect(try RawHTTP.exchange(port: hall.port, RawHTTP.request("POST", "/iclock/devicecmd?SN=\(serial)", body: body)).hasSuffix("\r\n\r\nOK"))
        record = try #require(try await hall.store.pushCommands(ids: [id]).first)
        #expect(record.state == .done && record.result == "UserCount=3")
        #expect(try await hall.store.pushCommands(ids: [other]).first?.state == .queued)
        try await hall.stop()
    }

    @Test("a user pushed to a replacement push terminal appears there: the old terminal's OPERLOG fills the backup, the new one is a candidate, replace queues the restore",
          .timeLimit(.minutes(2)))
    func userPushedToReplacementTerminalAppearsThere() async throws {
        let old = "OLD0000000001", new = "NEW0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [old]))
        let users = PushTerminalSimulator.demoUsers(), templates = PushTerminalSimulator.demoTemplates()
        let dying = PushTerminalSimulator(configuration: .init(serialNumber: old), users: users, templates: templates)
        let oldRun = hall.run(dying)
        try await dying.waitUntil("the old terminal's users and fingers acknowledged") { $0.acknowledgedOperations == 18 }
        let backups = await hall.service.flushBackups()
        #expect(backups.map(\.userCount) == [9] && backups.map(\.templateCount) == [9])
        oldRun.cancel()
        await oldRun.value

        // The replacement calls; it is not served yet, only recorded.
        let replacement = PushTerminalSimulator(configuration: .init(serialNumber: new))
        let newRun = hall.run(replacement)
        try await hall.events.wait("the new terminal recorded as a candidate") { events in
            events.contains { if case .candidate(new, .recorded) = $0 { return true } else { return false } }
        }
        let candidate = try #require(try await hall.store.deviceCandidates().first { $0.identity.serialNumber == new })
        let report = try await DeviceReplacement(config: hall.config, store: hall.store, clock: SystemClock(), logger: PushHall.logger)
            .replace(role: "push-terminal-1", with: candidate.id, options: .init(actor: "ops:test"))
        #expect(report.rebinding.changed && report.rebinding.device.id == candidate.id && report.problem == nil)
        try await replacement.waitUntil("every user and finger on the new terminal", timeout: .seconds(60)) {
            $0.users.count == 9 && $0.templates.count == 9
        }
        #expect(Dictionary(uniqueKeysWithValues: replacement.state.users.values.map { ($0.pin, $0.name) })
                == Dictionary(uniqueKeysWithValues: users.map { ($0.pin, $0.name) }))
        #expect(replacement.state.users["9"]?.name == "吉\u{20BB7}祥")
        #expect(Set(replacement.state.templates.values.map(\.template)) == Set(templates.map(\.template)))
        #expect(replacement.state.executed.allSatisfy { $0.returnCode == 0 })
        newRun.cancel()
        await newRun.value
        try await hall.stop()
    }

    @Test("an unknown serial is recorded as a candidate and nothing it sends is stored; approved, its data arrives", .timeLimit(.minutes(2)))
    func unknownSerialIsACandidateAndNothingIsStored() async throws {
        let stranger = "STRANGER00001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: ["KNOWN00000001"]))
        let records = PushTerminalSimulator.generatedRecords(count: 50, start: Self.start, seed: 13)
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: stranger, initialErrorDelay: 0.5), users: PushTerminalSimulator.demoUsers(),
                                              records: records)
        simulator.uploadGarbage([Array("garbage".utf8)])
        let running = hall.run(simulator)
        try await simulator.waitUntil("refused three times") { $0.count(.handshake, status: 403) >= 3 }
        #expect(hall.events.events.contains { if case .candidate(stranger, .recorded) = $0 { return true } else { return false } })
        let candidate = try #require(try await hall.store.deviceCandidates().first { $0.identity.serialNumber == stranger })
        #expect(candidate.identity.address == "push:\(stranger)" && candidate.identity.kind == .terminal && candidate.origin == .discovered)
        #expect(try await hall.store.punchCount() == 0)
        #expect(try await hall.store.pushQuarantine(includeReviewed: true).isEmpty)
        #expect(try await hall.store.pushTerminal(serial: stranger) == nil)
        #expect(try await hall.store.pushStamps(serial: stranger).isEmpty)
        #expect(try await hall.store.pushUsers(role: "push-terminal-1").isEmpty)
        #expect(simulator.state.acknowledgedRecords == 0, "the terminal keeps its data")
        #expect(try await hall.store.auditEntries().contains { $0.action == "device.candidate" && $0.subject == candidate.id })

        // Ops approve it for the role: from its next call on it is served.
        _ = try await DeviceReplacement(config: hall.config, store: hall.store, clock: SystemClock(), logger: PushHall.logger)
            .replace(role: "push-terminal-1", with: candidate.id, options: .init(actor: "ops:test", restore: false))
        try await simulator.waitUntil("its log acknowledged after approval") { $0.acknowledgedRecords == 50 }
        #expect(try await hall.store.punchCount() == 50)
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("a body larger than [push] max_body_kib is refused with 413 (declared or chunked) and the connection closed; nothing stored")
    func oversizedBodyIs413() async throws {
        let serial = "BIG0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]) { $0.push.maxBodyKiB = 16 })
        let line = Array("1\t2026-03-02 08:00:00\t0\t1\t0\t0\t0\n".utf8)
        let big = Array((0..<600).map { _ in line }.joined())
        #expect(big.count > 16 * 1024)
        let declared = try RawHTTP.exchange(port: hall.port, RawHTTP.request("POST", "/iclock/cdata?SN=\(serial)&table=ATTLOG&Stamp=1", body: big))
        #expect(declared.hasPrefix("HTTP/1.1 413"))
        var chunked = Array("POST /iclock/cdata?SN=\(serial)&table=ATTLOG&Stamp=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for start in stride(from: 0, to: big.count, by: 4096) {
            let chunk = big[start..<min(big.count, start + 4096)]
            chunked += Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10]
        }
        chunked += Array("0\r\n\r\n".utf8)
        #expect(try RawHTTP.exchange(port: hall.port, chunked).hasPrefix("HTTP/1.1 413"))
        #expect(try await hall.store.punchCount() == 0)
        #expect(try await hall.store.pushStamps(serial: serial).isEmpty)
        try await hall.stop()
    }

    @Test("a client that dribbles its request is disconnected at the header (or body) deadline while another terminal keeps uploading",
          .timeLimit(.minutes(2)))
    func slowClientTimesOutWhileAnotherDeviceUploads() async throws {
        let serial = "SLOW000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]) {
            $0.push.headerTimeoutSeconds = 2
            $0.push.bodyTimeoutSeconds = 2
        })
        let port = hall.port
        // Two raw sockets: one sends its request line a byte at a time, one sends a whole head and then its body a
        // byte at a time. Both keep dribbling until the server closes them.
        let head = Array("POST /iclock/cdata?SN=\(serial)&table=ATTLOG&Stamp=1 HTTP/1.1\r\nHost: x\r\n".utf8)
        let withBody = Array("POST /iclock/cdata?SN=\(serial)&table=ATTLOG&Stamp=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n".utf8)
        let slowHead = try RawHTTP.connect(port: port)
        let slowBody = try RawHTTP.connect(port: port)
        defer { close(slowHead); close(slowBody) }
        try RawHTTP.send(slowBody, withBody)
        let opened = Date()
        let dribblers = Task {
            var i = 0
            while !Task.isCancelled && i < 200 {
                let a = (try? RawHTTP.send(slowHead, [head[i % head.count]])) != nil
                let b = (try? RawHTTP.send(slowBody, [0x41])) != nil
                if !a && !b { break }
                i += 1
                // The dribble itself: a byte every 100 ms is the misbehaviour under test.
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        // Meanwhile a terminal uploads its log in 20 batches.
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial, maxLinesPerUpload: 100),
                                              records: PushTerminalSimulator.generatedRecords(count: 2_000, start: Self.start, seed: 17))
        let running = hall.run(simulator)
        try await simulator.waitUntil("2,000 records acknowledged") { $0.acknowledgedRecords == 2_000 }
        #expect(RawHTTP.waitClosed(slowHead, timeout: 10), "the head dribbler is disconnected")
        #expect(RawHTTP.waitClosed(slowBody, timeout: 10), "the body dribbler is disconnected")
        let closed = Date()
        dribblers.cancel()
        _ = await dribblers.value
        // Uploads were answered while the dribblers held their connections.
        let during = simulator.state.exchanges.filter { $0.kind == .attendanceUpload && $0.status == 200 && $0.at > opened && $0.at < closed }
        #expect(!during.isEmpty)
        #expect(try await hall.store.punchCount() == 2_000)
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("garbage in a batch is quarantined with its raw bytes and reported; the good lines are stored, the batch answered OK and never resent",
          .timeLimit(.minutes(1)))
    func garbageIsQuarantinedNothingLost() async throws {
        let serial = "GRB0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]))
        let garbage: [[UInt8]] = [
            [0xFF, 0xFE, 0x80, 0x81, 0x09, 0xC0],                // neither UTF-8 nor GB18030
            Array("garbage\tnot-a-date".utf8),
            Array("7\t2026-02-31 08:00:00\t0\t1\t0\t0\t0".utf8), // a day that does not exist
            Array("8\t2026-03-02 08:00:00".utf8),                 // two fields
            Array("\t2026-03-02 08:00:00\t0\t1\t0\t0\t0".utf8),  // no user id
            Array("9\t2026-03-02 08:00:00\tin\t1\t0\t0\t0".utf8), // status not a number
        ]
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial),
                                              records: PushTerminalSimulator.generatedRecords(count: 100, start: Self.start, seed: 19))
        simulator.uploadGarbage(garbage)
        let running = hall.run(simulator)
        try await simulator.waitUntil("the batch acknowledged") { $0.acknowledgedRecords == 100 && $0.pendingGarbage == 0 }
        let upload = try #require(simulator.state.exchanges.first { $0.kind == .attendanceUpload })
        #expect(upload.status == 200 && upload.answer == "OK: 106")
        #expect(simulator.state.count(.attendanceUpload) == 1, "answered OK: never resent")
        #expect(try await hall.store.punchCount() == 100)
        let kept = try await hall.store.pushQuarantine(serial: serial)
        #expect(Set(kept.map { [UInt8]($0.raw) }) == Set(garbage))
        #expect(kept.allSatisfy { !$0.reason.isEmpty && $0.table == "ATTLOG" })
        #expect(try await hall.store.auditEntries().contains { $0.action == "push.quarantined" && $0.subject == serial })
        // The same garbage again is kept once.
        simulator.uploadGarbage(garbage)
        try await simulator.waitUntil("the second batch acknowledged") { $0.pendingGarbage == 0 && $0.count(.attendanceUpload, status: 200) == 2 }
        #expect(try await hall.store.pushQuarantine(serial: serial).count == garbage.count)
        running.cancel()
        await running.value
        try await hall.stop()
    }

    @Test("a push terminal's calls are its heartbeat: silence past its threshold is a failure, offline after the fallback threshold puts the hall into sign-in mode, calls again bring it back")
    func silenceTurnsIntoFailuresAndSignInMode() async throws {
        let serial = "HLT0000000001"
        let clock = ManualClock(Date(timeIntervalSince1970: 1_772_416_800))
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]) {
            $0.fallback.enterAfterSeconds = 10
            $0.fallback.leaveAfterSeconds = 10
            $0.push.delaySeconds = 2
            $0.push.offlineAfterMissedPolls = 3
        }, clock: clock)
        let activity = Mutex<[FallbackActivity]>([])
        let fallback = SignInFallback(config: hall.config, store: hall.store, clock: clock, logger: PushHall.logger,
                                      observer: { event in activity.withLock { $0.append(event) } })
        fallback.attach(to: hall.health)
        let ping = RawHTTP.request("GET", "/iclock/ping?SN=\(serial)")
        #expect(try RawHTTP.exchange(port: hall.port, ping).hasSuffix("\r\n\r\nOK"))
        #expect(hall.health.power(of: "push-terminal-1") == .online)
        // Silence beyond 3 polls of 2 s (and Delay + 5 s): a failure; the health model's report, and through it the
        // fallback, are done when the watchdog's look returns.
        clock.advance(by: 8)
        await hall.service.checkTerminals()
        #expect(hall.health.power(of: "push-terminal-1") == .online, "failing, not offline yet")
        clock.advance(by: 11)
        await hall.service.checkTerminals()
        #expect(hall.health.power(of: "push-terminal-1") == .offline)
        guard case .entered(let role, let reason)? = activity.withLock({ $0.first }) else {
            Issue.record("sign-in mode not entered")
            return
        }
        #expect(role == "push-terminal-1" && reason.contains("has not called"))
        #expect(fallback.current.anyFallback)
        // Calling again for the leave threshold brings it back.
        #expect(try RawHTTP.exchange(port: hall.port, ping).hasSuffix("\r\n\r\nOK"))
        clock.advance(by: 5)
        #expect(try RawHTTP.exchange(port: hall.port, ping).hasSuffix("\r\n\r\nOK"))
        clock.advance(by: 6)
        #expect(try RawHTTP.exchange(port: hall.port, ping).hasSuffix("\r\n\r\nOK"))
        #expect(hall.health.power(of: "push-terminal-1") == .online)
        guard case .left(let leftRole, _, _)? = activity.withLock({ $0.last }) else {
            Issue.record("sign-in mode not left")
            return
        }
        #expect(leftRole == "push-terminal-1" && !fallback.current.anyFallback)
        try await hall.stop()
    }

    @Test("newer firmware: registry is answered with its RegistryCode and keeps what the terminal says of itself; push gives the options; a stranger is refused")
    func registryAndPush() async throws {
        let serial = "REG0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]))
        let facts = Array("DeviceType=att,~DeviceName=SpeedFace-V5L,FirmVer=ZAM180-NF-Ver1.2.8,PushVersion=3.1.2,IPAddress=127.0.0.1\r\n".utf8)
        let registered = try RawHTTP.exchange(port: hall.port, RawHTTP.request("POST", "/iclock/registry?SN=\(serial)", body: facts))
        #expect(registered.hasPrefix("HTTP/1.1 200"), "\(registered)")
        #expect(registered.hasSuffix("\r\n\r\nRegistryCode=\(serial)\n"), "\(registered)")
        let kept = try #require(try await hall.store.pushTerminal(serial: serial))
        #expect(kept.facts["DeviceName"] == "SpeedFace-V5L" && kept.facts["FirmVer"] == "ZAM180-NF-Ver1.2.8", "\(kept.facts)")

        let push = try RawHTTP.exchange(port: hall.port, RawHTTP.request("GET", "/iclock/push?SN=\(serial)"))
        #expect(push.hasPrefix("HTTP/1.1 200"), "\(push)")
        for line in ["ServerName=CounterGate", "ErrorDelay=\(hall.config.push.errorDelaySeconds)", "RequestDelay=\(hall.config.push.delaySeconds)"] {
            #expect(push.contains(line), "\(line) in \(push)")
        }
        #expect(push.contains("TransTables=") && push.contains("Transaction"), "\(push)")

        let stranger = try RawHTTP.exchange(port: hall.port, RawHTTP.request("POST", "/iclock/registry?SN=OTHER00000009", body: facts))
        #expect(stranger.hasPrefix("HTTP/1.1 403"), "\(stranger)")
        #expect(try await hall.store.pushTerminal(serial: "OTHER00000009")?.facts["DeviceName"] == nil, "nothing kept of a stranger")
        try await hall.stop()
    }

    @Test("requests are validated (serial, table, stamp), rate-limited per terminal, and nothing but /iclock/ is served")
    func validationRateLimitsAndNothingElse() async throws {
        let serial = "VAL0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]) {
            $0.push.requestsPerSecond = 1
            $0.push.burst = 3
        })
        func status(_ request: [UInt8]) throws -> String { String(try RawHTTP.exchange(port: hall.port, request).prefix(12)) }
        #expect(try status(RawHTTP.request("GET", "/iclock/cdata?options=all")) == "HTTP/1.1 400")
        #expect(try status(RawHTTP.request("GET", "/iclock/cdata?SN=../etc&options=all")) == "HTTP/1.1 400")
        #expect(try status(RawHTTP.request("GET", "/iclock/cdata?SN=\(String(repeating: "A", count: 40))&options=all")) == "HTTP/1.1 400")
        #expect(try status(RawHTTP.request("GET", "/api/v1/whoami")) == "HTTP/1.1 404")
        #expect(try status(RawHTTP.request("GET", "/healthz")) == "HTTP/1.1 404")
        #expect(try status(RawHTTP.request("GET", "/iclock/../api/v1/whoami?SN=\(serial)")) == "HTTP/1.1 404")
        // The terminal's own bucket: three at once, then 429 with Retry-After.
        let ok = RawHTTP.request("GET", "/iclock/ping?SN=\(serial)")
        #expect(try status(RawHTTP.request("POST", "/iclock/cdata?SN=\(serial)&table=ATTLOG&Stamp=12a", body: [0x31])) == "HTTP/1.1 400")
        #expect(try status(RawHTTP.request("POST", "/iclock/cdata?SN=\(serial)&table=AT%0ALOG&Stamp=1", body: [0x31])) == "HTTP/1.1 400")
        #expect(try status(ok) == "HTTP/1.1 200")
        let limited = try RawHTTP.exchange(port: hall.port, ok)
        #expect(limited.hasPrefix("HTTP/1.1 429") && limited.lowercased().contains("retry-after:"))
        // Another terminal is not limited by this one.
        #expect(try status(RawHTTP.request("GET", "/iclock/ping?SN=OTHER00000003")) == "HTTP/1.1 403")
        #expect(try await hall.store.punchCount() == 0)
        try await hall.stop()
    }

    @Test("old firmware (no pushver): the handshake is answered in its dialect (Stamp=, CRLF, 10-digit TransFlag) and its 4-field lines are stored",
          .timeLimit(.minutes(1)))
    func legacyFirmware() async throws {
        let serial = "LEG0000000001"
        let hall = try await PushHall.start(try PushHall.configuration(serials: [serial]))
        let simulator = PushTerminalSimulator(configuration: .init(serialNumber: serial, pushVersion: nil, shortAttendanceLines: true),
                                              records: PushTerminalSimulator.generatedRecords(count: 30, start: Self.start, seed: 23))
        let running = hall.run(simulator)
        try await simulator.waitUntil("the log acknowledged") { $0.acknowledgedRecords == 30 }
        let answer = try #require(simulator.state.optionsAnswer)
        #expect(answer.hasPrefix("GET OPTION FROM: \(serial)\r\nStamp=0\r\nOpStamp=0\r\n"))
        #expect(answer.contains("\r\nTransFlag=1101111000\r\n") && !answer.contains("ATTLOGStamp"))
        #expect(try await hall.store.punchCount() == 30)
        running.cancel()
        await running.value
        try await hall.stop()
    }
}
