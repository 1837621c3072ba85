// What the running gateway adds for devices and roles: the role bindings, their watcher, discovery, terminal backups.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import ServiceLifecycle

/// The gateway's device services, made once at start.
public struct DeviceServices: Sendable {
    /// Which device serves each role now; the spooler and the terminal syncs follow it.
    public let bindings: RoleBindings
    /// The spooler's doorbell: the watcher rings it when a printer role is rebound.
    public let doorbell: SpoolerDoorbell
    /// The binding watcher, discovery and the terminal backup schedule, to run beside the other services.
    public let services: [any Service]

    /// Reads the bindings the store holds (an ops binding made while the gateway was stopped counts from the start).
    public static func start(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger) async throws -> DeviceServices {
        let bindings = try await RoleBindings.load(config: config, store: store, logger: logger)
        let doorbell = SpoolerDoorbell()
        var services: [any Service] = [BindingWatcherService(watcher: BindingWatcher(store: store, bindings: bindings, doorbell: doorbell, logger: logger))]
        let (catalog, problems) = DeviceCatalog.load(config)
        for problem in problems { logger.warning("device discovery: \(problem)") }
        let discovery = DeviceDiscovery(store: store, catalog: catalog, scanner: SystemHardwareScanner(), clock: clock, logger: logger)
        services.append(DeviceDiscoveryService(discovery: discovery, rescanInterval: .seconds(config.discovery.rescanIntervalSeconds),
                                               hotplug: config.discovery.hotplug))
        // Started only with something to do. Push terminals' backups are written from the copy their uploads keep.
        if !config.pullTerminals.isEmpty && config.attendance.backupIntervalHours > 0 {
            services.append(TerminalBackupService(config: config, store: store, bindings: bindings, clock: clock, logger: logger))
        }
        return DeviceServices(bindings: bindings, doorbell: doorbell, services: services)
    }
}
