// Sign-in fallback with a simulated terminal (a test fake) killed and restarted: the mode switches on its own within
// 5 s of the thresholds, staff sign in by PIN and badge, and the outage is reconciled; toggles do not flap.
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Simulators
import Testing
import ZKTerminal
@testable import Gateway

@Suite(.serialized) struct SignInFallbackTests {
    struct Hall {
        let config: HallConfiguration
        let store: HallStore
        let monitor: DeviceHealthMonitor
        let fallback: SignInFallback
        let desk: SignInDesk
        let activity: AsyncStream<FallbackActivity>
        let changes: AsyncStream<DeviceHealthChange>
        let terminal: HallConfiguration.Device

        init(terminalAddress: String = "tcp://127.0.0.1:9", enterAfter: Int = 1, leaveAfter: Int = 1) async throws {
            let clock = SystemClock()
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-fallback-\(UUID().uuidString)").path
            config.attendance.replyTimeoutSeconds = 1
            config.attendance.heartbeatSeconds = 1
            config.attendance.pullIntervalSeconds = 3600
            config.fallback.enterAfterSeconds = enterAfter
            config.fallback.leaveAfterSeconds = leaveAfter
            terminal = try HallConfiguration.Device(id: "entrance-terminal", kind: .terminal, role: "entrance-terminal", profile: "zk-generic",
                                                address: terminalAddress, serialNumber: nil, windows: [1, 2, 3])
            config.devices = [terminal]
            self.config = config
            store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
            try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
            monitor = DeviceHealthMonitor(config: config, store: store, clock: clock, logger: Logger(label: "test"))
            let (activity, toTest) = AsyncStream<FallbackActivity>.makeStream()
            self.activity = activity
            fallback = SignInFallback(config: config, store: store, clock: clock, logger: Logger(label: "test"), observer: { toTest.yield($0) })
            fallback.attach(to: monitor)
            let (changes, changed) = AsyncStream<DeviceHealthChange>.makeStream()
            self.changes = changes
            monitor.onChange { changed.yield($0) }
            desk = SignInDesk(config: config, store: store, clock: clock)
            for (staff, pin) in [("D001", "4821"), ("D002", "7305"), ("D007", "6142")] {
                try await desk.setPIN(pin, staffID: staff, actor: "test", iterations: 1_000)
            }
        }
    }

    @Test("a simulated terminal killed: sign-in mode within 5 s; PIN and badge sign-ins; restarted with punches it kept: normal within 5 s, one record per person, conflicts listed",
          .timeLimit(.minutes(2)))
    func outageAndReconciliation() async throws {
        let simulator = ZKTerminalSimulator(configuration: .init(serialNumber: "FALL0001"), users: ZKTerminalSimulator.demoUsers(), records: [],
                                            clock: SystemClock())
        let ports = try await simulator.start()
        let hall = try await Hall(terminalAddress: "tcp://127.0.0.1:\(ports.tcp)")
        var sync = try TerminalSync(device: hall.terminal, settings: hall.config.attendance, store: hall.store, clock: SystemClock(), logger: Logger(label: "test"))
        sync.health = hall.monitor
        let syncing = Task { await sync.run() }
        let ticking = Task { await hall.monitor.run(every: .milliseconds(100)) }
        defer { syncing.cancel(); ticking.cancel() }
        var changes = hall.changes.makeAsyncIterator()
        var activity = hall.activity.makeAsyncIterator()
        #expect(await changes.next()?.transition.to == .online)
        await #expect(throws: SignInRefusal.notInSignInMode) { try await hall.desk.signIn(staffID: "D001", pin: "4821") }

        // The terminal dies.
        let killed = Date()
        try await simulator.stop()
        guard case .entered(let role, _)? = await activity.next() else { Issue.record("sign-in mode was not entered"); return }
        #expect(role == "entrance-terminal")
        let entering = Date().timeIntervalSince(killed)
        #expect(entering <= Double(hall.config.fallback.enterAfterSeconds) + 5, "entered after \(entering) s")
        #expect(try await hall.store.attendanceModes()["entrance-terminal"]?.mode == "sign-in")

        // Staff sign in personally: by PIN, by badge; not for someone else, not with a wrong PIN, not twice.
        let d001 = try await hall.desk.signIn(staffID: "D001", pin: "4821")
        #expect(d001.signIn.method == .pin && d001.signIn.terminalRole == "entrance-terminal")
        await #expect(throws: SignInRefusal.notYourself(requestedBy: "D002")) { try await hall.desk.signIn(staffID: "D001", pin: "7305", requestedBy: "D002") }
        await #expect(throws: SignInRefusal.wrongPIN(remaining: 4)) { try await hall.desk.signIn(staffID: "D002", pin: "4821") }
        do {
            _ = try await hall.desk.signIn(staffID: "D001", pin: "4821")
            Issue.record("a second sign-in within minutes was accepted")
        } catch SignInRefusal.alreadySignedIn(let at) {
            #expect(abs(at.timeIntervalSince(d001.signIn.at)) < 1)
        }
        let taps = BadgeTaps(config: hall.config, store: hall.store, clock: SystemClock(), logger: Logger(label: "test"))
        try await hall.store.setCard(CardNumber(4_215_371).canonical, staffID: "D003", actor: "test", at: Date())
        let entrance = try HallConfiguration.Device(id: "entrance-reader", kind: .badgeReader, role: "entrance-reader", profile: "rdm6300-serial",
                                                address: "serial:/dev/null", serialNumber: nil, windows: [1, 2, 3])
        await taps.handle(CardNumber(4_215_371), from: entrance)
        let pending = try await hall.store.pendingSignIns()
        #expect(pending.map(\.signIn.staffID) == ["D001", "D003"])
        #expect(pending.last?.signIn.method == .badge)
        // The duty chief confirms D001 and leaves D003 unreviewed; a duty chief cannot confirm their own.
        _ = try await hall.store.review(signIn: d001.id, by: "D007", at: Date())
        let own = try await hall.desk.signIn(staffID: "D007", pin: "6142")
        await #expect(throws: SignInReviewError.ownSignIn) { _ = try await hall.store.review(signIn: own.id, by: "D007", at: Date()) }

        // Meanwhile the terminal kept punches: D001 (who also signed in) and D005 (who did not).
        simulator.punch(userID: "1")
        simulator.punch(userID: "5")
        let restarted = Date()
        _ = try await simulator.start(tcpPort: ports.tcp, udpPort: ports.udp)
        guard case .left(_, let records, let conflicts)? = await activity.next() else { Issue.record("sign-in mode was not left"); return }
        // The gateway hears the terminal again at its next reconnect (backoff at most twice the heartbeat, here 2 s);
        // from then the threshold runs, and the mode must change within 5 s of it.
        let leaving = Date().timeIntervalSince(restarted)
        let noticeWithin = Double(max(2, hall.config.attendance.heartbeatSeconds * 2))
        #expect(leaving <= noticeWithin + Double(hall.config.fallback.leaveAfterSeconds) + 5, "left after \(leaving) s")
        #expect(try await hall.store.attendanceModes()["entrance-terminal"]?.mode == "normal")
        #expect(records == 2 && conflicts == 2, "records \(records), conflicts \(conflicts)")

        let day = try await hall.store.attendanceRecords(from: killed.addingTimeInterval(-3600), to: Date().addingTimeInterval(3600))
        let d001Records = day.filter { $0.staffID == "D001" }
        #expect(d001Records.count == 1, "one record for a person with both a punch and a sign-in")
        #expect(d001Records.first?.punchID != nil && d001Records.first?.signInID == d001.id, "both sources kept")
        #expect(day.filter { $0.staffID == "D005" }.map(\.signInID) == [nil])
        #expect(!day.contains { $0.staffID == "D007" || $0.staffID == "D003" }, "unreviewed sign-ins without a punch make no record")
        let open = try await hall.store.openAttendanceConflicts()
        #expect(Set(open.map(\.staffID)) == ["D003", "D007"])
        #expect(open.allSatisfy { $0.kind == "unreviewed" })

        let audit = try await hall.store.auditEntries(limit: 500)
        #expect(audit.filter { $0.action == "mode.changed" }.count == 2)
        #expect(audit.contains { $0.action == "attendance.reconciled" })
        #expect(audit.contains { $0.action == "device.offline" && $0.subject == "entrance-terminal" })
        #expect(!audit.contains { $0.detail.contains("4821") || $0.detail.contains("7305") }, "no PIN in the audit log")
        try await simulator.stop()
    }

    @Test("50 rapid up/down toggles of a terminal cause no mode change; a lasting failure then causes exactly one", .timeLimit(.minutes(1)))
    func noFlapping() async throws {
        let hall = try await Hall(enterAfter: 2, leaveAfter: 2)
        var changes = hall.changes.makeAsyncIterator()
        await hall.monitor.report(hall.terminal.id, .answered(.idle))
        #expect(await changes.next()?.transition.to == .online)
        // 50 toggles, each state lasting 20 ms: far below the 2 s thresholds.
        for i in 0..<100 {
            await hall.monitor.report(hall.terminal.id, i % 2 == 0 ? .unreachable(reason: "flaky cable") : .answered(.idle))
            await hall.monitor.evaluate()
            try await Task.sleep(for: .milliseconds(20))  // the toggling rhythm under test, not synchronisation
        }
        #expect(hall.monitor.power(of: hall.terminal.id) == .online)
        #expect(try await hall.store.attendanceModes().isEmpty, "no mode change was stored")
        // Then it stays down: one transition, one mode change, after the threshold.
        let down = Date()
        await hall.monitor.report(hall.terminal.id, .unreachable(reason: "unplugged"))
        let ticking = Task { await hall.monitor.run(every: .milliseconds(50)) }
        defer { ticking.cancel() }
        let change = await changes.next()
        #expect(change?.transition.to == .offline)
        #expect(Date().timeIntervalSince(down) >= 2)
        #expect(try await hall.store.attendanceModes()["entrance-terminal"]?.mode == "sign-in")
        let audit = try await hall.store.auditEntries(limit: 500)
        #expect(audit.filter { $0.action == "mode.changed" }.count == 1)
    }

    @Test("five wrong PINs lock the person's PIN sign-in (audited); the lock does not leak to others; setting a new PIN clears it")
    func pinLockout() async throws {
        let hall = try await Hall()
        var changes = hall.changes.makeAsyncIterator()
        await hall.monitor.report(hall.terminal.id, .unreachable(reason: "down"))
        let ticking = Task { await hall.monitor.run(every: .milliseconds(50)) }
        defer { ticking.cancel() }
        #expect(await changes.next()?.transition.to == .offline)
        #expect(try await hall.store.attendanceModes()["entrance-terminal"]?.mode == "sign-in")
        for remaining in [4, 3, 2, 1] {
            await #expect(throws: SignInRefusal.wrongPIN(remaining: remaining)) { try await hall.desk.signIn(staffID: "D002", pin: "0000") }
        }
        do {
            _ = try await hall.desk.signIn(staffID: "D002", pin: "0000")
            Issue.record("the fifth wrong PIN did not lock")
        } catch SignInRefusal.locked(let until) {
            #expect(until.timeIntervalSinceNow > 14 * 60)
        }
        // Locked: even the right PIN is refused; D001 is not affected.
        await #expect(throws: SignInRefusal.self) { try await hall.desk.signIn(staffID: "D002", pin: "7305") }
        _ = try await hall.desk.signIn(staffID: "D001", pin: "4821")
        #expect(try await hall.store.auditEntries(limit: 200).contains { $0.action == "pin.locked" && $0.subject == "D002" })
        try await hall.desk.setPIN("5902", staffID: "D002", actor: "D007", iterations: 1_000)
        _ = try await hall.desk.signIn(staffID: "D002", pin: "5902")
        await #expect(throws: PINRuleError.tooSimple) { try await hall.desk.setPIN("1234", staffID: "D002", actor: "D007") }
        await #expect(throws: SignInRefusal.unknownStaff("X999")) { try await hall.desk.signIn(staffID: "X999", pin: "4821") }
    }
}
