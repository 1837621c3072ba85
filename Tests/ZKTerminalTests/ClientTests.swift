// The client against the simulator over real loopback sockets: sessions, bulk reads, faults, live events, restore.
import CounterCore
import Foundation
import Simulators
import Testing
@testable import ZKTerminal

/// A simulator with the demo users and `records` generated punches, started on loopback.
struct SimulatedTerminalFixture {
    let simulator: ZKTerminalSimulator
    let tcp: Int
    let udp: Int

    static let start = ZKLocalTime(year: 2025, month: 3, day: 3, hour: 0, minute: 0, second: 0)

    init(records: Int, configuration: ZKTerminalSimulator.Configuration = .init(),
         templates: [ZKFingerprintTemplate] = []) async throws {
        let users = ZKTerminalSimulator.demoUsers()
        simulator = ZKTerminalSimulator(configuration: configuration, users: users, templates: templates,
                                        records: ZKTerminalSimulator.generatedRecords(count: records, users: users, start: Self.start, seed: 7),
                                        clock: ManualClock(Date(timeIntervalSince1970: 1_772_413_200)))
        (tcp, udp) = try await simulator.start()
    }

    func client(_ transport: ZKEndpoint.Transport = .tcp, commKey: UInt32 = 0, timeout: Duration = .seconds(5)) -> ZKClient {
        ZKClient(.init(endpoint: ZKEndpoint(host: "127.0.0.1", port: transport == .tcp ? tcp : udp, transport: transport),
                       commKey: commKey, replyTimeout: timeout, deviceName: "test-terminal"))
    }
}

@Suite(.serialized) struct ClientTests {
    @Test(arguments: [ZKEndpoint.Transport.tcp, .udp])
    func readsInfoUsersAndRecords(transport: ZKEndpoint.Transport) async throws {
        let fixture = try await SimulatedTerminalFixture(records: 20_000)
        let client = fixture.client(transport)
        try await client.connect()
        let info = try await client.deviceInfo()
        #expect(info.serialNumber == ZKTerminalSimulator.Configuration().serialNumber)
        #expect(info.records == 20_000)
        #expect(info.users == 8)
        let users = try await client.users()
        #expect(users.map(\.name).contains("欧阳晓明"))
        let progress = ProgressLog()
        let records = try await client.attendance { done, total in progress.add(done, total) }
        #expect(records == fixture.simulator.state.records)
        #expect(progress.last?.0 == 800_000 && progress.last?.1 == 800_000)  // the records' bytes
        #expect(fixture.simulator.isEnabled)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func commKeyIsAnsweredAndAWrongOneRefused() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 10, configuration: .init(commKey: 123_456))
        let good = fixture.client(commKey: 123_456)
        try await good.connect()
        #expect(try await good.attendance().count == 10)
        await good.disconnect()
        let bad = fixture.client(commKey: 654_321)
        await #expect(throws: ZKClientError.unauthorized(device: "test-terminal")) { try await bad.connect() }
        try await fixture.simulator.stop()
    }

    @Test func dataSplitIntoSmallPacketsArrivesWhole() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 5_000)
        fixture.simulator.setFaults(.init(dataPacketSize: 1008))
        let client = fixture.client()
        try await client.connect()
        #expect(try await client.attendance() == fixture.simulator.state.records)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func connectionDroppedMidChunkIsATypedErrorAndTheTerminalIsReenabled() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 10_000)  // 400 KB: 7 chunks
        fixture.simulator.setFaults(.init(dropConnectionAfterChunks: 3))
        let client = fixture.client()
        try await client.connect()
        do {
            _ = try await client.attendance()
            Issue.record("a download cut mid-chunk returned data")
        } catch {
            guard case .connectionLost = error else { Issue.record("expected connectionLost, got \(error)"); return }
        }
        // The client reconnected to re-enable the terminal; staff are not locked out.
        try await fixture.simulator.waitUntil("the terminal is enabled again", timeout: .seconds(10)) { $0.isEnabled }
        try await fixture.simulator.stop()
    }

    @Test func aStalledTerminalTimesOutWithinTheConfiguredTimeout() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 100)
        let client = fixture.client(timeout: .seconds(2))
        try await client.connect()
        fixture.simulator.setFaults(.init(stall: true))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ZKClientError.self) { try await client.time() }
        // The configured 2 s, not the 5 s default: the error names it. The time bound only says "no hang".
        #expect(error?.description.contains("within 2.0 s") == true, "\(String(describing: error))")
        #expect(clock.now - started < .seconds(20))
        try await fixture.simulator.stop()
    }

    @Test func garbageIsAProtocolViolationNotACrash() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 100)
        let client = fixture.client(timeout: .seconds(2))
        try await client.connect()
        fixture.simulator.setFaults(.init(garbageReplies: true))
        do {
            _ = try await client.time()
            Issue.record("garbage accepted")
        } catch {
            switch error {
            case .protocolViolation, .connectionLost, .timedOut: break
            default: Issue.record("unexpected \(error)")
            }
        }
        try await fixture.simulator.stop()
    }

    @Test func cancellationMidDownloadStillReenablesTheTerminal() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 60_000)
        fixture.simulator.setFaults(.init(dataPacketSize: 512))
        let client = fixture.client()
        try await client.connect()
        let download = Task { try await client.attendance() }
        try await fixture.simulator.waitUntil("the first chunk is served") { $0.counters.readBufferChunksServed >= 1 }
        download.cancel()
        _ = await download.result
        try await fixture.simulator.waitUntil("the terminal is enabled again", timeout: .seconds(10)) { $0.isEnabled }
        try await fixture.simulator.stop()
    }

    @Test func timeIsReadAndSet() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 0)
        let client = fixture.client()
        try await client.connect()
        let before = try await client.time()
        #expect(before == fixture.simulator.state.terminalTime)
        let target = ZKLocalTime(year: 2026, month: 2, day: 14, hour: 8, minute: 30, second: 0)
        try await client.setTime(target)
        #expect(try await client.time() == target)
        await client.disconnect()
        try await fixture.simulator.stop()
    }

    @Test func liveEventsArriveAndAreAcknowledged() async throws {
        let fixture = try await SimulatedTerminalFixture(records: 0)
        let client = fixture.client()
        try await client.connect()
        let (events, continuation) = AsyncStream<ZKLiveAttendance>.makeStream()
        let watching = Task { try await client.watchAttendance { continuation.yield($0) } }
        try await fixture.simulator.waitUntil("the client registers for events") { $0.state.attendanceEventSessions == 1 }
        fixture.simulator.punch(userID: "3", verifyType: 1, state: 0)
        fixture.simulator.punch(userID: "5", verifyType: 15, state: 1)
        var received: [ZKLiveAttendance] = []
        for await event in events {
            received.append(event)
            if received.count == 2 { break }
        }
        #expect(received.map(\.userID) == ["3", "5"])
        #expect(received.last?.verifyType == 15)
        try await fixture.simulator.waitUntil("both events acknowledged") { $0.counters.liveEventsAcknowledged == 2 }
        watching.cancel()
        _ = await watching.result
        try await fixture.simulator.stop()
    }

    @Test func usersAndTemplatesAreRestoredOntoAnEmptyTerminal() async throws {
        let templates = (1...8).map { ZKFingerprintTemplate(uid: UInt16($0), fingerIndex: 6, template: Array(repeating: UInt8($0), count: 700)) }
        let source = try await SimulatedTerminalFixture(records: 0, templates: templates)
        let reader = source.client()
        try await reader.connect()
        let users = try await reader.users()
        let saved = try await reader.templates()
        #expect(saved == templates)
        await reader.disconnect()

        let blank = ZKTerminalSimulator(users: [], clock: ManualClock(Date()))
        let ports = try await blank.start()
        let writer = ZKClient(.init(endpoint: ZKEndpoint(host: "127.0.0.1", port: ports.tcp), deviceName: "replacement"))
        try await writer.connect()
        try await writer.restore(users: users, layout: .zk8, templates: saved)
        let sizes = try await writer.freeSizes()
        #expect(sizes.users == 8 && sizes.fingers == 8)
        #expect(try await writer.users().map(\.name) == users.map(\.name))
        #expect(try await writer.templates() == templates)
        await writer.disconnect()
        try await blank.stop()
        try await source.simulator.stop()
    }

    @Test func unreachableTerminalIsReported() async throws {
        let client = ZKClient(.init(endpoint: ZKEndpoint(host: "127.0.0.1", port: 1), deviceName: "nowhere"))
        do {
            try await client.connect()
            Issue.record("connected to nothing")
        } catch {
            guard case .unreachable = error else { Issue.record("expected unreachable, got \(error)"); return }
            #expect(error.isRetryable)
        }
    }
}

/// Collects progress calls.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(Int, Int)] = []
    func add(_ done: Int, _ total: Int) { lock.withLock { calls.append((done, total)) } }
    var last: (Int, Int)? { lock.withLock { calls.last } }
}
