// Sign-in fallback (签到考勤): a terminal role down past its threshold puts the hall (or the windows it serves) into
// sign-in mode; back past its threshold, the hall leaves it and the outage is reconciled.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Metrics
import Synchronization

/// What the fallback did, for tests and the pages.
public enum FallbackActivity: Sendable {
    case entered(role: String, reason: String)
    case left(role: String, records: Int, conflicts: Int)
}

/// Follows the terminals' health and switches the attendance mode (``HallAttendanceMode``) on its own.
public final class SignInFallback: Sendable {
    let config: HallConfiguration
    let store: HallStore
    let clock: any HallClock
    let logger: Logger
    let observer: (@Sendable (FallbackActivity) -> Void)?
    private let mode: Mutex<HallAttendanceMode>

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger,
                observer: (@Sendable (FallbackActivity) -> Void)? = nil) {
        self.config = config
        self.store = store
        self.clock = clock
        self.logger = logger
        self.observer = observer
        let terminals = config.devices.filter { $0.kind == .terminal }
        mode = Mutex(HallAttendanceMode(windowsServed: Dictionary(terminals.map { ($0.role, $0.windows) }, uniquingKeysWith: { $0.union($1) }),
                                        scope: config.fallback.scope))
    }

    /// Takes up the modes the store kept (a gateway restarted during an outage stays in sign-in mode until the
    /// terminal is seen working again).
    public func restore() async throws {
        let stored = try await store.attendanceModes()
        mode.withLock { hall in
            for (role, state) in stored { hall.restore(role: role, mode: state.mode, since: state.since, reason: state.reason) }
        }
    }

    /// The hall's modes now.
    public var current: HallAttendanceMode { mode.withLock { $0 } }

    /// Listens to the health monitor.
    public func attach(to monitor: DeviceHealthMonitor) {
        monitor.onChange { [self] change in await handle(change) }
    }

    /// A terminal's power changed.
    public func handle(_ change: DeviceHealthChange) async {
        guard change.device.kind == .terminal else { return }
        let role = change.device.role
        switch change.transition.to {
        case .offline:
            let detail = change.transition.reason ?? "no answer"
            guard let transition = try? mode.withLock({ hall throws(ModeTransitionError) in
                try hall.apply(.terminalDown(role: role, at: change.transition.at, detail: detail))
            }) else { return }
            await record(transition)
            logger.warning("sign-in mode (签到考勤): terminal \(role) is down; staff sign in personally, the duty chief confirms",
                           metadata: ["role": "\(role)", "reason": "\(detail)"])
            observer?(.entered(role: role, reason: detail))
        case .online:
            // Only an outage ends by itself; a duty chief's order is lifted by a duty chief.
            let outageStart: Date? = mode.withLock { hall in
                if case .signInFallback(let since, .terminalDown) = hall.roles[role] { return since } else { return nil }
            }
            guard let outageStart,
                  let transition = try? mode.withLock({ hall throws(ModeTransitionError) in
                      try hall.apply(.terminalBack(role: role, at: change.transition.at))
                  }) else { return }
            await record(transition)
            // The terminal was failing for enter_after_seconds before the mode changed: the outage began then.
            let from = outageStart.addingTimeInterval(-TimeInterval(config.fallback.enterAfterSeconds))
            let (records, conflicts) = await reconcile(role: role, from: from, to: clock.now())
            logger.notice("normal attendance again: terminal \(role) works; the outage is reconciled",
                          metadata: ["role": "\(role)", "records": "\(records)", "conflicts": "\(conflicts)",
                                     "review": "countergate attendance conflicts"])
            observer?(.left(role: role, records: records, conflicts: conflicts))
        case .unknown:
            break
        }
    }

    /// What lifting sign-in mode by hand reconciled.
    public struct Reconciled: Sendable, Equatable {
        public let records: Int
        public let conflicts: Int
        /// Why the reconciliation failed (the mode was lifted all the same), with the command that does it again.
        public let problem: String?
    }

    /// The duty chief switches a terminal role by hand (a terminal that answers but reads nobody, say). Leaving sign-in
    /// mode this way reconciles the time it lasted, as the terminal's return does; only a mode a duty chief ordered is
    /// lifted by hand (``ModeTransitionError/outageNotOver(role:)`` otherwise).
    /// - Returns: on leaving, what the reconciliation stored (or why it could not); nil on entering.
    @discardableResult
    public func order(enter: Bool, role: String, by dutyChief: String, note: String) async throws(ModeTransitionError) -> Reconciled? {
        let now = clock.now()
        let (transition, since) = try mode.withLock { hall throws(ModeTransitionError) -> (ModeTransition, Date?) in
            let since: Date? = if case .signInFallback(let since, _) = hall.roles[role] { since } else { nil }
            let transition = try hall.apply(enter ? .dutyChiefEntersFallback(role: role, at: now, by: dutyChief, note: note)
                                                  : .dutyChiefLeavesFallback(role: role, at: now, by: dutyChief, note: note))
            return (transition, since)
        }
        await record(transition, actor: dutyChief)
        if enter {
            logger.warning("sign-in mode (签到考勤) ordered by duty chief \(dutyChief) for terminal \(role)", metadata: ["note": "\(note)"])
            observer?(.entered(role: role, reason: transition.reason.description))
            return nil
        }
        let from = since ?? now
        do {
            let (records, conflicts) = try await reconcileOrThrow(role: role, from: from, to: now)
            logger.notice("normal attendance again by duty chief \(dutyChief)'s order; the time in sign-in mode is reconciled",
                          metadata: ["role": "\(role)", "records": "\(records)", "conflicts": "\(conflicts)"])
            observer?(.left(role: role, records: records, conflicts: conflicts))
            return Reconciled(records: records, conflicts: conflicts, problem: nil)
        } catch {
            let day = CivilDate(from).description
            let problem = "\(error); run countergate attendance reconcile --role \(role) --from \(day)"
            logger.error("normal attendance again by duty chief \(dutyChief)'s order, but the time in sign-in mode was not reconciled: \(problem)")
            observer?(.left(role: role, records: 0, conflicts: 0))
            return Reconciled(records: 0, conflicts: 0, problem: problem)
        }
    }

    /// Reconciles the punches and sign-ins of `from`...`to` for a terminal role, and stores the outcome.
    @discardableResult
    public func reconcile(role: String, from: Date, to: Date) async -> (records: Int, conflicts: Int) {
        do {
            return try await reconcileOrThrow(role: role, from: from, to: to)
        } catch {
            logger.error("the outage of \(role) could not be reconciled: \(error); run countergate attendance reconcile --role \(role) --from DAY")
            return (0, 0)
        }
    }

    /// ``reconcile(role:from:to:)`` with the store's error thrown (`countergate attendance reconcile`).
    public func reconcileOrThrow(role: String, from: Date, to: Date) async throws -> (records: Int, conflicts: Int) {
        do {
            let punches = try await store.punches(from: from, to: to.addingTimeInterval(1)).compactMap { stored in
                stored.punch.staffID.map { ReconcilablePunch(id: stored.id, staffID: $0, at: stored.punch.at) }
            }
            let signIns = try await store.signIns(from: from, to: to).filter { $0.signIn.terminalRole == role }.map {
                ReconcilableSignIn(id: $0.id, staffID: $0.signIn.staffID, at: $0.signIn.at, status: $0.signIn.status)
            }
            let rules = Reconciliation(sameMoment: TimeInterval(config.fallback.reconcileMatchMinutes * 60))
            let result = rules.reconcile(punches: punches, signIns: signIns)
            return try await store.store(reconciliation: result, terminalRole: role, at: clock.now())
        }
    }

    private func record(_ transition: ModeTransition, actor: String = "gateway") async {
        let to = transition.to.isFallback ? "sign-in" : "normal"
        Counter(label: "countergate_mode_changes_total", dimensions: [("role", transition.role), ("to", to)]).increment()
        Gauge(label: "countergate_sign_in_mode", dimensions: [("role", transition.role)]).record(transition.to.isFallback ? 1 : 0)
        do { try await store.record(modeTransition: transition, actor: actor) } catch {
            logger.error("mode change not stored: \(error)", metadata: ["role": "\(transition.role)"])
        }
    }
}

extension ModeChangeReason {
    var isDutyChiefOrder: Bool { if case .dutyChiefOrder = self { true } else { false } }
}
