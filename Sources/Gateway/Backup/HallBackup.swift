// The gateway's own backups: take one while the gateway runs, keep the newest few, and restore one onto a stopped
// gateway. The CLI (`countergate backup`, `restore`) and the gateway's schedule (BackupService) both come here.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// A backup written.
public struct TakenBackup: Sendable {
    public let path: String
    public let manifest: BackupManifest
}

/// A restore done.
public struct RestoredBackup: Sendable {
    public let manifest: BackupManifest
    /// Where the database that was replaced is kept (nil: there was none).
    public let previous: String?
}

public enum HallBackup {
    /// Takes a backup of the configuration's database into `folder` (created when needed), consistent while the gateway
    /// writes (SQLite's online backup), then compressed with its manifest into one file.
    /// - Parameter progress: a line for a person at each step.
    public static func take(config: HallConfiguration, into folder: String, at instant: Date,
                            progress: @escaping (String) -> Void = { _ in }) throws -> TakenBackup {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw BackupError.io("cannot create the backup folder \(folder) ([backup] folder): \(error.localizedDescription); create it and give the service user write access")
        }
        removeAbandonedParts(in: folder, hall: config.hall.name, now: instant)
        var sequence = 0
        var path = (folder as NSString).appendingPathComponent(BackupFileName.name(hall: config.hall.name, at: instant))
        while FileManager.default.fileExists(atPath: path) {
            sequence += 1
            path = (folder as NSString).appendingPathComponent(BackupFileName.name(hall: config.hall.name, at: instant, sequence: sequence))
        }
        let image = path + ".image.partial"
        defer { try? FileManager.default.removeItem(atPath: image) }
        progress("copying the database \(config.databasePath) (SQLite online backup)")
        let facts = try StoreImage.copy(databaseAt: config.databasePath, to: image)
        let draft = BackupManifest(format: BackupManifest.currentFormat, hall: config.hall.name, createdAt: BackupFileName.iso8601(instant),
                                   gatewayVersion: GatewayVersion.current, schema: facts.migrations, rows: facts.rows,
                                   databaseBytes: 0, databaseSHA256: "", compression: "gzip", payloadBytes: 0, payloadSHA256: "")
        let manifest = try BackupFile.write(image: image, manifest: draft, to: path,
                                            progress: percentReporter("compressing:", progress))
        return TakenBackup(path: path, manifest: manifest)
    }

    /// Deletes the parts (`….partial`) of this hall's backups that a process killed while writing left behind: those more
    /// than an hour old, so a backup another process is writing now is left alone.
    static func removeAbandonedParts(in folder: String, hall: String, now: Date) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".partial") && BackupFileName.instant(of: String(name.prefix { $0 != "." }) + BackupFileName.suffix, hall: hall) != nil {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > 3600 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// The backups of `hall` in `folder`, newest first.
    public static func backups(in folder: String, hall: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name in BackupFileName.instant(of: name, hall: hall).map { (name, $0.0, $0.1) } }
            .sorted { ($0.1, $0.2) > ($1.1, $1.2) }
            .map { (folder as NSString).appendingPathComponent($0.0) }
    }

    /// When the newest backup of `hall` in `folder` was taken, from its name.
    public static func newest(in folder: String, hall: String) -> Date? {
        backups(in: folder, hall: hall).first.flatMap { BackupFileName.instant(of: ($0 as NSString).lastPathComponent, hall: hall)?.0 }
    }

    /// Deletes the backups of `hall` in `folder` beyond the newest `keep`; other files (another hall's) are left alone.
    /// - Returns: the files deleted.
    @discardableResult
    public static func prune(folder: String, hall: String, keep: Int) -> [String] {
        let old = backups(in: folder, hall: hall).dropFirst(max(1, keep))
        return old.filter { (try? FileManager.default.removeItem(atPath: $0)) != nil }
    }

    /// Checks a backup as a restore would, without restoring: the manifest, its schema against this binary, and the
    /// checksums of the whole file.
    public static func verify(_ path: String, progress: @escaping (String) -> Void = { _ in }) throws -> BackupManifest {
        let manifest = try BackupFile.verify(path, progress: percentReporter("checked", progress))
        try refuseNewerSchema(manifest.schema, path: path, writtenBy: manifest.gatewayVersion)
        return manifest
    }

    /// Restores the backup at `path` as the configuration's database. Refused while a gateway runs on the data folder,
    /// and for a backup that fails its checks, of a newer schema, or of another hall (unless `allowOtherHall`). The
    /// database it replaces is kept beside it as `countergate.sqlite.before-restore-<time>`.
    public static func restore(_ path: String, config: HallConfiguration, allowOtherHall: Bool, at instant: Date,
                               progress: @escaping (String) -> Void = { _ in }) throws -> RestoredBackup {
        let directory = config.store.dataDirectory
        let lock: DataFolderLock
        do { lock = try DataFolderLock.acquire(dataDirectory: directory, purpose: "countergate restore") } catch {
            switch error {
            case .held(let holder, _): throw BackupError.gatewayRunning(holder: holder.description, dataDirectory: directory)
            case .unusable(let lockPath, let reason): throw BackupError.io("cannot lock the data folder \(directory) (\(lockPath): \(reason)); run restore as the service user or root")
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let (manifest, _, _) = try BackupFile.readManifest(path)
        if manifest.hall != config.hall.name && !allowOtherHall {
            throw BackupError.otherHall(path: path, backup: manifest.hall, configured: config.hall.name)
        }
        try refuseNewerSchema(manifest.schema, path: path, writtenBy: manifest.gatewayVersion)
        let database = config.databasePath
        let temporary = database + ".restoring"
        for leftover in [temporary, temporary + "-wal", temporary + "-shm", temporary + "-journal"] { try? FileManager.default.removeItem(atPath: leftover) }
        var keepTemporary = false
        defer { if !keepTemporary { try? FileManager.default.removeItem(atPath: temporary) } }
        progress("checking and decompressing \(path) (\(manifest.hall), taken \(manifest.createdAt))")
        try BackupFile.verify(path, writingTo: temporary, progress: percentReporter("checked", progress))
        progress("checking the database (SQLite integrity check)")
        let facts = try StoreImage.facts(of: temporary, checkIntegrity: true)
        guard facts.migrations == manifest.schema, facts.rows == manifest.rows else {
            throw BackupError.damaged("the database's schema or row counts differ from its manifest")
        }
        try refuseNewerSchema(facts.migrations, path: path, writtenBy: manifest.gatewayVersion)
        // The restored file belongs to whoever owns the data folder (the service user), even when root restores.
        var folderStatus = stat()
        if getuid() == 0, stat(directory, &folderStatus) == 0 { _ = chown(temporary, folderStatus.st_uid, folderStatus.st_gid) }
        var previous: String?
        if FileManager.default.fileExists(atPath: database) {
            let kept = database + ".before-restore-" + BackupFileName.stamp(instant)
            // The write-ahead log goes with its database (it may hold its last commits); the shared-memory index is rebuilt.
            guard rename(database, kept) == 0 else { throw BackupError.io("cannot move \(database) aside: \(String(cString: strerror(errno)))") }
            if FileManager.default.fileExists(atPath: database + "-wal") { _ = rename(database + "-wal", kept + "-wal") }
            try? FileManager.default.removeItem(atPath: database + "-shm")
            previous = kept
        }
        guard rename(temporary, database) == 0 else {
            throw BackupError.io("cannot put the restored database in place (\(String(cString: strerror(errno)))); the previous one is \(previous ?? "none")")
        }
        keepTemporary = true
        BackupFile.syncFolder(of: database)
        return RestoredBackup(manifest: manifest, previous: previous)
    }

    static func refuseNewerSchema(_ schema: [String], path: String, writtenBy: String) throws {
        let known = Set(StoreImage.knownMigrations)
        let unknown = schema.filter { !known.contains($0) }
        if !unknown.isEmpty { throw BackupError.newerSchema(path: path, unknown: unknown, writtenBy: writtenBy) }
    }

    /// A progress callback that says `what N% of K KiB` at each quarter (the terminals' downloads use the same steps).
    static func percentReporter(_ what: String, _ progress: @escaping (String) -> Void) -> (Int64, Int64) -> Void {
        let quarters = QuarterLog()
        return { done, total in
            let percent = total > 0 ? Int(done * 100 / total) : 100
            if quarters.crossed(percent) { progress("\(what) \(percent)% of \(total / 1024) KiB") }
        }
    }
}
