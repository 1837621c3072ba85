// A failed terminal replaced by a new, empty one: the gateway's backup restored onto it, counts read back and equal,
// the binding audited, and the role's sync reading the new terminal.
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

@Suite("Replacement: a failed terminal replaced, users and templates restored", .serialized, .timeLimit(.minutes(2)))
struct TerminalReplacementTests {
    static let now = Date(timeIntervalSince1970: 1_772_413_200)

    /// Two fingers for most users, deterministic bytes of realistic sizes.
    static func templates(for users: [ZKUser]) -> [ZKFingerprintTemplate] {
        users.flatMap { user -> [ZKFingerprintTemplate] in
            let fingers: [UInt8] = user.uid % 3 == 0 ? [6] : [6, 1]
            return fingers.map { finger in
                let size = 480 + Int(user.uid) * 97 + Int(finger) * 13
                return ZKFingerprintTemplate(uid: user.uid, fingerIndex: finger, template: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(user.uid)) })
            }
        }
    }

    struct Fixture {
        let old: ZKTerminalSimulator
        let new: ZKTerminalSimulator
        let oldPort: Int
        let newPort: Int
        let config: HallConfiguration
        let store: HallStore
        let users = ZKTerminalSimulator.demoUsers()

        init(newUsers: [ZKUser] = [], newFingerprintVersion: Int = 10) async throws {
            let clock = ManualClock(TerminalReplacementTests.now)
            old = ZKTerminalSimulator(configuration: .init(serialNumber: "OLD0000001"), users: users,
                                      templates: TerminalReplacementTests.templates(for: users), clock: clock)
            var newConfiguration = ZKTerminalSimulator.Configuration(serialNumber: "NEW0000002")
            newConfiguration.fingerprintVersion = newFingerprintVersion
            new = ZKTerminalSimulator(configuration: newConfiguration, users: newUsers, clock: clock)
            oldPort = try await old.start().tcp
            newPort = try await new.start().tcp
            var config = try HallConfiguration.defaults()
            config.store.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-replace-terminal-\(UUID().uuidString)").path
            config.attendance.replyTimeoutSeconds = 2
            config.attendance.pullIntervalSeconds = 3600
            config.devices = [try HallConfiguration.Device(id: "t1", kind: .terminal, role: "entrance-terminal", profile: "zk-generic",
                                                       address: "tcp://127.0.0.1:\(oldPort)", serialNumber: nil, windows: [1, 2, 3])]
            self.config = config
            store = try GatewayRuntime.openStore(config)
            try await GatewayRuntime.syncConfiguration(config, store: store, clock: SystemClock())
        }

        var replacement: DeviceReplacement {
            DeviceReplacement(config: config, store: store, clock: SystemClock(), logger: Logger(label: "test"))
        }

        func stop() async {
            try? await old.stop()
            try? await new.stop()
        }
    }

    @Test("users and templates of the latest backup are restored to the new empty terminal; counts read back equal; audited")
    func restoredToTheNewTerminal() async throws {
        let f = try await Fixture()
        let backup = try await TerminalBackupService(config: f.config, store: f.store, bindings: nil, clock: SystemClock(), logger: Logger(label: "test"))
            .backUp("entrance-terminal")
        let expectedTemplates = Self.templates(for: f.users)
        #expect(backup.userCount == f.users.count && backup.templateCount == expectedTemplates.count)
        #expect(backup.serialNumber == "OLD0000001" && backup.deviceID == "t1")

        // The old terminal dies.
        try await f.old.stop()

        let lines = Mutex<[String]>([])
        let report = try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)", options: .init(actor: "ops:test"),
                                                     say: { line in lines.withLock { $0.append(line) } })
        #expect(report.problem == nil)
        let restore = try #require(report.restore)
        #expect(restore.countsMatch)
        #expect(restore.terminalUsers == f.users.count && restore.terminalTemplates == expectedTemplates.count)
        // The new terminal holds exactly what the old one held.
        let state = f.new.state
        #expect(Set(state.users.map(\.userID)) == Set(f.users.map(\.userID)))
        #expect(Set(state.users.map(\.name)) == Set(f.users.map(\.name)))
        #expect(Set(state.templates) == Set(expectedTemplates))
        // Progress was printed, up to the end.
        let said = lines.withLock { $0 }
        #expect(said.contains { $0.contains("serial NEW0000002") })
        #expect(said.contains { $0.hasPrefix("restoring: 100%") }, "\(said)")
        #expect(said.contains { $0.contains("verified") })

        #expect(report.rebinding.device.id == "terminal-NEW0000002")
        #expect(report.rebinding.device.identity.serialNumber == "NEW0000002")
        #expect(try await f.store.roleBinding("entrance-terminal")?.deviceID == "terminal-NEW0000002")
        let audit = try await f.store.auditEntries(limit: 50)
        let rebound = try #require(audit.first { $0.action == "role.rebound" })
        #expect(rebound.actor == "ops:test" && rebound.detail.contains("from t1 (zk-generic at tcp://127.0.0.1:\(f.oldPort))")
                && rebound.detail.contains("to terminal-NEW0000002"))
        let restored = try #require(audit.first { $0.action == "terminal.restored" })
        #expect(restored.detail.contains("read back \(f.users.count) users, \(expectedTemplates.count) templates"))
        #expect(try await f.store.verifyAudit() == .intact(entries: try await f.store.auditEntries(limit: 10_000).count))
        await f.stop()
    }

    @Test("a new terminal that already holds other users: the mismatch is an error saying what to do, and the binding is kept")
    func countMismatchKeepsTheBinding() async throws {
        let stranger = ZKUser(uid: 40, privilege: 0, name: "路人甲", card: 0, userID: "40")
        let f = try await Fixture(newUsers: [stranger])
        _ = try await TerminalBackupService(config: f.config, store: f.store, bindings: nil, clock: SystemClock(), logger: Logger(label: "test"))
            .backUp("entrance-terminal")
        let report = try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)", options: .init(actor: "ops:test"))
        let restore = try #require(report.restore)
        #expect(!restore.countsMatch && restore.terminalUsers == f.users.count + 1)
        let problem = try #require(report.problem)
        #expect(problem.contains("holds \(f.users.count + 1) users") && problem.contains("run this command again"))
        #expect(try await f.store.roleBinding("entrance-terminal")?.deviceID == report.rebinding.device.id)
        await f.stop()
    }

    @Test("templates of ZKFinger 10 are refused onto a ZKFinger 9 terminal, with the reason and --users-only; nothing written or bound")
    func otherFingerprintVersionRefused() async throws {
        let f = try await Fixture(newFingerprintVersion: 9)
        let backup = try await TerminalBackupService(config: f.config, store: f.store, bindings: nil, clock: SystemClock(), logger: Logger(label: "test"))
            .backUp("entrance-terminal")
        #expect(TerminalBackups.fingerprintVersion(of: try #require(try await f.store.latestTerminalBackup(role: "entrance-terminal"))) == 10)
        let error = await #expect(throws: ReplacementError.self) {
            try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)", options: .init(actor: "ops:test"))
        }
        let reason = try #require(error?.description)
        #expect(reason.contains("ZKFinger 10") && reason.contains("ZKFinger 9") && reason.contains("--users-only"), "\(reason)")
        #expect(f.new.state.users.isEmpty && f.new.state.templates.isEmpty)
        #expect(try await f.store.roleBinding("entrance-terminal")?.deviceID == "t1")

        // With --users-only the users go on, without their fingers.
        let report = try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)",
                                                     options: .init(actor: "ops:test", usersOnly: true))
        #expect(report.problem == nil)
        #expect(f.new.state.users.count == backup.userCount && f.new.state.templates.isEmpty)
        await f.stop()
    }

    @Test("without a backup the replacement is refused before anything changes, and says how to get one")
    func noBackupRefused() async throws {
        let f = try await Fixture()
        do {
            _ = try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)", options: .init(actor: "ops:test"))
            Issue.record("replaced without a backup")
        } catch let error as ReplacementError {
            #expect(error.description.contains("countergate devices backup entrance-terminal") && error.description.contains("--no-restore"))
        }
        #expect(try await f.store.roleBinding("entrance-terminal")?.deviceID == "t1")
        #expect(f.new.state.users.isEmpty)
        // A printer is no terminal: the kinds must match.
        await #expect(throws: DeviceBindingError.self) {
            _ = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [DeviceSighting(
                suggestedID: "xprinter-xp80-A1B2", identityKey: "k",
                identity: DeviceIdentity(kind: .printer, profile: "xprinter-xp80", serialNumber: "A1B2", address: "usb:0416:5011?serial=A1B2"))]), at: Date())
            _ = try await f.replacement.replace(role: "entrance-terminal", with: "xprinter-xp80-A1B2", options: .init(actor: "ops:test", restore: false))
        }
        await f.stop()
    }

    @Test("the role's sync follows the rebinding: it reads the new terminal once ops bound it")
    func syncFollowsTheBinding() async throws {
        let f = try await Fixture()
        let logger = Logger(label: "test")
        let (events, continuation) = AsyncStream<TerminalSyncEvent>.makeStream()
        let sync = try TerminalSync(device: f.config.devices[0], settings: f.config.attendance, store: f.store, clock: SystemClock(), logger: logger,
                                    observer: { continuation.yield($0) })
        let devices = try await DeviceServices.start(config: f.config, store: f.store, clock: SystemClock(), logger: logger)
        let watcher = BindingWatcher(store: f.store, bindings: devices.bindings, doorbell: nil, logger: logger)
        let watching = Task { await watcher.run() }
        let following = Task { await sync.runFollowing(devices.bindings) }
        var iterator = events.makeAsyncIterator()
        var first: TerminalPullReport?
        while first == nil, let event = await iterator.next() { if case .pulled(let report) = event { first = report } }
        #expect(first?.serialNumber == "OLD0000001")

        try await f.old.stop()
        _ = try await f.replacement.replace(role: "entrance-terminal", with: "tcp://127.0.0.1:\(f.newPort)",
                                            options: .init(actor: "ops:test", restore: false))
        var next: TerminalPullReport?
        while next == nil, let event = await iterator.next() {
            if case .pulled(let report) = event, report.serialNumber == "NEW0000002" { next = report }
        }
        #expect(next?.device == "terminal-NEW0000002")
        following.cancel()
        watching.cancel()
        await following.value
        await watching.value
        await f.stop()
    }
}
