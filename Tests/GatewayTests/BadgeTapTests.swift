// Badge taps from a simulated serial reader (a pty) into the store, with their meaning.
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Simulators
import Synchronization
import Testing
@testable import Gateway

/// Everything the badge side reported, waited on with a timeout (a broken reader path fails the test, never hangs it).
final class ActivityLog: Sendable {
    private let state = Mutex<(all: [BadgeActivity], waiters: [UUID: AsyncStream<Void>.Continuation])>(([], [:]))

    func record(_ activity: BadgeActivity) {
        let waiters = state.withLock { s in
            s.all.append(activity)
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    var taps: [BadgeTapMeaning] {
        state.withLock { $0.all.compactMap { if case .tap(let e) = $0 { return e.meaning } else { return nil } } }
    }

    /// The sign-ins taps made (刷卡签到), with the owner's name, as the pages' `signin` event carries them.
    var signIns: [(id: Int64, staffID: String, name: String?)] {
        state.withLock { $0.all.compactMap { if case .signedIn(let s, let name) = $0 { return (s.id, s.signIn.staffID, name) } else { return nil } } }
    }

    var connected: Bool { state.withLock { $0.all.contains { if case .readerConnected = $0 { return true } else { return false } } } }

    /// Waits until `condition` holds, at most `timeout`; returns whether it did.
    func wait(timeout: Duration = .seconds(20), until condition: @escaping @Sendable () -> Bool) async -> Bool {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { $0.waiters[id] = continuation }
        defer { state.withLock { _ = $0.waiters.removeValue(forKey: id) } }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                if condition() { return true }
                for await _ in stream where condition() { return true }
                return condition()
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

@Suite(.serialized) struct BadgeTapServiceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func hall(readerPath: String, placement: String) async throws -> (HallConfiguration, HallStore, HallConfiguration.Device) {
        var config = try HallConfiguration.parse(text: """
            [store]
            data_dir = "\(FileManager.default.temporaryDirectory.appendingPathComponent("cg-badge-\(UUID().uuidString)").path)"

            [badges]
            profiles_dir = "\(Self.root.appendingPathComponent("drivers/readers").path)"

            [[device]]
            id = "r1"
            kind = "badge-reader"
            role = "window-1-reader"
            profile = "rdm6300-serial"
            address = "serial:\(readerPath)?baud=9600"
            windows = [1]
            placement = "\(placement)"
            """, file: "test.toml", baseDirectory: "/")
        config.windows = try HallConfiguration.defaults().windows
        let store = try GatewayRuntime.openStore(config)
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: SystemClock())
        try await DemoHall.seedIfEmpty(store: store, config: config, clock: SystemClock())
        return (config, store, config.devices[0])
    }

    @Test func aWindowReaderPutsStaffOnPostAndRecordsUnknownCards() async throws {
        let reader = try SimulatedSerialBadgeReader()
        let (config, store, device) = try await hall(readerPath: reader.path, placement: "window")
        try await store.setCard(CardNumber(12_345_678).canonical, staffID: "D001", actor: "test", at: Date())
        let log = ActivityLog()
        let taps = BadgeTaps(config: config, store: store, clock: SystemClock(), logger: Logger(label: "test"), observer: { log.record($0) })
        let profile = try #require(try BadgeTapService.readers(of: config).first?.1)
        let reading = Task { await taps.read(device, profile: profile) }
        #expect(await log.wait { log.connected })

        try reader.tapWithBadChecksum(CardNumber(12_345_678))   // rejected: never becomes a tap
        try reader.sendNoise()
        try reader.tap(CardNumber(12_345_678))
        #expect(await log.wait { log.taps.count >= 1 })
        #expect(log.taps.first == .onPost(staffID: "D001", window: 1))
        try reader.tap(CardNumber(12_345_678))                  // the same card again at once counts once
        try reader.tap(CardNumber(99))
        #expect(await log.wait { log.taps.count >= 2 })
        // The repeated tap counted once: the second stored tap is the unknown card.
        #expect(log.taps == [.onPost(staffID: "D001", window: 1), .unknownCard("0000000099")])
        reading.cancel()
        await reading.value
        #expect(try await store.unknownCardTaps().map(\.card) == ["0000000099"])
        reader.unplug()
    }

    @Test("a Wiegand 26 reader finds the full card number on file by its low 24 bits; cards it cannot tell apart stay unknown")
    func wiegandReadingOfAFullNumber() async throws {
        let reader = try SimulatedSerialBadgeReader()
        defer { reader.unplug() }
        let (hallConfig, store, device) = try await hall(readerPath: reader.path, placement: "window")
        var config = hallConfig
        config.badges.repeatWindowSeconds = 0  // the same badge twice on purpose
        try await store.setCard(CardNumber(0x1234_5678).canonical, staffID: "D001", actor: "test", at: Date())
        let log = ActivityLog()
        let taps = BadgeTaps(config: config, store: store, clock: SystemClock(), logger: Logger(label: "test"), observer: { log.record($0) })
        await taps.handle(CardNumber(facility: 0x34, card: 0x5678), from: device)
        #expect(log.taps == [.onPost(staffID: "D001", window: 1)])
        // Another person's card with the same low 24 bits: the reader cannot tell them apart.
        try await store.setCard(CardNumber(0xF634_5678).canonical, staffID: "D002", actor: "test", at: Date())
        await taps.handle(CardNumber(facility: 0x34, card: 0x5678), from: device)
        #expect(log.taps.last == .unknownCard(CardNumber(facility: 0x34, card: 0x5678).canonical))
    }

    @Test func anEntranceReaderSignsInDuringFallback() async throws {
        let reader = try SimulatedSerialBadgeReader()
        let (config, store, device) = try await hall(readerPath: reader.path, placement: "entrance")
        try await store.setCard(CardNumber(4242).canonical, staffID: "D002", actor: "test", at: Date())
        var mode = HallAttendanceMode(windowsServed: ["entrance-terminal": [1, 2, 3]], scope: .hall)
        try await store.record(modeTransition: try mode.apply(.terminalDown(role: "entrance-terminal", at: Date(), detail: "test")), actor: "test")
        let log = ActivityLog()
        let taps = BadgeTaps(config: config, store: store, clock: SystemClock(), logger: Logger(label: "test"), observer: { log.record($0) })
        let profile = try #require(try BadgeTapService.readers(of: config).first?.1)
        let reading = Task { await taps.read(device, profile: profile) }
        #expect(await log.wait { log.connected })
        try reader.tap(CardNumber(4242))
        #expect(await log.wait { log.taps.count >= 1 })
        #expect(log.taps == [.signIn(staffID: "D002")])
        reading.cancel()
        await reading.value
        let pending = try await store.pendingSignIns()
        #expect(pending.map(\.signIn.staffID) == ["D002"] && pending.first?.signIn.method == .badge)
        // The duty chief's page hears of it at once (the gateway sends this as a `signin` event).
        let told = log.signIns
        #expect(told.map(\.staffID) == ["D002"])
        #expect(told.first?.id == pending.first?.id)
        #expect(told.first?.name == (try await store.staff(id: "D002"))?.name)
        reader.unplug()
    }
}
