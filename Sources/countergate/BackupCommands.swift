// `countergate backup` (take, verify, list) and `countergate restore`: the gateway's own database backups (docs/operations.md).
import ArgumentParser
import CounterConfig
import CounterStore
import Foundation
import Gateway

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up the gateway's database (while it runs), check a backup, list backups.",
        discussion: """
            A backup is one file, countergate-<hall>-<UTC time>.cgbackup: a manifest (hall, schema, rows per table, SHA-256 \
            checksums; `head -2 FILE` shows it) and the database compressed with gzip. Restore with `countergate restore FILE`.
            """,
        subcommands: [Take.self, Verify.self, List.self], defaultSubcommand: Take.self)

    struct Take: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "take", abstract: "Take a backup now (the gateway may keep running), into [backup] folder or --folder; keeps [backup] keep of them.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Where to write it (default: [backup] folder, <data_dir>/backups).", valueName: "dir")) var folder: String?
        @Flag(help: "Keep every older backup in the folder (no retention).") var keepAll = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: false)
            let folder = self.folder ?? config.backupFolder
            let started = Date()
            let taken = await reporting {
                try HallBackup.take(config: config, into: folder, at: commandClock.now()) { printLine($0) }
            }
            let removed = keepAll ? [] : HallBackup.prune(folder: folder, hall: config.hall.name, keep: config.backup.keep)
            printLine("backup written: \(taken.path)")
            printLine("  \(taken.manifest.hall), schema of \(taken.manifest.schema.count) migrations, \(taken.manifest.summary)")
            printLine("  database \(taken.manifest.databaseBytes / 1024) KiB, compressed \(taken.manifest.payloadBytes / 1024) KiB, "
                      + String(format: "%.2f s", Date().timeIntervalSince(started)))
            for file in removed { printLine("  removed the older \(file) ([backup] keep = \(config.backup.keep))") }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup file as a restore would (format, checksums, schema); exit 1 if it would be refused.")
        @Argument(help: ArgumentHelp("The backup file.", valueName: "file.cgbackup")) var file: String

        func run() async throws {
            let manifest = await reporting { try HallBackup.verify(file) { printLine($0) } }
            printLine("backup OK: \(file)")
            printLine("  hall \(manifest.hall), taken \(manifest.createdAt) by countergate \(manifest.gatewayVersion)")
            printLine("  schema of \(manifest.schema.count) migrations, \(manifest.summary)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List this hall's backups in [backup] folder (and second_folder), newest first.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: false)
            for folder in [config.backupFolder] + (config.backup.secondFolder.map { [$0] } ?? []) {
                let files = HallBackup.backups(in: folder, hall: config.hall.name)
                printLine("\(folder): \(files.isEmpty ? "no backups" : "\(files.count) backups")")
                for file in files {
                    let size = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? NSNumber)?.int64Value ?? 0
                    printLine("  \((file as NSString).lastPathComponent)\t\(size / 1024) KiB")
                }
            }
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup as the database of a stopped gateway (the replaced one is kept).",
        discussion: """
            Refused while the gateway runs (stop it: systemctl stop countergate), and for a backup that is truncated, fails its \
            checksum, is of a newer schema, or is of another hall ([hall] name; --other-hall to mean it). The database it \
            replaces is kept as countergate.sqlite.before-restore-<time> in the data folder.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The backup file.", valueName: "file.cgbackup")) var file: String
    @Flag(help: "Restore a backup of another hall ([hall] name differs) onto this one.") var otherHall = false
    @Option(help: "Who restores, for the audit log (default: your login).") var actor: String = ProcessInfo.processInfo.environment["USER"] ?? "ops"

    func run() async throws {
        let config = global.loadConfiguration(allowDefaults: false)
        let restored = await reporting {
            try HallBackup.restore(file, config: config, allowOtherHall: otherHall, at: commandClock.now()) { printLine($0) }
        }
        printLine("restored \(file) into \(config.databasePath)")
        printLine("  \(restored.manifest.hall), taken \(restored.manifest.createdAt), \(restored.manifest.summary)")
        if let previous = restored.previous { printLine("  the database it replaced is kept as \(previous)") }
        // A hall that forwards to the county's centre starts a new numbering stream: the restored outbox's numbers may
        // already be at the centre under records this restore took back (docs/central.md, "After a restore").
        let stream = await reporting { () -> String? in
            let store = try GatewayRuntime.openStore(config)
            guard try await store.outboxStatus(at: commandClock.now()) != nil else { return nil }
            try await store.startNewOutboxStream()
            return try await store.outboxStatus(at: commandClock.now())?.stream
        }
        if let stream { printLine("  forwarding to the centre goes on in a new stream (\(stream)); what the backup had waiting is sent again") }
        // The restored log ends where the backup was taken, before the anchor: recorded in the log, and anchored there.
        let (before, entry) = await reporting {
            try await GatewayRuntime.openStore(config).reanchorAudit(
                actor: actor, reason: "restored the backup \((file as NSString).lastPathComponent) taken \(restored.manifest.createdAt)",
                at: commandClock.now())
        }
        printLine("  audit log: recorded as entry \(entry.id) and anchored there (the anchor said: \(before.description))")
        printLine("start the gateway again: systemctl start countergate (it brings an older schema up to date)")
    }
}
