// Discovery against the store with a fake scan: candidates appear and go, the one fitting candidate is proposed for
// a failed role (once), and the rescan timer finds a device with no hot-plug event at all.
import CounterConfig
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import Logging
import Synchronization
import Testing
@testable import DeviceKit
@testable import Gateway

/// A scan whose result the test sets.
final class FakeScanner: HardwareScanner {
    private let current: Mutex<HardwareScan>

    init(_ scan: HardwareScan = HardwareScan()) { current = Mutex(scan) }

    func set(_ scan: HardwareScan) { current.withLock { $0 = scan } }
    func scan() async -> HardwareScan { current.withLock { $0 } }
}

@Suite("Discovery: candidates and proposals in the store", .serialized, .timeLimit(.minutes(1)))
struct DeviceDiscoveryTests {
    static let catalog = DeviceCatalog(models: [
        .init(profile: "xprinter-xp80", kind: .printer, attachment: .usb, usbIDs: [USBProductID("0416:5011")!]),
    ])

    static func printer(port: String, serial: String?) -> USBDeviceSighting {
        USBDeviceSighting(summary: USBDeviceSummary(vendorID: 0x0416, productID: 0x5011, bus: 1, portPath: port, deviceClass: 0, interfaceClasses: [7]),
                          serialNumber: serial)
    }

    struct Fixture {
        let store: HallStore
        let scanner = FakeScanner()
        let discovery: DeviceDiscovery

        init() async throws {
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-discovery-\(UUID().uuidString)").path
            config.devices = [try HallConfiguration.Device(id: "p1", kind: .printer, role: "window-1-printer", profile: "xprinter-xp80",
                                                       address: "usb:0416:5011?serial=A1B2", serialNumber: nil, windows: [1])]
            store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: SystemClock())
            discovery = DeviceDiscovery(store: store, catalog: DeviceDiscoveryTests.catalog, scanner: scanner, clock: SystemClock(),
                                        logger: Logger(label: "test"))
        }
    }

    @Test("a plugged-in printer bound to no role is a candidate; the configured one is not; unplugged, it is absent")
    func candidatesComeAndGo() async throws {
        let f = try await Fixture()
        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.2", serial: "A1B2"), Self.printer(port: "1-1.3", serial: "C3D4")]))
        let first = try await f.discovery.pass()
        #expect(first.changes.added == ["xprinter-xp80-C3D4"])
        let candidate = try #require(try await f.store.deviceCandidates().first)
        #expect(candidate.id == "xprinter-xp80-C3D4" && candidate.identity.address == "usb:0416:5011?serial=C3D4")
        #expect(candidate.identity.serialNumber == "C3D4" && candidate.identityKey == "xprinter-xp80#serial=C3D4")
        #expect(try await f.store.deviceCandidates().count == 1)

        // Moved to another port: the same candidate, at its new port.
        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.2", serial: "A1B2"), Self.printer(port: "1-1.6", serial: "C3D4")]))
        #expect(try await f.discovery.pass().changes.isEmpty)
        #expect(try await f.store.deviceCandidates().map(\.id) == ["xprinter-xp80-C3D4"])

        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.2", serial: "A1B2")]))
        #expect(try await f.discovery.pass().changes.gone == ["xprinter-xp80-C3D4"])
        #expect(try await f.store.deviceCandidates().isEmpty)
        #expect(try await f.store.deviceCandidates(includingAbsent: true).first?.presence == .absent)
    }

    @Test("when the role's printer is offline and exactly one printer candidate is present, it is proposed once; binding stays with ops")
    func proposalForFailedRole() async throws {
        let f = try await Fixture()
        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.3", serial: "C3D4")]))
        #expect(try await f.discovery.pass().proposed.isEmpty, "the role's printer is not offline")
        // The health checks find the configured printer offline.
        try await f.store.recordDeviceState(id: "p1", power: .offline, reason: "unplugged", at: Date())
        let proposed = try await f.discovery.pass().proposed
        #expect(proposed.map(\.role) == ["window-1-printer"] && proposed.map(\.device) == ["xprinter-xp80-C3D4"])
        #expect(try await f.discovery.pass().proposed.isEmpty, "proposed once, not at every scan")
        #expect(try await f.store.deviceCandidates().first?.proposedFor == "window-1-printer")
        #expect(try await f.store.roleBinding("window-1-printer")?.deviceID == "p1", "proposing binds nothing")
        #expect(try await f.store.auditEntries(limit: 50).filter { $0.action == "device.proposed" }.count == 1)

        // A second candidate appears: no longer exactly one, so the proposal goes.
        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.3", serial: "C3D4"), Self.printer(port: "1-1.4", serial: "E5F6")]))
        _ = try await f.discovery.pass()
        #expect(try await f.store.deviceCandidates().allSatisfy { $0.proposedFor == nil })
    }

    @Test("the rescan timer finds a device plugged in while no hot-plug event comes (a container)")
    func rescanWithoutEvents() async throws {
        let f = try await Fixture()
        let (reports, continuation) = AsyncStream<DiscoveryPassReport>.makeStream()
        let service = DeviceDiscoveryService(discovery: f.discovery, rescanInterval: .milliseconds(200), hotplug: false,
                                             observer: { continuation.yield($0) })
        let running = Task { await service.runPasses() }
        var iterator = reports.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first.changes.isEmpty)
        f.scanner.set(HardwareScan(usb: [Self.printer(port: "1-1.3", serial: "C3D4")]))
        var added: [String] = []
        while added.isEmpty, let report = await iterator.next() { added = report.changes.added }
        #expect(added == ["xprinter-xp80-C3D4"])
        running.cancel()
        await running.value
    }
}
