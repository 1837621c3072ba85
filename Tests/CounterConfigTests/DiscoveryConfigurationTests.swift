// The keys of discovery and terminal backups: their defaults, their bounds, and the example file using them.
import Foundation
import Testing
@testable import CounterConfig
import CounterTOML

@Suite("Configuration: [discovery] and terminal backups")
struct DiscoveryConfigurationTests {
    func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/srv/countergate")
    }

    @Test("defaults: rescan every 5 s with hot-plug, a backup of each terminal every 24 h, 5 kept")
    func defaults() throws {
        let config = try parse("")
        #expect(config.discovery == HallConfiguration.Discovery(rescanIntervalSeconds: 5, hotplug: true))
        #expect(config.attendance.backupIntervalHours == 24 && config.attendance.backupsKept == 5)
    }

    @Test("the keys are read")
    func read() throws {
        let config = try parse("""
            [attendance]
            backup_interval_hours = 0
            backups_kept = 2

            [discovery]
            rescan_interval_seconds = 30
            hotplug = false
            """)
        #expect(config.discovery == HallConfiguration.Discovery(rescanIntervalSeconds: 30, hotplug: false))
        #expect(config.attendance.backupIntervalHours == 0 && config.attendance.backupsKept == 2)
    }

    @Test("out of range and unknown keys are refused with their line and key")
    func refused() throws {
        do {
            _ = try parse("""
                [discovery]
                rescan_interval_seconds = 0
                rescan_every = 5

                [attendance]
                backups_kept = 0
                """)
            Issue.record("accepted")
        } catch let error as ConfigErrors {
            let text = error.errors.map(\.description).joined(separator: "\n")
            #expect(text.contains(":2: key `discovery.rescan_interval_seconds`"), "\(text)")
            #expect(text.contains("discovery.rescan_every"), "\(text)")
            #expect(text.contains(":6: key `attendance.backups_kept`"), "\(text)")
        }
    }
}
