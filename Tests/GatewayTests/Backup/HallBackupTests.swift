// The gateway's own backups: take, verify and restore, and every refusal (truncated, damaged, another hall, a newer
// schema, a gateway running on the data folder), the schedule's second copy and retention.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import GRDB
import Logging
import Testing
@testable import Gateway

@Suite("The gateway's own backups", .serialized)
struct HallBackupTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A hall whose data folder is new, named `hall`, with `extra` configuration text.
    static func config(hall: String = "太谷县政务服务中心", extra: String = "") throws -> HallConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-backup-\(UUID().uuidString.prefix(8))")
        return try HallConfiguration.parse(text: """
            [hall]
            name = "\(hall)"

            [store]
            data_dir = "\(directory.appendingPathComponent("data").path)"
            \(extra)
            """, file: "test.toml", baseDirectory: directory.path)
    }

    /// A store with the demo staff, windows, devices and `punches` punches.
    static func filledStore(_ config: HallConfiguration, punches: Int = 300) async throws -> HallStore {
        let store = try GatewayRuntime.openStore(config)
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: SystemClock())
        try await DemoHall.seedIfEmpty(store: store, config: config, clock: SystemClock())
        let base = Date(timeIntervalSince1970: 1_772_409_600)
        let batch = (0..<punches).map { i in
            Punch(terminalSerial: "BK0001", terminalUserID: "\(i % 30 + 1)", at: base.addingTimeInterval(Double(i) * 60),
                  verification: .fingerprint, direction: .checkIn)
        }
        _ = try await store.record(punches: batch, receivedAt: base)
        return store
    }

    static func rows(_ path: String) throws -> [String: Int] { try StoreImage.facts(of: path, checkIntegrity: true).rows }

    @Test("a backup taken while the store is open restores onto a fresh data folder with every row, and verifies")
    func roundTrip() async throws {
        let config = try Self.config()
        let store = try await Self.filledStore(config)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        #expect(FileManager.default.fileExists(atPath: taken.path))
        #expect((taken.path as NSString).lastPathComponent.hasPrefix("countergate-太谷县政务服务中心-"))
        #expect(taken.manifest.rows["punches"] == 300 && taken.manifest.schema == StoreImage.knownMigrations)
        #expect(taken.manifest.payloadBytes < taken.manifest.databaseBytes, "compressed")
        let head = try String(contentsOfFile: taken.path, encoding: .isoLatin1).split(separator: "\n", maxSplits: 2)
        #expect(head.first == "CounterGate backup 1")
        #expect(try HallBackup.verify(taken.path) == taken.manifest)
        _ = store

        let fresh = try Self.config()
        let restored = try HallBackup.restore(taken.path, config: fresh, allowOtherHall: false, at: Date())
        #expect(restored.previous == nil)
        #expect(try Self.rows(fresh.databasePath) == taken.manifest.rows)
        let reopened = try HallStore(path: fresh.databasePath)
        #expect(try await reopened.punchCount() == 300)
        #expect(try await reopened.staff().count == (try await store.staff().count))
    }

    @Test("parts left by a backup killed while writing are removed by the next one after an hour; a part being written now is left")
    func abandonedPartsAreRemoved() async throws {
        let config = try Self.config()
        _ = try await Self.filledStore(config, punches: 10)
        let folder = config.backupFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = Date()
        let old = (folder as NSString).appendingPathComponent(BackupFileName.name(hall: config.hall.name, at: now.addingTimeInterval(-7200)) + ".image.partial")
        let recent = (folder as NSString).appendingPathComponent(BackupFileName.name(hall: config.hall.name, at: now.addingTimeInterval(-60)) + ".partial")
        let otherHall = (folder as NSString).appendingPathComponent(BackupFileName.name(hall: "另一个中心", at: now.addingTimeInterval(-7200)) + ".partial")
        for path in [old, recent, otherHall] { #expect(FileManager.default.createFile(atPath: path, contents: Data("half".utf8))) }
        for path in [old, otherHall] { try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-7200)], ofItemAtPath: path) }
        _ = try HallBackup.take(config: config, into: folder, at: now)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
        #expect(FileManager.default.fileExists(atPath: otherHall))
    }

    @Test("restoring over a database keeps the replaced one beside it")
    func restoreKeepsThePrevious() async throws {
        let config = try Self.config()
        _ = try await Self.filledStore(config, punches: 10)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        let other = try Self.config()
        _ = try await Self.filledStore(other, punches: 25)
        let restored = try HallBackup.restore(taken.path, config: other, allowOtherHall: false, at: Date())
        let previous = try #require(restored.previous)
        #expect(previous.contains("countergate.sqlite.before-restore-"))
        #expect(try Self.rows(previous)["punches"] == 25)
        #expect(try Self.rows(other.databasePath)["punches"] == 10)
    }

    @Test("a truncated backup is refused, by verify and by restore, and nothing is replaced")
    func truncated() async throws {
        let config = try Self.config()
        _ = try await Self.filledStore(config)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        let data = try Data(contentsOf: URL(fileURLWithPath: taken.path))
        let cut = taken.path + ".cut"
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: cut))
        #expect(throws: BackupError.truncated(path: cut, expected: taken.manifest.payloadBytes, found: taken.manifest.payloadBytes - 100)) {
            try HallBackup.verify(cut)
        }
        let target = try Self.config()
        _ = try await Self.filledStore(target, punches: 7)
        do {
            _ = try HallBackup.restore(cut, config: target, allowOtherHall: false, at: Date())
            Issue.record("a truncated backup was restored")
        } catch let error as BackupError {
            #expect(error.description.contains("is truncated") && error.description.contains("copy it again"), "\(error)")
        }
        #expect(try Self.rows(target.databasePath)["punches"] == 7)
        // Cut inside the manifest line.
        try data.prefix(40).write(to: URL(fileURLWithPath: cut))
        #expect(throws: BackupError.self) { try HallBackup.verify(cut) }
        // Not a backup at all.
        try Data("PRAGMA nothing\n".utf8).write(to: URL(fileURLWithPath: cut))
        #expect(throws: BackupError.notABackup(path: cut)) { try HallBackup.verify(cut) }
    }

    @Test("a backup with a changed byte fails its checksum; nothing is replaced")
    func damaged() async throws {
        let config = try Self.config()
        _ = try await Self.filledStore(config)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        var data = try Data(contentsOf: URL(fileURLWithPath: taken.path))
        let bad = taken.path + ".bad"
        data[data.count - Int(taken.manifest.payloadBytes / 2)] ^= 0x5A
        try data.write(to: URL(fileURLWithPath: bad))
        let target = try Self.config()
        _ = try await Self.filledStore(target, punches: 7)
        do {
            _ = try HallBackup.restore(bad, config: target, allowOtherHall: false, at: Date())
            Issue.record("a damaged backup was restored")
        } catch let error as BackupError {
            switch error {
            case .checksumMismatch, .damaged: #expect(error.description.contains("use another copy"), "\(error)")
            default: Issue.record("unexpected refusal: \(error)")
            }
        }
        #expect(try Self.rows(target.databasePath)["punches"] == 7)
        #expect(!FileManager.default.fileExists(atPath: target.databasePath + ".restoring"))
    }

    @Test("a backup of another hall is refused unless --other-hall")
    func otherHall() async throws {
        let config = try Self.config(hall: "平遥县政务服务中心")
        _ = try await Self.filledStore(config, punches: 5)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        let target = try Self.config()
        #expect(throws: BackupError.otherHall(path: taken.path, backup: "平遥县政务服务中心", configured: "太谷县政务服务中心")) {
            try HallBackup.restore(taken.path, config: target, allowOtherHall: false, at: Date())
        }
        #expect(!FileManager.default.fileExists(atPath: target.databasePath))
        _ = try HallBackup.restore(taken.path, config: target, allowOtherHall: true, at: Date())
        #expect(try Self.rows(target.databasePath)["punches"] == 5)
    }

    @Test("a backup of a newer schema (a migration this binary does not know) is refused by verify and restore")
    func newerSchema() async throws {
        let config = try Self.config()
        let store = try await Self.filledStore(config, punches: 5)
        try await store.inTransaction { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01 from the future')") }
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        #expect(taken.manifest.schema.last == "2099-01-01 from the future")
        let newer = BackupError.newerSchema(path: taken.path, unknown: ["2099-01-01 from the future"], writtenBy: GatewayVersion.current)
        #expect(throws: newer) { try HallBackup.verify(taken.path) }
        let target = try Self.config()
        #expect(throws: newer) { try HallBackup.restore(taken.path, config: target, allowOtherHall: false, at: Date()) }
        #expect(!FileManager.default.fileExists(atPath: target.databasePath))
    }

    @Test("restore is refused while a gateway holds the data folder, and a second gateway cannot start on it")
    func refusedWhileRunning() async throws {
        let config = try Self.config()
        _ = try await Self.filledStore(config, punches: 5)
        let taken = try HallBackup.take(config: config, into: config.backupFolder, at: Date())
        let lock = try GatewayRuntime.lockDataFolder(config)
        do {
            _ = try HallBackup.restore(taken.path, config: config, allowOtherHall: false, at: Date())
            Issue.record("restored under a running gateway")
        } catch let error as BackupError {
            guard case .gatewayRunning = error else { Issue.record("unexpected: \(error)"); return }
            #expect(error.description.contains("pid \(getpid())") && error.description.contains("systemctl stop countergate"), "\(error)")
        }
        #expect(throws: StartupError.self) { try GatewayRuntime.lockDataFolder(config) }
        withExtendedLifetime(lock) {}
        _ = consume lock
        // Released: the restore goes ahead.
        let restored = try HallBackup.restore(taken.path, config: config, allowOtherHall: false, at: Date())
        #expect(restored.previous != nil)
    }

    @Test("the schedule's one run writes the backup, keeps [backup] keep, and survives a second folder it cannot write")
    func scheduledRun() async throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("cg-backup-blocker-\(UUID().uuidString.prefix(8))")
        try Data("a file, not a folder".utf8).write(to: blocker)
        let config = try Self.config(extra: """

            [backup]
            keep = 2
            second_folder = "\(blocker.path)/share"
            """)
        _ = try await Self.filledStore(config, punches: 3)
        let service = BackupService(config: config, clock: SystemClock(), logger: Logger(label: "test"))
        for _ in 0..<3 { try await service.backUpOnce() }
        let kept = HallBackup.backups(in: config.backupFolder, hall: config.hall.name)
        #expect(kept.count == 2, "\(kept)")
        // Another hall's backup in the same folder is not touched by retention.
        let stranger = (config.backupFolder as NSString).appendingPathComponent(BackupFileName.name(hall: "平遥县政务服务中心", at: Date(timeIntervalSince1970: 0)))
        try Data().write(to: URL(fileURLWithPath: stranger))
        try await service.backUpOnce()
        #expect(FileManager.default.fileExists(atPath: stranger))
        #expect(HallBackup.backups(in: config.backupFolder, hall: config.hall.name).count == 2)
    }

    @Test("a working second folder gets a copy of each scheduled backup")
    func secondFolder() async throws {
        let share = FileManager.default.temporaryDirectory.appendingPathComponent("cg-backup-share-\(UUID().uuidString.prefix(8))")
        let config = try Self.config(extra: "\n[backup]\nsecond_folder = \"\(share.path)\"\n")
        _ = try await Self.filledStore(config, punches: 3)
        try await BackupService(config: config, clock: SystemClock(), logger: Logger(label: "test")).backUpOnce()
        let copies = HallBackup.backups(in: share.path, hall: config.hall.name)
        #expect(copies.count == 1)
        #expect(try HallBackup.verify(try #require(copies.first)).rows["punches"] == 3)
    }

    @Test("VERSION (the package's version) is the gateway's version")
    func versionFile() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("VERSION"), encoding: .utf8)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == GatewayVersion.current)
    }
}
