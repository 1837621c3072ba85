// Device health: every device's heartbeats go in, debounced power changes come out (stored, audited, counted, and
// passed on to whoever listens: the sign-in fallback for terminals).
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Metrics
import Synchronization

/// A device's power state changed.
public struct DeviceHealthChange: Sendable {
    public let device: HallConfiguration.Device
    public let transition: HealthTransition
}

/// What the monitor knows of one device now.
public struct DeviceHealthSnapshot: Sendable {
    public let device: HallConfiguration.Device
    public let power: DevicePowerState
    public let operational: DeviceOperationalState
}

/// Debounces each device's heartbeats into its power state (``DeviceHealthTracker``) and records the changes.
///
/// Terminals go offline after `[fallback] enter_after_seconds` of failures and online after `leave_after_seconds`
/// of answers (the thresholds of sign-in mode); printers and readers use `[health]`.
public final class DeviceHealthMonitor: Sendable {
    let store: HallStore
    let clock: any HallClock
    let logger: Logger
    /// Health is kept per role (what the hall relies on), under the device now bound to it: a replacement device
    /// takes over its role's tracker (``follow(_:)``).
    private let devices: Mutex<[String: HallConfiguration.Device]>
    /// Device id to role, for the configured devices and every device followed since.
    private let roleOfDevice: Mutex<[String: String]>
    private let trackers: Mutex<[String: DeviceHealthTracker]>
    private let listeners = Mutex<[@Sendable (DeviceHealthChange) async -> Void]>([])

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        devices = Mutex(Dictionary(config.devices.map { ($0.role, $0) }, uniquingKeysWith: { first, _ in first }))
        roleOfDevice = Mutex(Dictionary(config.devices.map { ($0.id, $0.role) }, uniquingKeysWith: { first, _ in first }))
        trackers = Mutex(Dictionary(config.devices.map { device in
            (device.role, DeviceHealthTracker(thresholds: Self.thresholds(for: device.kind, in: config)))
        }, uniquingKeysWith: { first, _ in first }))
    }

    /// A device now bound to its role (after `devices replace`): its heartbeats count for the role from now on, and
    /// the role's state is stored under it.
    public func follow(_ device: HallConfiguration.Device) {
        roleOfDevice.withLock { $0[device.id] = device.role }
        devices.withLock { $0[device.role] = device }
    }

    private func role(of deviceID: String) -> String? {
        roleOfDevice.withLock { $0[deviceID] }
    }

    /// The thresholds of a kind of device.
    public static func thresholds(for kind: DeviceKind, in config: HallConfiguration) -> HealthThresholds {
        switch kind {
        case .terminal:
            return HealthThresholds(offlineAfter: TimeInterval(config.fallback.enterAfterSeconds), onlineAfter: TimeInterval(config.fallback.leaveAfterSeconds))
        case .printer, .badgeReader:
            return HealthThresholds(offlineAfter: TimeInterval(config.health.offlineAfterSeconds), onlineAfter: TimeInterval(config.health.onlineAfterSeconds))
        }
    }

    /// Calls `listener` with every power change, in order.
    public func onChange(_ listener: @escaping @Sendable (DeviceHealthChange) async -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// One heartbeat's result for a device.
    public func report(_ deviceID: String, _ observation: HealthObservation) async {
        let now = clock.now()
        guard let role = role(of: deviceID) else { return }
        let outcome = trackers.withLock { all -> (HealthTransition?, DeviceOperationalState, DeviceOperationalState, DevicePowerState)? in
            guard var tracker = all[role] else { return nil }
            let before = tracker.operational
            let transition = tracker.observe(observation, at: now)
            all[role] = tracker
            return (transition, before, tracker.operational, tracker.power)
        }
        guard let (transition, before, after, power) = outcome, let device = devices.withLock({ $0[role] }) else { return }
        if let transition {
            await changed(device, transition, operational: after)
        } else if before != after, power != .unknown {
            do { try await store.recordDeviceHealth(id: device.id, power: power, operational: after, at: now) } catch {
                logger.error("device state not stored: \(error)", metadata: ["device": "\(device.id)"])
            }
        }
    }

    /// Applies the thresholds as time passes: a device that keeps failing goes offline at its threshold even when
    /// its next heartbeat is late.
    public func evaluate() async {
        let now = clock.now()
        let due = trackers.withLock { all -> [(String, HealthTransition, DeviceOperationalState)] in
            var due: [(String, HealthTransition, DeviceOperationalState)] = []
            for (role, var tracker) in all {
                if let transition = tracker.evaluate(at: now) {
                    all[role] = tracker
                    due.append((role, transition, tracker.operational))
                }
            }
            return due
        }
        for (role, transition, operational) in due.sorted(by: { $0.0 < $1.0 }) {
            guard let device = devices.withLock({ $0[role] }) else { continue }
            await changed(device, transition, operational: operational)
        }
    }

    /// Re-evaluates every `interval` until cancelled (a timer, not synchronisation: heartbeats arrive on their own).
    public func run(every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            await evaluate()
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Every device's state now.
    public func snapshot() -> [DeviceHealthSnapshot] {
        let bound = devices.withLock { $0 }
        return trackers.withLock { all in
            all.compactMap { role, tracker in bound[role].map { DeviceHealthSnapshot(device: $0, power: tracker.power, operational: tracker.operational) } }
        }.sorted { $0.device.id < $1.device.id }
    }

    /// The power state of a device's role now.
    public func power(of deviceID: String) -> DevicePowerState {
        guard let role = role(of: deviceID) else { return .unknown }
        return trackers.withLock { $0[role]?.power ?? .unknown }
    }

    private func changed(_ device: HallConfiguration.Device, _ transition: HealthTransition, operational: DeviceOperationalState) async {
        let dimensions = [("device", device.id), ("kind", device.kind.rawValue)]
        Counter(label: "countergate_device_transitions_total", dimensions: dimensions + [("to", transition.to.rawValue)]).increment()
        Gauge(label: "countergate_device_online", dimensions: dimensions).record(transition.to == .online ? 1 : 0)
        var metadata: Logger.Metadata = ["device": "\(device.id)", "role": "\(device.role)", "from": "\(transition.from.rawValue)"]
        if let reason = transition.reason { metadata["reason"] = "\(reason)" }
        if transition.to == .offline {
            logger.warning("\(device.kind.chineseName) \(device.role) is offline (离线)", metadata: metadata)
        } else {
            logger.info("\(device.kind.chineseName) \(device.role) is \(transition.to.rawValue)", metadata: metadata)
        }
        do {
            try await store.recordDeviceHealth(id: device.id, power: transition.to, operational: operational, at: transition.at)
        } catch {
            logger.error("device state not stored: \(error)", metadata: ["device": "\(device.id)"])
        }
        let change = DeviceHealthChange(device: device, transition: transition)
        for listener in listeners.withLock({ $0 }) { await listener(change) }
    }
}
