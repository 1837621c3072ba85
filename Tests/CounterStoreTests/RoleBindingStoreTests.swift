// Role bindings in the store: ops bindings survive the configuration, every binding is audited, candidates and
// proposals, terminal backups kept per role.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite("Role bindings: config vs ops precedence, audit, candidates")
struct RoleBindingStoreTests {
    static let t0 = StoreFixture.march2

    typealias Configured = (id: String, identity: DeviceIdentity, role: DeviceRole)

    static func printer(_ id: String, role: String = "window-1-printer", address: String) -> Configured {
        (id, DeviceIdentity(kind: .printer, profile: "xprinter-xp80", serialNumber: nil, address: address), DeviceRole(name: role, kind: .printer, windows: [1]))
    }

    static let terminal: Configured = ("t1", DeviceIdentity(kind: .terminal, profile: "zk-generic", serialNumber: nil, address: "tcp://10.0.0.20:4370"),
                                       DeviceRole(name: "entrance-terminal", kind: .terminal, windows: [1, 2]))

    static func candidate(_ id: String, key: String, kind: DeviceKind = .printer, address: String) -> DeviceSighting {
        DeviceSighting(suggestedID: id, identityKey: key, identity: DeviceIdentity(kind: kind, profile: "xprinter-xp80", serialNumber: nil, address: address))
    }

    @Test("the configuration binds its roles at every start, but never overrides a binding ops made")
    func opsBindingSurvivesConfiguration() async throws {
        let f = try StoreFixture()
        let p1 = Self.printer("p1", address: "tcp://10.0.3.7:9100")
        #expect(try await f.store.syncConfiguredDevices([p1, Self.terminal], at: Self.t0).isEmpty)
        #expect(try await f.store.roleBinding("window-1-printer")?.deviceID == "p1")
        #expect(try await f.store.roleBinding("window-1-printer")?.boundBy == "config")

        _ = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [Self.candidate("xprinter-xp80-A1B2", key: "xprinter-xp80#serial=A1B2",
                                                                                       address: "usb:0416:5011?serial=A1B2")]), at: Self.t0)
        let rebinding = try await f.store.bindRole("window-1-printer", to: "xprinter-xp80-A1B2", actor: "ops:wang", at: Self.t0.addingTimeInterval(60))
        #expect(rebinding.changed && rebinding.previous?.id == "p1" && rebinding.device.id == "xprinter-xp80-A1B2")

        // The gateway restarts with the old configuration: the ops binding stands, and says so.
        let kept = try await f.store.syncConfiguredDevices([p1, Self.terminal], at: Self.t0.addingTimeInterval(120))
        #expect(kept.map(\.role) == ["window-1-printer"])
        #expect(kept.first?.boundDevice == "xprinter-xp80-A1B2" && kept.first?.configuredDevice == "p1")
        #expect(kept.first?.description.contains("countergate devices replace window-1-printer --with p1") == true)
        let binding = try #require(try await f.store.roleBinding("window-1-printer"))
        #expect(binding.deviceID == "xprinter-xp80-A1B2" && binding.boundBy == "ops:wang")
        #expect(try await f.store.roleBinding("entrance-terminal")?.deviceID == "t1", "roles ops did not touch stay with the configuration")

        // Binding the configured device again hands the role back to the configuration...
        let back = try await f.store.bindRole("window-1-printer", to: "p1", actor: "ops:wang", boundBy: "config", at: Self.t0.addingTimeInterval(180))
        #expect(back.boundBy == "config")
        // ...which then rebinds it when it names another device.
        let p9 = Self.printer("p9", address: "tcp://10.0.3.9:9100")
        #expect(try await f.store.syncConfiguredDevices([p9, Self.terminal], at: Self.t0.addingTimeInterval(240)).isEmpty)
        #expect(try await f.store.roleBinding("window-1-printer")?.deviceID == "p9")
        #expect(try await f.store.verifyAudit() == .intact(entries: try await f.store.auditEntries(limit: 1000).count))
    }

    @Test("a rebinding is audited with the actor and the old and new device; an unchanged one is not")
    func rebindingAudited() async throws {
        let f = try StoreFixture()
        try await f.store.syncConfiguredDevices([Self.printer("p1", address: "tcp://10.0.3.7:9100")], at: Self.t0)
        _ = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [Self.candidate("xprinter-xp80-A1B2", key: "k", address: "usb:0416:5011?serial=A1B2")]), at: Self.t0)
        _ = try await f.store.bindRole("window-1-printer", to: "xprinter-xp80-A1B2", actor: "ops:wang", at: Self.t0)
        let again = try await f.store.bindRole("window-1-printer", to: "xprinter-xp80-A1B2", actor: "ops:wang", at: Self.t0)
        #expect(!again.changed)
        let entries = try await f.store.auditEntries(limit: 100).filter { $0.action == "role.rebound" }
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.actor == "ops:wang" && entry.subject == "window-1-printer")
        #expect(entry.detail.contains("from p1 (xprinter-xp80 at tcp://10.0.3.7:9100)"))
        #expect(entry.detail.contains("to xprinter-xp80-A1B2 (xprinter-xp80 at usb:0416:5011?serial=A1B2)"))
        // The configuration's first binding is in the log too.
        #expect(try await f.store.auditEntries(limit: 100).contains { $0.action == "role.bound" && $0.actor == "config" && $0.subject == "window-1-printer" })
    }

    @Test("bindings that cannot be made are refused and change nothing")
    func refusals() async throws {
        let f = try StoreFixture()
        try await f.store.syncConfiguredDevices([Self.printer("p1", address: "tcp://10.0.3.7:9100"), Self.printer("p2", role: "window-2-printer", address: "tcp://10.0.3.8:9100"),
                                                 Self.terminal], at: Self.t0)
        let before = try await f.store.auditEntries(limit: 1000).count
        await #expect(throws: DeviceBindingError.kindMismatch(role: "entrance-terminal", roleKind: .terminal, device: "p1", deviceKind: .printer)) {
            try await f.store.bindRole("entrance-terminal", to: "p1", actor: "ops:wang", at: Self.t0)
        }
        await #expect(throws: DeviceBindingError.servesAnotherRole(device: "p2", role: "window-2-printer")) {
            try await f.store.bindRole("window-1-printer", to: "p2", actor: "ops:wang", at: Self.t0)
        }
        await #expect(throws: DeviceBindingError.unknownDevice("nothing")) {
            try await f.store.bindRole("window-1-printer", to: "nothing", actor: "ops:wang", at: Self.t0)
        }
        do {
            _ = try await f.store.bindRole("window-9-printer", to: "p1", actor: "ops:wang", at: Self.t0)
            Issue.record("an unknown role was bound")
        } catch let error as DeviceBindingError {
            #expect(error.description.contains("roles: entrance-terminal, window-1-printer, window-2-printer"))
        }
        #expect(try await f.store.roleBinding("window-1-printer")?.deviceID == "p1")
        #expect(try await f.store.auditEntries(limit: 1000).count == before)
    }

    @Test("rebinding a printer role makes its waiting jobs due at once, with their failover clock restarted")
    func waitingJobsMadeDue() async throws {
        let f = try StoreFixture()
        try await f.store.syncConfiguredDevices([Self.printer("p1", address: "tcp://10.0.3.7:9100")], at: Self.t0)
        let job = try await f.store.enqueuePrintJob(idempotencyKey: "k1", printerRole: "window-1-printer", noticeID: nil, copies: 1, at: Self.t0, kind: .test)
        let taken = try #require(try await f.store.takeNextPrintJob(roles: ["window-1-printer"], at: Self.t0))
        #expect(taken.id == job.id)
        try await f.store.markWaiting(job: job.id, reason: "unreachable", retryAt: Self.t0.addingTimeInterval(60), at: Self.t0)
        #expect(try await f.store.takeNextPrintJob(roles: ["window-1-printer"], at: Self.t0.addingTimeInterval(5)) == nil, "still waiting out its retry")
        _ = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [Self.candidate("new", key: "k", address: "tcp://10.0.3.9:9100")]), at: Self.t0)
        let rebinding = try await f.store.bindRole("window-1-printer", to: "new", actor: "ops:wang", at: Self.t0.addingTimeInterval(5))
        #expect(rebinding.waitingJobs == 1)
        let due = try #require(try await f.store.takeNextPrintJob(roles: ["window-1-printer"], at: Self.t0.addingTimeInterval(5)))
        #expect(due.id == job.id && due.waitingSince == nil)
        #expect(try await f.store.auditEntries(limit: 10).first { $0.action == "role.rebound" }?.detail.contains("1 waiting print job(s) re-routed") == true)
    }

    @Test("discovery: a new device is a candidate with first and last seen; gone, it is absent; back, it is present again")
    func candidates() async throws {
        let f = try StoreFixture()
        try await f.store.syncConfiguredDevices([Self.printer("p1", address: "tcp://10.0.3.7:9100")], at: Self.t0)
        let seen = Self.candidate("xprinter-xp80-A1B2", key: "xprinter-xp80#serial=A1B2", address: "usb:0416:5011?serial=A1B2")
        let first = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [seen]), at: Self.t0)
        #expect(first.added == ["xprinter-xp80-A1B2"])
        var candidates = try await f.store.deviceCandidates()
        #expect(candidates.map(\.id) == ["xprinter-xp80-A1B2"], "the configured printer is no candidate")
        #expect(candidates.first?.origin == .discovered && candidates.first?.presence == .present)

        let later = Self.t0.addingTimeInterval(30)
        _ = try await f.store.applyDiscovery(DiscoveryUpdate(seen: [.init(id: "xprinter-xp80-A1B2", address: "usb:0416:5011?serial=A1B2")]), at: later)
        candidates = try await f.store.deviceCandidates()
        #expect(candidates.first?.firstSeen == Self.t0 && candidates.first?.lastSeen == later)

        let gone = try await f.store.applyDiscovery(DiscoveryUpdate(missing: ["xprinter-xp80-A1B2", "p1"]), at: later)
        #expect(gone.gone == ["xprinter-xp80-A1B2"], "a configured device is never marked by discovery")
        #expect(try await f.store.deviceCandidates().isEmpty)
        #expect(try await f.store.deviceCandidates(includingAbsent: true).first?.presence == .absent)

        let back = try await f.store.applyDiscovery(DiscoveryUpdate(seen: [.init(id: "xprinter-xp80-A1B2", address: "usb:0416:5011?serial=A1B2")]), at: later)
        #expect(back.returned == ["xprinter-xp80-A1B2"])
        // The same identity appearing again (another scanner's pass) is the same row, and a clashing id gets a suffix.
        let again = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [seen, Self.candidate("xprinter-xp80-A1B2", key: "other", address: "usb:1-1.9")]), at: later)
        #expect(again.added == ["xprinter-xp80-A1B2-2"])
    }

    @Test("a proposal is stored and audited once, shown on the candidate, and cleared when no longer made")
    func proposals() async throws {
        let f = try StoreFixture()
        try await f.store.syncConfiguredDevices([Self.printer("p1", address: "tcp://10.0.3.7:9100")], at: Self.t0)
        _ = try await f.store.applyDiscovery(DiscoveryUpdate(appeared: [Self.candidate("c1", key: "k", address: "usb:1-1.2")]), at: Self.t0)
        #expect(try await f.store.setProposals(["window-1-printer": "c1"], at: Self.t0).map(\.device) == ["c1"])
        #expect(try await f.store.setProposals(["window-1-printer": "c1"], at: Self.t0).isEmpty, "made once")
        #expect(try await f.store.deviceCandidates().first?.proposedFor == "window-1-printer")
        #expect(try await f.store.auditEntries(limit: 100).filter { $0.action == "device.proposed" }.count == 1)
        try await f.store.setProposals([:], at: Self.t0)
        #expect(try await f.store.deviceCandidates().first?.proposedFor == nil)
        // Binding the role clears its proposal too.
        try await f.store.setProposals(["window-1-printer": "c1"], at: Self.t0)
        _ = try await f.store.bindRole("window-1-printer", to: "c1", actor: "ops:wang", at: Self.t0)
        #expect(try await f.store.knownDevice(id: "c1")?.proposedFor == nil)
    }

    @Test("terminal backups: the newest is found, only the last few per role are kept, each is audited")
    func terminalBackups() async throws {
        let f = try StoreFixture()
        for n in 1...4 {
            try await f.store.saveTerminalBackup(NewTerminalBackup(role: "entrance-terminal", deviceID: "t1", serialNumber: "S1", firmware: "Ver 6.60",
                                                                   takenBy: "gateway", userCount: n, templateCount: 2 * n, payload: Data("payload \(n)".utf8)),
                                                 keep: 3, at: Self.t0.addingTimeInterval(Double(n) * 3600))
        }
        try await f.store.saveTerminalBackup(NewTerminalBackup(role: "hall-terminal", deviceID: "t2", serialNumber: "S2", firmware: "", takenBy: "ops:wang",
                                                               userCount: 9, templateCount: 9, payload: Data()), keep: 3, at: Self.t0)
        let kept = try await f.store.terminalBackups(role: "entrance-terminal")
        #expect(kept.map(\.userCount) == [4, 3, 2])
        #expect(kept.allSatisfy { $0.payload.isEmpty }, "listings leave the payload out")
        let newest = try #require(try await f.store.latestTerminalBackup(role: "entrance-terminal"))
        #expect(newest.userCount == 4 && newest.templateCount == 8 && newest.payload == Data("payload 4".utf8))
        #expect(try await f.store.terminalBackups(role: "hall-terminal").count == 1)
        #expect(try await f.store.auditEntries(limit: 100).filter { $0.action == "terminal.backup" }.count == 5)
    }
}
