// What the terminal profiles say about the configured terminals: known, unknown (read as generic), or speaking another
// protocol than their address; used by config check, serve and doctor.
import CounterConfig
import CounterCore
import Foundation
import Testing
@testable import Gateway

@Suite struct TerminalModelsTests {
    @Test("a known model agrees, an unknown one is read as generic, a push model at a tcp address is called out")
    func notes() throws {
        var config = try HallConfiguration.defaults()
        config.attendance.profilesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("drivers/terminals").path
        config.devices = [
            try HallConfiguration.Device(id: "k40", kind: .terminal, role: "entrance", profile: "zk-k40", address: "tcp://10.0.0.5:4370", serialNumber: nil, windows: [1]),
            try HallConfiguration.Device(id: "odd", kind: .terminal, role: "side", profile: "acme-9000", address: "push:SN1", serialNumber: nil, windows: [1]),
            try HallConfiguration.Device(id: "slip", kind: .terminal, role: "back", profile: "zk-push", address: "tcp://10.0.0.6:4370", serialNumber: nil, windows: [1]),
        ]
        let notes = TerminalModels.notes(config, profiles: try #require(try TerminalModels.load(config)))
        #expect(notes.map(\.agrees) == [true, false, false])
        #expect(notes[0].text.contains("ZKTeco K40") && notes[0].text.contains("1000 users"))
        #expect(notes[1].text.contains("no profile \"acme-9000\"") && notes[1].fix?.contains("zk-push") == true)
        #expect(notes[2].text.contains("push protocol") && notes[2].fix?.contains("push:SERIAL") == true)
        // The start checks say the same, as warnings: an unknown model does not stop the gateway.
        let startup = try GatewayStartup.check(config)
        #expect(startup.warnings.contains { $0.hasPrefix("terminal odd: no profile") })
        #expect(startup.checked.contains { $0.hasPrefix("terminal k40: ZKTeco K40") })
        // No profile folder at all: the generic facts, no error.
        config.attendance.profilesDirectory = "/nonexistent/drivers/terminals"
        #expect(try TerminalModels.load(config) == nil)
        #expect(TerminalModels.notes(config, profiles: nil).allSatisfy { !$0.agrees && $0.text.contains("no terminal profile folder") })
    }
}
