// Attendance sync into the store: exactly once across interrupted downloads, flags, staff links, live punches.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Simulators
import Testing
import ZKTerminal
@testable import Gateway

@Suite(.serialized) struct TerminalSyncTests {
    /// 2026-03-02 09:00 in the hall.
    static let now = Date(timeIntervalSince1970: 1_772_413_200)

    struct Fixture {
        let simulator: ZKTerminalSimulator
        let store: HallStore
        let sync: TerminalSync

        init(records: [ZKAttendanceRecord], clockOffset: TimeInterval = 0, observer: (@Sendable (TerminalSyncEvent) -> Void)? = nil) async throws {
            let clock = ManualClock(TerminalSyncTests.now)
            simulator = ZKTerminalSimulator(configuration: .init(serialNumber: "SYNC0001", clockOffset: clockOffset),
                                            users: ZKTerminalSimulator.demoUsers(), records: records, clock: clock)
            let ports = try await simulator.start()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-sync-\(UUID().uuidString)")
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = directory.path
            config.attendance.replyTimeoutSeconds = 2
            config.attendance.pullIntervalSeconds = 3600
            let device = try HallConfiguration.Device(id: "entrance-terminal", kind: .terminal, role: "entrance-terminal", profile: "zk-generic",
                                                  address: "tcp://127.0.0.1:\(ports.tcp)", serialNumber: nil, windows: [1, 2, 3])
            config.devices = [device]
            store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
            try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
            sync = try TerminalSync(device: device, settings: config.attendance, store: store, clock: clock,
                                    logger: Logger(label: "test"), observer: observer)
        }
    }

    static func records(_ n: Int) -> [ZKAttendanceRecord] {
        ZKTerminalSimulator.generatedRecords(count: n, start: ZKLocalTime(year: 2025, month: 6, day: 2, hour: 0, minute: 0, second: 0), seed: 11)
    }

    @Test func interruptedDownloadThenResumedStoresEveryRecordExactlyOnce() async throws {
        let fixture = try await Fixture(records: Self.records(30_000))  // 1.2 MB: 19 chunks
        var rng = SystemRandomNumberGenerator()
        let cutAt = Int.random(in: 1...18, using: &rng)
        fixture.simulator.setFaults(.init(dropConnectionAfterChunks: cutAt))
        let client = fixture.sync.makeClient()
        try await client.connect()
        await #expect(throws: ZKClientError.self, "cut at chunk \(cutAt)") { try await fixture.sync.pull(client) }
        // Never half a download.
        #expect(try await fixture.store.punchCount() == 0)

        let again = fixture.sync.makeClient()
        try await again.connect()
        let first = try await fixture.sync.pull(again)
        #expect(first.inserted == 30_000 && first.alreadyStored == 0)
        // Nothing new: nothing transferred, nothing stored twice.
        let second = try await fixture.sync.pull(again)
        #expect(second.read == .unchanged && second.records == 0 && second.transferredBytes == 0 && second.inserted == 0)
        #expect(try await fixture.store.punchCount() == 30_000)
        await again.disconnect()
        try await fixture.simulator.stop()
    }

    @Test("100,000 records: the keypad is locked only while the log is snapshotted; later pulls read only what is new")
    func disabledOnlyForTheSnapshotAndOnlyNewRecordsRead() async throws {
        let fixture = try await Fixture(records: Self.records(100_000))
        let client = fixture.sync.makeClient()
        try await client.connect()
        let first = try await fixture.sync.pull(client)
        #expect(first.read == .whole && first.inserted == 100_000 && first.transferredBytes == 100_000 * 40)
        // The terminal's own record of the read: one disabled interval, holding the count, the snapshot and the enable,
        // and not one attendance byte; the 62 chunks were served with the keypad usable.
        let intervals = fixture.simulator.disabledIntervals
        #expect(intervals.count == 1)
        #expect(intervals.first?.commands == [.getFreeSizes, .prepareBuffer, .enableDevice])
        #expect(intervals.first?.attendanceBytesServed == 0)
        #expect(fixture.simulator.counters.attendanceBytesServed == 100_000 * 40)
        let disabled = try #require(intervals.first?.duration)
        #expect(disabled < .seconds(1), "disabled \(disabled)")
        #expect(try #require(first.disabledSeconds) < 1)

        // No new punch: nothing transferred, the terminal never disabled.
        let served = fixture.simulator.counters.attendanceBytesServed
        let second = try await fixture.sync.pull(client)
        #expect(second.read == .unchanged && second.records == 0 && second.disabledSeconds == nil)
        #expect(fixture.simulator.counters.attendanceBytesServed == served && fixture.simulator.disabledIntervals.count == 1)

        // Three punches: only they (and the one record of overlap) are transferred and stored.
        for user in ["1", "2", "3"] { fixture.simulator.punch(userID: user) }
        let third = try await fixture.sync.pull(client)
        #expect(third.read == .newOnly && third.records == 3 && third.inserted == 3 && third.logRecords == 100_003)
        #expect(fixture.simulator.counters.attendanceBytesServed - served == 4 * 40)
        #expect(try await fixture.store.punchCount() == 100_003)
        #expect(fixture.simulator.disabledIntervals.allSatisfy { $0.attendanceBytesServed == 0 && $0.end != nil })
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test("a log cleared and refilled since the last pull does not continue it: read whole, nothing stored twice")
    func aClearedLogIsReadWhole() async throws {
        let fixture = try await Fixture(records: Self.records(3_000))
        let client = fixture.sync.makeClient()
        try await client.connect()
        #expect(try await fixture.sync.pull(client).inserted == 3_000)
        // Cleared on the terminal's menu, then more punches than before: the count grew, but the overlap differs.
        fixture.simulator.clearLog()
        let users = ZKTerminalSimulator.demoUsers()
        for i in 0..<3_001 {
            fixture.simulator.punch(userID: users[i % users.count].userID,
                                    at: ZKLocalTime(Date(timeIntervalSince1970: 1_770_000_000 + Double(i)), in: HallTime.chinaStandardTime))
        }
        let again = try await fixture.sync.pull(client)
        #expect(again.read == .whole && again.records == 3_001 && again.inserted == 3_001)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test("a punch while the terminal is disabled is held, then logged when it is enabled again")
    func punchesWaitWhileDisabled() async throws {
        let fixture = try await Fixture(records: [])
        let client = fixture.sync.makeClient()
        try await client.connect()
        let held = try await client.withDeviceDisabled { () async throws(ZKClientError) -> Int in
            fixture.simulator.punch(userID: "4")
            return fixture.simulator.state.records.count
        }
        #expect(held == 0)
        try await fixture.simulator.waitUntil("the held punch is logged") { $0.state.records.count == 1 }
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func punchesAreLinkedToStaffAndBadTimesFlagged() async throws {
        let good = ZKAttendanceRecord(uid: 1, userID: "1", time: ZKLocalTime(year: 2026, month: 3, day: 2, hour: 8, minute: 31, second: 0), verifyType: 1, state: 0)
        let reset = ZKAttendanceRecord(uid: 2, userID: "2", time: ZKLocalTime(year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 5), verifyType: 1, state: 0)
        let future = ZKAttendanceRecord(uid: 3, userID: "3", time: ZKLocalTime(year: 2031, month: 1, day: 1, hour: 8, minute: 0, second: 0), verifyType: 1, state: 0)
        let nonexistent = ZKAttendanceRecord(uid: 4, userID: "4", time: ZKLocalTime(year: 2026, month: 2, day: 31, hour: 8, minute: 0, second: 0), verifyType: 1, state: 0)
        let fixture = try await Fixture(records: [good, reset, future, nonexistent])
        let client = fixture.sync.makeClient()
        try await client.connect()
        let report = try await fixture.sync.pull(client)
        #expect(report.inserted == 4 && report.flagged == 3)
        let stored = try await fixture.store.punches(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4_000_000_000))
        let byUser = Dictionary(uniqueKeysWithValues: stored.map { ($0.punch.terminalUserID, $0) })
        #expect(byUser["1"]?.flag == nil)
        #expect(byUser["1"]?.punch.staffID == "D001")
        #expect(byUser["1"]?.punch.terminalSerial == "SYNC0001")
        #expect(byUser["2"]?.flag?.contains("impossible time 2000-01-01") == true)
        #expect(byUser["3"]?.flag?.contains("impossible time") == true)
        #expect(byUser["4"]?.flag?.contains("2026-02-31") == true)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func driftingTerminalClockFlagsItsPunchesAndTimeSetCorrectsIt() async throws {
        let fixture = try await Fixture(records: Self.records(10), clockOffset: 900)
        let client = fixture.sync.makeClient()
        try await client.connect()
        let report = try await fixture.sync.pull(client)
        #expect(Int(report.clockDrift.rounded()) == 900)
        #expect(report.flagged == 10)
        try await client.setTime(ZKLocalTime(TerminalSyncTests.now, in: HallTime.chinaStandardTime))
        let after = try await fixture.sync.pull(client)
        #expect(abs(after.clockDrift) < 2)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func runPullsThenStoresLivePunchesAndMarksTheTerminalOnline() async throws {
        let (events, continuation) = AsyncStream<TerminalSyncEvent>.makeStream()
        let fixture = try await Fixture(records: Self.records(500), observer: { continuation.yield($0) })
        let running = Task { await fixture.sync.run() }
        var iterator = events.makeAsyncIterator()
        guard case .pulled(let report)? = await iterator.next() else { Issue.record("no pull"); return }
        #expect(report.inserted == 500)
        try await fixture.simulator.waitUntil("the gateway listens for events") { $0.state.attendanceEventSessions == 1 }
        fixture.simulator.punch(userID: "6", verifyType: 1, state: 0)
        guard case .liveStored(let punch, let inserted)? = await iterator.next() else { Issue.record("no live punch"); return }
        #expect(inserted && punch.terminalUserID == "6")
        #expect(try await fixture.store.punchCount() == 501)
        #expect(try await fixture.store.devices().first?.power == .online)
        running.cancel()
        await running.value
        // Cancelled cleanly: the session was ended and the terminal left enabled.
        #expect(fixture.simulator.isEnabled)
        try await fixture.simulator.stop()
    }

    @Test func deadTerminalIsReportedOfflineAndDoesNotThrow() async throws {
        let (events, continuation) = AsyncStream<TerminalSyncEvent>.makeStream()
        let fixture = try await Fixture(records: [], observer: { continuation.yield($0) })
        try await fixture.simulator.stop()
        let running = Task { await fixture.sync.run() }
        var iterator = events.makeAsyncIterator()
        guard case .failed(let error)? = await iterator.next() else { Issue.record("no failure reported"); return }
        #expect(error.isRetryable)
        try await waitUntilOffline(fixture.store)
        running.cancel()
        await running.value
    }

    func waitUntilOffline(_ store: HallStore) async throws {
        // The failure event is sent after the state is written, so one read suffices.
        #expect(try await store.devices().first?.power == .offline)
        #expect(try await store.auditEntries().contains { $0.action == "device.offline" })
    }
}
