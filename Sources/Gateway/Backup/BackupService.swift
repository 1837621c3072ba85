// The gateway's backup schedule (`[backup] interval_hours`): a backup whenever the newest in the folder is that old, a
// copy into the second folder, the oldest beyond `keep` deleted. A failed second copy is logged and counted, and never
// undoes the first.
import CounterConfig
import CounterCore
import Foundation
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// Runs the backup schedule under the gateway's service group (started only when `interval_hours` > 0).
public struct BackupService: Service {
    public let config: HallConfiguration
    public let clock: any HallClock
    public let logger: Logger

    public init(config: HallConfiguration, clock: any HallClock, logger: Logger) {
        self.config = config
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await runUntilShutdown { await schedule() }
    }

    func schedule() async {
        let interval = TimeInterval(config.backup.intervalHours * 3600)
        while !Task.isCancelled {
            var wait = interval
            let due = HallBackup.newest(in: config.backupFolder, hall: config.hall.name).map { $0.addingTimeInterval(interval) } ?? .distantPast
            if due <= clock.now() {
                do {
                    try await backUpOnce()
                } catch {
                    wait = min(interval, 900)
                    Counter(label: "countergate_backup_failures_total", dimensions: [("folder", "first")]).increment()
                    logger.error("the scheduled backup failed; trying again later", metadata: [
                        "folder": "\(config.backupFolder)", "error": "\(error)", "retry_in_s": "\(Int(wait))", "by_hand": "countergate backup"])
                }
            } else {
                wait = due.timeIntervalSince(clock.now())
            }
            // The schedule's timer (hours), not a synchronisation.
            do { try await Task.sleep(for: .seconds(max(1, wait))) } catch { return }
        }
    }

    /// Takes one backup into the folder, copies it into the second folder, prunes both.
    public func backUpOnce() async throws {
        let config = self.config
        let instant = clock.now()
        let taken = try await NIOThreadPool.singleton.runIfActive { try HallBackup.take(config: config, into: config.backupFolder, at: instant) }
        HallBackup.prune(folder: config.backupFolder, hall: config.hall.name, keep: config.backup.keep)
        Gauge(label: "countergate_backup_last_success_timestamp_seconds", dimensions: [("folder", "first")]).record(instant.timeIntervalSince1970)
        logger.info("backup written", metadata: ["file": "\(taken.path)", "rows": "\(taken.manifest.summary)",
                                                 "kib": "\(taken.manifest.payloadBytes / 1024)"])
        guard let second = config.backup.secondFolder else { return }
        do {
            let copy = try await NIOThreadPool.singleton.runIfActive { try BackupFile.copy(taken.path, into: second) }
            HallBackup.prune(folder: second, hall: config.hall.name, keep: config.backup.keep)
            Gauge(label: "countergate_backup_last_success_timestamp_seconds", dimensions: [("folder", "second")]).record(instant.timeIntervalSince1970)
            logger.info("backup copied to the second folder", metadata: ["file": "\(copy)"])
        } catch {
            Counter(label: "countergate_backup_failures_total", dimensions: [("folder", "second")]).increment()
            logger.error("the backup could not be copied to the second folder ([backup] second_folder); the first copy is kept", metadata: [
                "folder": "\(second)", "error": "\(error)", "first_copy": "\(taken.path)"])
        }
    }
}
