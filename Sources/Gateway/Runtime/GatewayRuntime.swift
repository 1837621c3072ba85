// Starting the gateway: open the store, bring it in line with the configuration, run the services.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A problem that stops the gateway from starting, said so ops can fix it.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

public enum GatewayRuntime {
    /// Opens the store of a configuration, creating its data directory when needed.
    public static func openStore(_ config: HallConfiguration) throws -> HallStore {
        let directory = config.store.dataDirectory
        try StoreFolder.check(directory, database: config.databasePath)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StartupError(description: "cannot create the data directory \(directory): \(error.localizedDescription); create it and give the service user write access")
        }
        // The audit log's anchor (`audit-head`) and its key (`audit.key`) live in the data folder: every process that
        // writes to the store moves the anchor, so a cut at the log's end is seen (docs/operations.md, "The audit log").
        return try HallStore(path: config.databasePath, durability: StoreDurability(rawValue: config.store.durability) ?? .full,
                             anchor: AuditAnchorFiles(headPath: config.auditHeadPath, keyPath: config.auditKeyPath))
    }

    /// Writes the configured windows, devices and roles to the store.
    public static func syncConfiguration(_ config: HallConfiguration, store: HallStore, clock: any HallClock) async throws {
        try await store.syncWindows(config.windows, at: clock.now())
        try await store.syncConfiguredDevices(config.devices.map { device in
            (id: device.id,
             identity: DeviceIdentity(kind: device.kind, profile: device.profile, serialNumber: device.serialNumber, address: device.address),
             role: DeviceRole(name: device.role, kind: device.kind, windows: device.windows))
        }, at: clock.now())
    }

    /// Runs the gateway until SIGTERM or SIGINT, then shuts down cleanly.
    /// - Parameter onListening: called with the HTTP address once the server accepts connections.
    /// - Parameter extraServices: services to run beside the gateway's (the demo's simulators).
    /// - Parameter startup: the start checks' result when the caller already ran them (`serve` does, before the store).
    public static func run(config: HallConfiguration, store: HallStore, logger: Logger, clock: any HallClock = SystemClock(),
                           extraServices: [any Service] = [], startup: GatewayStartup? = nil,
                           onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws {
        // The same checks as `config check` (profiles, addresses, TLS, calendar, data folder), unless the caller ran them.
        let startup = try startup ?? GatewayStartup.check(config)
        for warning in startup.warnings { logger.warning("\(warning)") }
        _ = GatewayMetrics.registry
        // The audit log's end against its anchor (a cut at the end: entries deleted, an older database put back).
        // The hall keeps working either way; ops and the inspection office are told, and `audit verify` says more.
        let anchor = try await store.auditAnchorStatus()
        GatewayMetrics.auditAnchor(sound: anchor.isSound)
        if !anchor.isSound {
            logger.critical("the audit log does not end where its anchor says: \(anchor.description)",
                            metadata: ["check": "countergate audit verify"])
        }
        try await syncConfiguration(config, store: store, clock: clock)
        // The county's centre ([central]; Central/): the outbox is switched on before anything else is recorded, so
        // every record of this run is in it. Nothing about the centre keeps the hall from working: a changed hall id
        // stops forwarding (it would fork the hall's records at the centre) and a missing token waits for its file,
        // each said in the log, the ops page, `central status` and `doctor`, while the outbox keeps everything.
        var forwarder: OutboxForwarder? = nil
        if let central = config.central {
            do {
                let status = try await store.enableOutbox(hallID: central.hallID, at: clock.now())
                logger.info("forwarding to the county's centre", metadata: ["centre": "\(central.url)", "hall_id": "\(central.hallID)",
                                                                          "waiting": "\(status.waiting)"])
                forwarder = OutboxForwarder(central: central, store: store, clock: clock, logger: logger)
            } catch let error as OutboxError {
                logger.critical("not forwarding to the county's centre: \(error)", metadata: ["fix": "put [central] hall_id back; countergate doctor"])
                try? await store.noteOutboxFailure("not forwarding: \(error)")
            }
        }
        // Health: every device's heartbeats, debounced; a terminal role down switches the hall to sign-in mode.
        let health = DeviceHealthMonitor(config: config, store: store, clock: clock, logger: logger)
        let fallback = SignInFallback(config: config, store: store, clock: clock, logger: logger)
        try await fallback.restore()
        fallback.attach(to: health)
        // Roles ops rebound (countergate devices replace), discovery of candidates, terminal backups.
        let devices = try await DeviceServices.start(config: config, store: store, clock: clock, logger: logger)
        let notifier = SystemdNotifier()
        // Live events for the pages: device states and the mode as health changes them, print jobs as they go.
        let events = GatewayEvents()
        health.onChange { change in
            events.publish(.device(change))
            events.publish(.mode(fallback.current))
        }
        let api = HallAPI(config: config, store: store, clock: clock, doorbell: devices.doorbell, events: events, bindings: devices.bindings,
                          fallback: fallback, logger: logger)
        let router = HallRoutes.router(config: config, store: store, clock: clock) { api.register(on: $0) }
        var app = Application(
            router: router,
            server: try HallHTTPServer.builder(for: config.http),  // HTTPS when configured; plain HTTP on the LAN refused
            configuration: .init(address: .hostname(config.http.bind, port: config.http.port), serverName: "CounterGate"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.http.port
                logger.info("HTTP listening", metadata: ["address": "\(config.http.bind)", "port": "\(port)",
                                                         "scheme": "\(HallHTTPServer.scheme(for: config.http))"])
                onListening(config.http.bind, port)
                notifier.notify("READY=1\nSTATUS=serving \(config.hall.name) on \(config.http.bind):\(port)")
            },
            logger: logger
        )
        // Terminals that call the gateway (push:SERIAL) are served by the push listener, not read by a sync.
        let terminals = try config.pullTerminals.map {
            var sync = try TerminalSync(device: $0, settings: config.attendance, store: store, clock: clock, logger: logger)
            sync.health = health
            return sync
        }
        app.addServices(extraServices)
        app.addServices(HealthService(monitor: health))
        app.addServices(devices.services)
        if let push = PushTerminalService.make(config: config, store: store, clock: clock, logger: logger, bindings: devices.bindings,
                                               health: health) { app.addServices(push) }  // Gateway/Terminals/Push/
        let readers = startup.readers
        if !readers.isEmpty {
            // A badge sign-in reaches the duty chief's page at once, as a kiosk sign-in does.
            let observer: @Sendable (BadgeActivity) -> Void = { activity in
                guard case .signedIn(let stored, let name) = activity else { return }
                events.publish(.signIn(stored, name: name))
            }
            app.addServices(BadgeTapService(taps: BadgeTaps(config: config, store: store, clock: clock, logger: logger, observer: observer, health: health),
                                            readers: readers))
        }
        let printers = startup.printers
        if !printers.isEmpty {
            var spooler = PrintSpooler(printers: printers, config: config, store: store, clock: clock, logger: logger, doorbell: devices.doorbell)
            spooler.health = health
            spooler.bindings = devices.bindings
            spooler.observer = { event in
                let job: GatewayEvent = switch event {
                case .printed(let id, let on): .job(id: id, state: "done", printer: on)
                case .waiting(let id, let reason): .job(id: id, state: "waiting", reason: reason)
                case .failedOver(let id, let to): .job(id: id, state: "queued", printer: to, reason: "moved to the backup printer")
                case .failed(let id, let reason): .job(id: id, state: "failed", reason: reason)
                }
                events.publish(job)
            }
            app.addServices(PrintSpoolerService(spooler: spooler))
        }
        if !terminals.isEmpty {
            app.addServices(AttendanceSyncService(syncs: terminals, bindings: devices.bindings))
        }
        // A/B post cover (AB岗): a window nobody covers in opening hours is an alert (page event, metric, log).
        if !config.windows.isEmpty {
            app.addServices(PostCoverService(watch: PostCoverWatch(desk: PostCoverDesk(config: config, store: store, clock: clock),
                                                                   events: events, logger: logger)))
        }
        if let forwarder { app.addServices(OutboxForwarderService(forwarder: forwarder)) }
        // The gateway's own database backups ([backup]; Backup/).
        if config.backup.intervalHours > 0 {
            app.addServices(BackupService(config: config, clock: clock, logger: logger))
        }
        if let interval = SystemdNotifier.watchdogInterval(), notifier.isActive {
            app.addServices(WatchdogService(notifier: notifier, interval: interval, logger: logger))
        }
        logger.info("gateway starting", metadata: [
            "hall": "\(config.hall.name)", "config": "\(config.sourceFile ?? "built-in defaults")",
            "store": "\(store.path)", "windows": "\(config.windows.count)", "devices": "\(config.devices.count)",
        ])
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            notifier.notify("STOPPING=1")
            throw error
        }
        notifier.notify("STOPPING=1")
        logger.info("gateway stopped cleanly")
    }
}

/// Watches the windows' A/B cover under the gateway's service group.
struct PostCoverService: Service {
    let watch: PostCoverWatch

    func run() async throws {
        let watch = self.watch
        await runUntilShutdown { await watch.run() }
    }
}

/// Applies the health thresholds as time passes, under the gateway's service group.
struct HealthService: Service {
    let monitor: DeviceHealthMonitor

    func run() async throws {
        let monitor = self.monitor
        await runUntilShutdown { await monitor.run() }
    }
}
