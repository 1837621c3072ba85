// [backup]: absent, daily backups into <data_dir>/backups keeping seven; every key checked, errors located.
import CounterTOML
import Foundation
import Testing
@testable import CounterConfig

@Suite struct BackupConfigurationTests {
    func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/etc/countergate")
    }

    func errors(_ text: String) -> [ConfigError] {
        do { _ = try parse(text); return [] } catch let e as ConfigErrors { return e.errors } catch { return [] }
    }

    @Test func aConfigurationWithoutBackupLoadsWithDailyBackupsInTheDataFolder() throws {
        let config = try parse("[store]\ndata_dir = \"/var/lib/countergate\"\n")
        #expect(config.backup.intervalHours == 24 && config.backup.keep == 7 && config.backup.secondFolder == nil)
        #expect(config.backupFolder == "/var/lib/countergate/backups")
        var moved = config
        moved.store.dataDirectory = "/srv/hall"
        #expect(moved.backupFolder == "/srv/hall/backups", "the default follows the data folder")
    }

    @Test func theKeysAreRead() throws {
        let config = try parse("""
            [backup]
            interval_hours = 6
            keep = 30
            folder = "backups"
            second_folder = "/mnt/share/countergate"
            """)
        #expect(config.backup.intervalHours == 6 && config.backup.keep == 30)
        #expect(config.backupFolder == "/etc/countergate/backups" && config.backup.secondFolder == "/mnt/share/countergate")
        #expect(try parse("[backup]\ninterval_hours = 0\n").backup.intervalHours == 0)
    }

    @Test func badValuesAreLocatedErrors() {
        #expect(errors("[backup]\nkeep = 0\n").contains { $0.key == "backup.keep" && $0.line == 2 })
        #expect(errors("[backup]\ninterval_hours = -1\n").contains { $0.key == "backup.interval_hours" })
        #expect(errors("[backup]\nfolder = \"/b\"\nsecond_folder = \"/b/\"\n").contains {
            $0.key == "backup.second_folder" && $0.message.contains("another disk or a mounted share")
        })
        #expect(errors("[backup]\nsecond = \"x\"\n").contains { $0.key == "backup.second" })
    }
}
