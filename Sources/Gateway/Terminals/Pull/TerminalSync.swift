// Attendance sync: one task per configured terminal, live events between periodic full pulls, every punch stored once.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import ZKTerminal

/// What one pull did, for logs, the CLI and tests.
public struct TerminalPullReport: Sendable, Equatable {
    public let device: String
    public let serialNumber: String
    /// Records read this time: the new ones (every one on a whole read).
    public let records: Int
    public let inserted: Int
    public let alreadyStored: Int
    public let flagged: Int
    public let clockDrift: TimeInterval
    /// Records in the terminal's log.
    public let logRecords: Int
    /// Nothing new, only the new records, or the whole log.
    public let read: ZKAttendanceRead.Kind
    /// Attendance bytes transferred.
    public let transferredBytes: Int
    /// How long the terminal was disabled for this pull (DISABLEDEVICE sent to ENABLEDEVICE acknowledged); nil when it was not.
    public let disabledSeconds: Double?
}

/// Where each terminal's log was last read (by serial number), so the next pull reads only what is new. Kept in memory:
/// after the gateway starts, the first pull of each terminal reads its log whole (storing nothing twice).
final class TerminalLogCursor: Sendable {
    private let marks = Mutex<[String: ZKLogMark]>([:])

    func mark(for serial: String) -> ZKLogMark? { marks.withLock { $0[serial] } }
    func set(_ mark: ZKLogMark, for serial: String) { marks.withLock { $0[serial] = mark } }
}

/// What a terminal sync did, for whoever watches it (tests, the benchmark, later the health model).
public enum TerminalSyncEvent: Sendable {
    case pulled(TerminalPullReport)
    /// A live punch was committed to the store (`inserted` false when it was already there).
    case liveStored(Punch, inserted: Bool)
    case failed(ZKClientError)
}

/// Reads one terminal into the store: full pulls and live events.
public struct TerminalSync: Sendable {
    public let device: HallConfiguration.Device
    public let endpoint: ZKEndpoint
    public let settings: HallConfiguration.Attendance
    public let store: HallStore
    public let clock: any HallClock
    public let logger: Logger
    /// Told of every pull, stored live punch and failure.
    public var observer: (@Sendable (TerminalSyncEvent) -> Void)?
    /// Told of every heartbeat: answered, or failed with the reason.
    public var health: DeviceHealthMonitor?
    /// Where the terminal's log was last read (shared by the copies of this sync, as one terminal's).
    let cursor = TerminalLogCursor()

    public init(device: HallConfiguration.Device, settings: HallConfiguration.Attendance, store: HallStore, clock: any HallClock, logger: Logger,
                observer: (@Sendable (TerminalSyncEvent) -> Void)? = nil) throws {
        self.device = device
        guard let endpoint = device.link.terminalEndpoint else {
            throw StartupError(description: "terminal \(device.id): address \"\(device.address)\" is not tcp://host:port or udp://host:port")
        }
        self.endpoint = endpoint
        self.settings = settings
        self.store = store
        self.clock = clock
        var logger = logger
        logger[metadataKey: "terminal"] = "\(device.id)"
        self.logger = logger
        self.observer = observer
    }

    public func makeClient() -> ZKClient {
        ZKClient(.init(endpoint: endpoint, commKey: device.commKey, replyTimeout: .seconds(settings.replyTimeoutSeconds),
                       deviceName: "\(device.role) (\(device.address))"), logger: logger)
    }

    /// One pull on a connected client: device facts, clock, and the records added since the last pull (the whole log on
    /// the first); stored in one transaction, only once the whole read arrived (never half a download). The terminal is
    /// disabled only while it copies its log into its buffer; that time is logged and kept as the metric
    /// `countergate_terminal_disabled_seconds{role}`.
    public func pull(_ client: ZKClient, progress: ZKProgress? = nil) async throws -> TerminalPullReport {
        let info = try await client.deviceInfo()
        let terminalTime = try await client.time()
        let now = clock.now()
        let drift = (terminalTime.instant(in: HallTime.chinaStandardTime) ?? now).timeIntervalSince(now)
        if abs(drift) > TimeInterval(settings.maxClockDriftSeconds) {
            logger.warning("terminal clock is off", metadata: ["drift_seconds": "\(Int(drift))", "fix": "countergate terminal time set --role \(device.role)"])
        }
        let serial = info.serialNumber.isEmpty ? device.id : info.serialNumber
        let quarters = QuarterLog()
        let logger = self.logger
        let read = try await client.attendance(after: cursor.mark(for: serial)) { done, total in
            progress?(done, total)
            let percent = total == 0 ? 100 : done * 100 / total
            if quarters.crossed(percent) {
                logger.info("downloading attendance records", metadata: ["percent": "\(percent)", "bytes": "\(done)/\(total)"])
            }
        }
        let disabledSeconds = read.disabled.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        if let disabledSeconds {
            GatewayMetrics.terminalDisabled(role: device.role, seconds: disabledSeconds)
        }
        let converter = TerminalPunches(serialNumber: serial, zone: HallTime.chinaStandardTime, now: now, clockDrift: drift,
                                        maxDrift: TimeInterval(settings.maxClockDriftSeconds))
        var (inserted, alreadyStored, flagged) = (0, 0, 0)
        if !read.records.isEmpty {
            let (punches, flags) = converter.convert(read.records)
            let result = try await store.record(punches: punches, receivedAt: now, flags: flags)
            (inserted, alreadyStored, flagged) = (result.inserted, result.alreadyStored, flags.count)
        }
        // Only once stored: a read whose store failed is read again.
        cursor.set(read.mark, for: serial)
        let report = TerminalPullReport(device: device.id, serialNumber: serial, records: read.records.count, inserted: inserted,
                                        alreadyStored: alreadyStored, flagged: flagged, clockDrift: drift, logRecords: read.logRecords,
                                        read: read.kind, transferredBytes: read.transferredBytes, disabledSeconds: disabledSeconds)
        var metadata: Logger.Metadata = ["read": "\(read.kind.rawValue)", "records": "\(report.records)", "log_records": "\(report.logRecords)",
                                         "new": "\(report.inserted)", "already_stored": "\(report.alreadyStored)", "flagged": "\(report.flagged)",
                                         "bytes": "\(report.transferredBytes)"]
        if let disabledSeconds { metadata["disabled_ms"] = "\(Int((disabledSeconds * 1000).rounded()))" }
        if read.heldDisabledForTransfer {
            logger.warning("this terminal's firmware frees its buffer when enabled: it stayed disabled for the whole transfer", metadata: metadata)
        }
        logger.info("attendance pulled", metadata: metadata)
        observer?(.pulled(report))
        return report
    }

    /// Runs until cancelled: connect, pull, watch live events until the next pull is due, pull again; on
    /// failure mark the terminal offline and reconnect with backoff. Never throws: a dead terminal is
    /// reported, and does not stop the gateway or any other terminal.
    public func run() async {
        // Retried often enough that a terminal coming back is noticed within a few heartbeats.
        var backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(max(2, min(settings.heartbeatSeconds * 2, 30))))
        while !Task.isCancelled {
            let client = makeClient()
            do {
                try await client.connect()
                let report = try await pull(client)
                if let health { await health.report(device.id, .answered(.idle)) } else {
                    try await store.recordDeviceState(id: device.id, power: .online, reason: nil, at: clock.now())
                }
                backoff.reset()
                var serial = report.serialNumber
                var drift = report.clockDrift
                while !Task.isCancelled {
                    if settings.liveEvents {
                        try await watch(client, serialNumber: serial, drift: drift, for: .seconds(settings.pullIntervalSeconds))
                    } else {
                        try await heartbeats(client, for: .seconds(settings.pullIntervalSeconds))
                    }
                    if Task.isCancelled { break }
                    let again = try await pull(client)
                    serial = again.serialNumber
                    drift = again.clockDrift
                }
                await client.disconnect()
            } catch is CancellationError {
                await client.disconnect()
                return
            } catch {
                await client.disconnect()
                if Task.isCancelled { return }
                let wait = backoff.next()
                logger.error("terminal failed: \(error)", metadata: ["retry_in": "\(wait)"])
                if let health { await health.report(device.id, .unreachable(reason: "\(error)")) } else {
                    _ = try? await store.recordDeviceState(id: device.id, power: .offline, reason: "\(error)", at: clock.now())
                }
                if let error = error as? ZKClientError { observer?(.failed(error)) }
                do { try await Task.sleep(for: wait) } catch { return }
            }
        }
    }

    /// Without live events: asks the terminal for its time every heartbeat, for `duration`.
    private func heartbeats(_ client: ZKClient, for duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            // The heartbeat's rhythm; not synchronisation.
            try await Task.sleep(for: min(.seconds(settings.heartbeatSeconds), end - ContinuousClock.now))
            _ = try await client.time()
            await health?.report(device.id, .answered(.idle))
        }
    }

    /// Stores live punches as they come, for `duration` (then returns so the caller can pull).
    private func watch(_ client: ZKClient, serialNumber: String, drift: TimeInterval, for duration: Duration) async throws {
        let converter = TerminalPunches(serialNumber: serialNumber, zone: HallTime.chinaStandardTime, now: clock.now(),
                                        clockDrift: drift, maxDrift: TimeInterval(settings.maxClockDriftSeconds))
        let store = self.store, clock = self.clock, logger = self.logger, observer = self.observer, health = self.health, id = device.id
        let heartbeat = Duration.seconds(settings.heartbeatSeconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.watchAttendance(heartbeat: heartbeat, onAlive: { await health?.report(id, .answered(.idle)) }) { event in
                    let (punch, flag) = converter.convert(event)
                    do {
                        let result = try await store.record(punches: [punch], receivedAt: clock.now(),
                                                            flags: flag.map { [punch.identity: $0] } ?? [:])
                        observer?(.liveStored(punch, inserted: result.inserted == 1))
                        logger.info("live punch", metadata: ["user": "\(event.userID)", "time": "\(event.time)", "new": "\(result.inserted == 1)"])
                    } catch {
                        // The next full pull stores it; nothing is lost by a failed live write.
                        logger.error("live punch not stored: \(error)")
                    }
                }
            }
            group.addTask { try await Task.sleep(for: duration) }
            _ = try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// Remembers which quarter of a download was last logged, so progress is logged at 25 % steps.
final class QuarterLog: Sendable {
    private let last = Mutex(-1)

    func crossed(_ percent: Int) -> Bool {
        last.withLock { last in
            let quarter = percent / 25
            guard quarter > last else { return false }
            last = quarter
            return true
        }
    }
}

/// The service running every configured terminal's sync, each in its own child task.
struct AttendanceSyncService: Service {
    let syncs: [TerminalSync]
    /// When given, each sync follows its role's binding (RoleBindings): a replaced terminal is read, not the old one.
    var bindings: RoleBindings? = nil

    func run() async throws {
        // Graceful shutdown cancels the syncs; each ends its session with the terminal before returning.
        let (syncs, bindings) = (self.syncs, self.bindings)
        await runUntilShutdown {
            await withTaskGroup(of: Void.self) { group in
                for sync in syncs { group.addTask { if let bindings { await sync.runFollowing(bindings) } else { await sync.run() } } }
            }
        }
    }
}
