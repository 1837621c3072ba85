// A terminal role's sync follows its binding: after `devices replace`, it reads the new terminal, not the dead one.
import CounterConfig
import CounterCore
import Foundation

extension TerminalSync {
    /// The same role's sync on another device (the one ops bound), with this sync's settings and observer.
    ///
    /// The health monitor comes along and follows the new device: the role's health (and so the sign-in fallback)
    /// continues with it.
    public func rebound(to device: HallConfiguration.Device) throws -> TerminalSync {
        var sync = try TerminalSync(device: device, settings: settings, store: store, clock: clock, logger: logger, observer: observer)
        sync.health = health
        health?.follow(device)
        return sync
    }

    /// Runs the sync of the device the role is bound to, and starts over on the new device whenever ops rebind the
    /// role (the old session is ended cleanly first). Returns when cancelled.
    public func runFollowing(_ bindings: RoleBindings) async {
        let role = device.role
        var current = self
        while !Task.isCancelled {
            // Subscribe before looking, so a rebinding between the look and the subscription is not missed.
            let changes = bindings.changes()
            if let bound = bindings.device(for: role), bound != current.device, !bound.link.isPushTerminal {
                do {
                    current = try rebound(to: bound)
                    logger.notice("terminal role rebound; reading the new terminal", metadata: [
                        "role": "\(role)", "device": "\(bound.id)", "address": "\(bound.address)"])
                } catch {
                    logger.error("terminal role \(role) is bound to \(bound.id), which cannot be read: \(error)")
                }
            }
            let running = current
            // A role rebound to a push terminal is served by the push listener: no pull session until it is rebound again.
            let pushBound = bindings.device(for: role)?.link.isPushTerminal ?? false
            let rebinding = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    if pushBound {
                        // Idle until the next rebinding (the task below notices it) cancels this one.
                        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                        return false
                    }
                    await running.run()
                    return false
                }
                group.addTask {
                    for await change in changes where change.role == role && change.to != running.device { return true }
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                await group.waitForAll()
                return first
            }
            if !rebinding { return }
        }
    }
}
