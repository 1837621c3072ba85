// Device health: observations from heartbeats, debounced into a power state with hysteresis (pure, clock injected).
import Foundation

/// What one heartbeat found.
public enum HealthObservation: Sendable, Hashable {
    /// The device answered; `state` is what it is doing (idle, busy, or an error such as "out of paper").
    case answered(DeviceOperationalState)
    /// The device did not answer, or its link is gone; `reason` says what failed, for ops.
    case unreachable(reason: String)
}

/// How long a condition must last before the power state follows it. Going offline and coming back have
/// separate thresholds; the time a condition must last is what stops a device that answers every other
/// heartbeat from flapping.
public struct HealthThresholds: Sendable, Hashable {
    /// How long a device must fail without a single answer before it is offline.
    public var offlineAfter: TimeInterval
    /// How long it must answer without a single failure before it is online again.
    public var onlineAfter: TimeInterval

    public init(offlineAfter: TimeInterval, onlineAfter: TimeInterval) {
        self.offlineAfter = offlineAfter
        self.onlineAfter = onlineAfter
    }
}

/// A change of a device's health, to be stored, audited and counted.
public struct HealthTransition: Sendable, Hashable {
    public let from: DevicePowerState
    public let to: DevicePowerState
    public let at: Date
    /// Why: the failure that lasted (`to == .offline`), or nil.
    public let reason: String?

    public init(from: DevicePowerState, to: DevicePowerState, at: Date, reason: String?) {
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
    }
}

/// One device's health: the raw observations in, the debounced power state and the latest operational state out.
///
/// - From `unknown` (just started), the first answer makes the device online at once, and failures lasting
///   `offlineAfter` make it offline.
/// - From `online`, it goes offline only when it has failed for `offlineAfter` with no answer in between.
/// - From `offline`, it comes back only when it has answered for `onlineAfter` with no failure in between.
///
/// Time moves on with each observation, and with ``evaluate(at:)`` when nothing is observed (a heartbeat that
/// hangs is a failure the caller reports; silence alone changes nothing).
public struct DeviceHealthTracker: Sendable, Hashable {
    public let thresholds: HealthThresholds
    public private(set) var power: DevicePowerState = .unknown
    /// What the device last said it was doing; `error` with the failure while it does not answer.
    public private(set) var operational: DeviceOperationalState = .idle
    /// The start of the current run of failures, if failing.
    public private(set) var failingSince: Date?
    /// The start of the current run of answers, if answering.
    public private(set) var answeringSince: Date?
    private var lastFailure: String?

    public init(thresholds: HealthThresholds) {
        self.thresholds = thresholds
    }

    /// Takes in one heartbeat's result; returns the power change it caused, if any.
    public mutating func observe(_ observation: HealthObservation, at time: Date) -> HealthTransition? {
        switch observation {
        case .answered(let state):
            operational = state
            failingSince = nil
            if answeringSince == nil { answeringSince = time }
        case .unreachable(let reason):
            operational = .error(reason: reason)
            lastFailure = reason
            answeringSince = nil
            if failingSince == nil { failingSince = time }
        }
        return evaluate(at: time)
    }

    /// Applies the thresholds at `time`; returns the power change, if one is due.
    public mutating func evaluate(at time: Date) -> HealthTransition? {
        let next: DevicePowerState
        switch power {
        case .unknown:
            if answeringSince != nil { next = .online }
            else if let since = failingSince, time.timeIntervalSince(since) >= thresholds.offlineAfter { next = .offline }
            else { return nil }
        case .online:
            guard let since = failingSince, time.timeIntervalSince(since) >= thresholds.offlineAfter else { return nil }
            next = .offline
        case .offline:
            guard let since = answeringSince, time.timeIntervalSince(since) >= thresholds.onlineAfter else { return nil }
            next = .online
        }
        let transition = HealthTransition(from: power, to: next, at: time, reason: next == .offline ? lastFailure : nil)
        power = next
        return transition
    }

    /// When the pending change (if any) becomes due, so a caller can re-evaluate then without polling.
    public var nextDecision: Date? {
        switch power {
        case .unknown, .online: return failingSince.map { $0.addingTimeInterval(thresholds.offlineAfter) }
        case .offline: return answeringSince.map { $0.addingTimeInterval(thresholds.onlineAfter) }
        }
    }
}
