// `[backup]`: the gateway's own backups of its database (`countergate backup`, docs/operations.md): how often the
// running gateway takes one, how many it keeps, and where (a folder, and optionally a second one on a mounted share).
import CounterTOML
import Foundation

extension HallConfiguration {
    /// The schedule and places of the gateway's database backups.
    public struct Backup: Sendable, Equatable {
        /// The running gateway takes a backup when the newest in ``folder`` is this old; 0 turns the schedule off
        /// (`countergate backup` still works by hand).
        public var intervalHours = 24
        /// How many backups of this hall each folder keeps; older ones are deleted after a new one is written.
        public var keep = 7
        /// Where backups are written, as configured; nil: `backups` in the data folder (``HallConfiguration/backupFolder``).
        public var folder: String? = nil
        /// A second copy of every scheduled backup (a mounted share): a failure there is logged and counted, and never
        /// fails the first copy.
        public var secondFolder: String? = nil

        public init() {}
    }

    /// Where backups are written: `[backup] folder`, else `backups` in the data folder.
    public var backupFolder: String { backup.folder ?? (store.dataDirectory as NSString).appendingPathComponent("backups") }

    /// Reads `[backup]`; absent, backups are taken daily into `<data_dir>/backups` and seven are kept.
    static func readBackup(_ table: TableReader, dataDirectory: String, baseDirectory: String) -> Backup {
        var backup = Backup()
        backup.intervalHours = table.int("interval_hours", default: backup.intervalHours, range: 0...8760) ?? backup.intervalHours
        backup.keep = table.int("keep", default: backup.keep, range: 1...1000) ?? backup.keep
        if let folder = table.string("folder", expected: "a folder path, e.g. \"/var/lib/countergate/backups\"") {
            backup.folder = resolve(folder, against: baseDirectory)
        }
        backup.secondFolder = table.string("second_folder", expected: "a folder path on a mounted share, e.g. \"/mnt/hall-share/countergate\"")
            .map { resolve($0, against: baseDirectory) }
        let first = backup.folder ?? (dataDirectory as NSString).appendingPathComponent("backups")
        if let second = backup.secondFolder, (second as NSString).standardizingPath == (first as NSString).standardizingPath {
            table.fail("second_folder", at: table.table["second_folder"]?.position.line ?? table.table.position.line,
                       "is the same folder as folder (\(first)); the second copy belongs on another disk or a mounted share")
        }
        return backup
    }
}
