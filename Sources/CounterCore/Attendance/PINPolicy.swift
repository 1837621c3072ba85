// Sign-in PINs: what a PIN may be, and when repeated wrong PINs lock a person's sign-in (pure, clock injected).
import Foundation

/// A PIN that the rules refuse.
public enum PINRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    case notDigits
    case wrongLength(min: Int, max: Int)
    case tooSimple

    public var description: String {
        switch self {
        case .notDigits: return "a PIN is digits only (密码只能是数字)"
        case .wrongLength(let min, let max): return "a PIN has \(min) to \(max) digits (密码为\(min)至\(max)位数字)"
        case .tooSimple: return "this PIN is too easy to guess (all one digit, or a run like 1234); choose another (密码过于简单)"
        }
    }
}

/// The PIN rules of the hall's sign-in.
public struct PINPolicy: Sendable, Hashable {
    public var minimumLength: Int
    public var maximumLength: Int
    /// Wrong PINs in a row that lock the person's sign-in.
    public var maximumFailures: Int
    /// How long a lock lasts.
    public var lockout: TimeInterval

    public init(minimumLength: Int = 4, maximumLength: Int = 8, maximumFailures: Int = 5, lockout: TimeInterval = 15 * 60) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.maximumFailures = maximumFailures
        self.lockout = lockout
    }

    /// Checks a new PIN before it is set.
    public func check(newPIN pin: String) throws(PINRuleError) {
        guard !pin.isEmpty, pin.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notDigits }
        guard (minimumLength...maximumLength).contains(pin.count) else { throw .wrongLength(min: minimumLength, max: maximumLength) }
        let digits = pin.compactMap(\.wholeNumberValue)
        let steps = Set(zip(digits, digits.dropFirst()).map { ($1 - $0 + 10) % 10 })
        if steps.count == 1 && [0, 1, 9].contains(steps.first!) { throw .tooSimple }
    }
}

/// One person's run of wrong PINs.
public struct PINAttempts: Sendable, Hashable, Codable {
    public private(set) var failures: Int
    public private(set) var lockedUntil: Date?

    public init(failures: Int = 0, lockedUntil: Date? = nil) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }

    /// Whether sign-in by PIN is locked at `time`.
    public func isLocked(at time: Date) -> Bool {
        guard let lockedUntil else { return false }
        return time < lockedUntil
    }

    /// A wrong PIN at `time`: counts it, and locks when the policy's limit is reached. A lock that has run out
    /// starts a fresh count.
    public mutating func failed(at time: Date, policy: PINPolicy) {
        if let lockedUntil, time >= lockedUntil {
            self.lockedUntil = nil
            failures = 0
        }
        failures += 1
        if failures >= policy.maximumFailures { lockedUntil = time.addingTimeInterval(policy.lockout) }
    }

    /// The right PIN: the count starts again.
    public mutating func succeeded() {
        failures = 0
        lockedUntil = nil
    }
}
