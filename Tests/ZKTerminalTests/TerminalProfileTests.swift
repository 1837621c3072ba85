// The terminal model files (drivers/terminals): the shipped ones load; inheritance; located errors.
import CounterCore
import Foundation
import Testing
import ZKTerminal

@Suite struct TerminalProfileTests {
    static let drivers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("drivers/terminals").path

    @Test("the shipped profiles load; a model inherits its family's protocol and algorithm")
    func shipped() throws {
        let profiles = Dictionary(uniqueKeysWithValues: try TerminalProfiles.load(directory: Self.drivers).map { ($0.id, $0) })
        let generic = try #require(profiles[TerminalProfile.genericPull])
        let push = try #require(profiles[TerminalProfile.genericPush])
        #expect(generic.terminalProtocol == .pull && push.terminalProtocol == .push)
        let k40 = try #require(profiles["zk-k40"])
        #expect(k40.terminalProtocol == .pull && k40.fingerprintVersion == 10 && k40.users == 1000)
        #expect(k40.agrees(with: .pullTerminal(TerminalEndpoint(host: "10.0.0.5"))))
        #expect(!k40.agrees(with: .pushTerminal(serial: "SN1")))
        #expect(k40.capacityProblem(users: 1200, fingerprints: 900)?.contains("more than ZKTeco K40 holds") == true)
        #expect(k40.capacityProblem(users: 800, fingerprints: 900) == nil)
        #expect(profiles["simulated-zk-push"]?.terminalProtocol == .push)
    }

    @Test("a broken file is refused with its file, line and key")
    func errors() {
        do {
            _ = try TerminalProfiles.parse(files: [
                ("t/good.toml", "name = \"Good\"\nprotocol = \"pull\"\nusers = 10\nfingerprints = 10\nrecords = 10\n"),
                ("t/bad.toml", "name = \"Bad\"\nprotocol = \"carrier-pigeon\"\nusers = 10\nfingerprints = 10\nrecords = 10\nfingerprint_version = 7\n"),
            ])
            Issue.record("a broken profile was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("t/bad.toml:2") && text.contains("carrier-pigeon"), "\(text)")
            #expect(text.contains("t/bad.toml:6") && text.contains("expected 9 or 10"), "\(text)")
        }
    }
}
