// A push terminal's calls are its heartbeat: each one is an answer for the health model, and silence past
// `offline_after_missed_polls` poll intervals is reported as a failure, so a push terminal that stops calling goes
// offline (and the hall into sign-in mode) exactly as a pull terminal that stops answering.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Synchronization

/// Watches the served push terminals' calls; also sweeps expired commands and writes the users' backups due.
final class PushTerminalWatchdog: Sendable {
    let directory: PushTerminalDirectory
    let health: DeviceHealthMonitor?
    let store: HallStore
    let copy: PushTerminalCopy
    let clock: any HallClock
    let settings: HallConfiguration.Push
    let logger: Logger
    /// When each serial last called; a terminal not heard since the start counts from the start.
    private let heard = Mutex<[String: Date]>([:])
    private let started: Date
    private let lastSweep = Mutex<Date?>(nil)

    init(directory: PushTerminalDirectory, health: DeviceHealthMonitor?, store: HallStore, copy: PushTerminalCopy, clock: any HallClock,
         settings: HallConfiguration.Push, logger: Logger) {
        self.directory = directory
        self.health = health
        self.store = store
        self.copy = copy
        self.clock = clock
        self.settings = settings
        self.logger = logger
        started = clock.now()
    }

    /// A served terminal called: an answer for its role's health.
    func called(_ terminal: ServedPushTerminal) async {
        heard.withLock { $0[terminal.serial] = clock.now() }
        await health?.report(terminal.device.id, .answered(.idle))
    }

    /// When a serial last called, if it has since the gateway started.
    func lastCall(_ serial: String) -> Date? { heard.withLock { $0[serial] } }

    /// One look: every served terminal silent for longer than its threshold is reported failing (again at each look,
    /// so the health model's offline threshold runs from the first); expired commands are reported; backups due are
    /// written.
    func check() async {
        let now = clock.now()
        let silence = TimeInterval(settings.silenceSeconds)
        for terminal in directory.served() {
            let last = heard.withLock { $0[terminal.serial] } ?? started
            let quiet = now.timeIntervalSince(last)
            guard quiet > silence else { continue }
            await health?.report(terminal.device.id, .unreachable(reason: """
                push terminal \(terminal.serial) has not called for \(Int(quiet)) s (it polls every \(settings.delaySeconds) s): \
                check its power and network, and that its server address (服务器地址) is this gateway, port \(settings.port)
                """))
        }
        let sweep = lastSweep.withLock { last -> Bool in
            guard last.map({ now.timeIntervalSince($0) >= 5 }) ?? true else { return false }
            last = now
            return true
        }
        if sweep {
            do {
                for command in try await store.expirePushCommands(at: now) {
                    logger.warning("a command for a push terminal expired without a result", metadata: [
                        "serial": "\(command.serial)", "id": "\(command.id)", "command": "\(command.command.prefix(60))",
                        "attempts": "\(command.attempts)", "fix": "check the terminal polls (countergate terminal info --role …), then queue the command again"])
                }
            } catch {
                logger.error("push commands could not be swept: \(error)")
            }
        }
        await copy.flush()
    }

    /// Looks every `interval` until cancelled (a timer: the terminals' calls arrive on their own).
    func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            await check()
            do { try await Task.sleep(for: interval) } catch { break }
        }
    }
}
