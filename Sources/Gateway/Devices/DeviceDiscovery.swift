// Discovery: rescan on a timer (and sooner on a hot-plug event), store candidates, propose one for a failed role.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import Foundation
import Logging
import ServiceLifecycle

/// What one discovery pass did, for logs, tests and `devices candidates --scan`.
public struct DiscoveryPassReport: Sendable {
    public let match: DeviceMatch
    public let changes: DiscoveryChanges
    /// Proposals made in this pass (role, candidate id); earlier ones are not repeated.
    public let proposed: [(role: String, device: String)]
    public let problems: [String]
}

/// One pass of discovery: scan, recognise, store, propose.
public struct DeviceDiscovery: Sendable {
    public let store: HallStore
    public let catalog: DeviceCatalog
    public let scanner: any HardwareScanner
    public let clock: any HallClock
    public let logger: Logger

    public init(store: HallStore, catalog: DeviceCatalog, scanner: any HardwareScanner = SystemHardwareScanner(), clock: any HallClock, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.scanner = scanner
        self.clock = clock
        self.logger = logger
    }

    public func pass() async throws -> DiscoveryPassReport {
        let scan = await scanner.scan()
        let match = DeviceMatcher.match(scan, catalog: catalog)
        let update = DeviceMatcher.reconcile(match.devices, known: try await store.knownDevices(), printerNodes: scan.printerNodes)
        let now = clock.now()
        let changes = try await store.applyDiscovery(update, at: now)
        for id in changes.added {
            let device = try await store.knownDevice(id: id)
            logger.notice("new device, not bound to a role: a candidate (候选设备)", metadata: [
                "candidate": "\(id)", "profile": "\(device?.identity.profile ?? "?")", "address": "\(device?.identity.address ?? "?")",
                "bind": "countergate devices replace <role> --with \(id)"])
        }
        for id in changes.returned { logger.info("device is back", metadata: ["device": "\(id)"]) }
        for id in changes.gone { logger.notice("device is gone (unplugged?)", metadata: ["device": "\(id)"]) }
        let proposals = DeviceMatcher.proposals(bindings: try await store.roleBindings(), devices: try await store.knownDevices(), catalog: catalog)
        let made = try await store.setProposals(proposals, at: now)
        for (role, device) in made {
            logger.warning("the device of a failed role can be replaced by the one candidate present; binding it is up to ops", metadata: [
                "role": "\(role)", "candidate": "\(device)", "bind": "countergate devices replace \(role) --with \(device)"])
        }
        return DiscoveryPassReport(match: match, changes: changes, proposed: made, problems: scan.problems)
    }
}

/// Runs discovery under the gateway: a pass at start, then every `rescanInterval`, and soon after a libusb hot-plug
/// event where the platform gives them (a container gives none, so the timer is what counts).
public struct DeviceDiscoveryService: Service {
    public let discovery: DeviceDiscovery
    public let rescanInterval: Duration
    public let hotplug: Bool
    /// Told after every pass (tests).
    public var observer: (@Sendable (DiscoveryPassReport) -> Void)?

    public init(discovery: DeviceDiscovery, rescanInterval: Duration, hotplug: Bool, observer: (@Sendable (DiscoveryPassReport) -> Void)? = nil) {
        self.discovery = discovery
        self.rescanInterval = rescanInterval
        self.hotplug = hotplug
        self.observer = observer
    }

    public func run() async throws {
        await runUntilShutdown { await self.runPasses() }
    }

    /// Passes until cancelled.
    public func runPasses() async {
        let logger = discovery.logger
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        if hotplug && !USBHotplug.isSupported {
            logger.info("USB hot-plug events are not available here; rescanning every \(rescanInterval)")
        }
        await withTaskGroup(of: Void.self) { group in
            let interval = rescanInterval
            group.addTask {
                // The rescan timer: the rhythm of discovery, not a synchronisation.
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { break }
                    wake.yield()
                }
            }
            if hotplug && USBHotplug.isSupported {
                group.addTask {
                    for await event in USBHotplug.events() {
                        logger.debug("USB hot-plug event", metadata: ["event": "\(event)"])
                        // udev makes the nodes and links a moment after the event: look once they are there.
                        try? await Task.sleep(for: .milliseconds(500))
                        wake.yield()
                    }
                }
            }
            group.addTask {
                await onePass()
                for await _ in wakeups {
                    if Task.isCancelled { break }
                    await onePass()
                }
            }
            await group.next()
            group.cancelAll()
            wake.finish()
        }
    }

    private func onePass() async {
        do {
            let report = try await discovery.pass()
            observer?(report)
        } catch {
            discovery.logger.error("device discovery failed: \(error); trying again at the next rescan")
        }
    }
}
