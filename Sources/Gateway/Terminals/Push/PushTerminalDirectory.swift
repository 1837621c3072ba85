// Which serial numbers the push listener serves: those of terminals bound to a configured terminal role now (by the
// configuration, or by ops approving a candidate). Everything else is a stranger whose data is not stored.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Synchronization

/// A push terminal the gateway serves: its serial and the device as bound to its role.
struct ServedPushTerminal: Sendable, Equatable {
    let serial: String
    /// The role's device as the services use it (the role's settings, the bound device's id and address).
    let device: HallConfiguration.Device
}

/// Resolves serial numbers to served terminals through the role bindings, and keeps the health monitor following the
/// device bound to each push role.
final class PushTerminalDirectory: Sendable {
    let config: HallConfiguration
    let bindings: RoleBindings
    let store: HallStore
    let health: DeviceHealthMonitor?
    let logger: Logger
    private let state = Mutex<(followed: [String: String], lastRefresh: ContinuousClock.Instant?)>(([:], nil))

    init(config: HallConfiguration, bindings: RoleBindings, store: HallStore, health: DeviceHealthMonitor?, logger: Logger) {
        self.config = config
        self.bindings = bindings
        self.store = store
        self.health = health
        self.logger = logger
    }

    /// Every terminal role bound to a push terminal now.
    func served() -> [ServedPushTerminal] {
        config.devices.filter { $0.kind == .terminal }.compactMap { configured in
            guard let device = bindings.device(for: configured.role), let serial = device.link.pushSerial else { return nil }
            return ServedPushTerminal(serial: serial, device: device)
        }
    }

    /// The served terminal with this serial, or nil for a serial no role is bound to. A miss reads the bindings from
    /// the store first (at most once a second), so a terminal ops just approved is served at its next call.
    func lookup(_ serial: String) async -> ServedPushTerminal? {
        if let found = served().first(where: { $0.serial == serial }) { return following(found) }
        let due = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            guard state.lastRefresh.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            state.lastRefresh = now
            return true
        }
        guard due else { return nil }
        do { bindings.update(try await store.roleBindings()) } catch {
            logger.warning("role bindings unreadable; serving the terminals known so far", metadata: ["error": "\(error)"])
        }
        return served().first(where: { $0.serial == serial }).map(following)
    }

    /// Makes the health monitor count the terminal's calls for its role (once per device bound).
    private func following(_ terminal: ServedPushTerminal) -> ServedPushTerminal {
        let changed = state.withLock { state -> Bool in
            guard state.followed[terminal.device.role] != terminal.device.id else { return false }
            state.followed[terminal.device.role] = terminal.device.id
            return true
        }
        if changed { health?.follow(terminal.device) }
        return terminal
    }
}
