// Signing in (签到) while a terminal is down: personally, by staff id and PIN or by badge; each sign-in then awaits
// the duty chief's (值班长) confirmation. Works from the store alone, so the CLI, the kiosk API and the gateway's
// badge readers all follow the same rules.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Metrics

/// Why a sign-in was refused, in words for the person at the kiosk (Chinese) and for the log (English).
public enum SignInRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownStaff(String)
    /// The terminal serving this person works: they clock in by fingerprint.
    case notInSignInMode
    /// Nobody may sign in for someone else.
    case notYourself(requestedBy: String)
    case noPIN
    case locked(until: Date)
    case wrongPIN(remaining: Int)
    case alreadySignedIn(at: Date)

    /// What the kiosk shows.
    public var chinese: String {
        switch self {
        case .unknownStaff: return "工号不存在,请核对后重试"
        case .notInSignInMode: return "考勤机工作正常,请按指纹考勤"
        case .notYourself: return "签到须本人进行,不得代签"
        case .noPIN: return "尚未设置签到密码,请联系值班长"
        case .locked(let until): return "密码错误次数过多,已锁定至 \(Self.clockTime(until)),请联系值班长"
        case .wrongPIN(let remaining): return "密码错误,还可尝试 \(remaining) 次"
        case .alreadySignedIn(let at): return "您已于 \(Self.clockTime(at)) 签到,无需重复签到"
        }
    }

    public var description: String {
        switch self {
        case .unknownStaff(let id): return "no staff member \(id); check the staff id"
        case .notInSignInMode: return "the terminal serving this person works; they clock in by fingerprint, sign-in is only for sign-in mode"
        case .notYourself(let by): return "\(by) may not sign in for someone else; each person signs in personally"
        case .noPIN: return "no sign-in PIN is set for this person; set one with countergate staff pin set STAFF-ID"
        case .locked(let until): return "sign-in by PIN is locked after too many wrong PINs, until \(until); the badge still works, or wait"
        case .wrongPIN(let remaining): return "wrong PIN; \(remaining) more tries before the lock"
        case .alreadySignedIn(let at): return "already signed in at \(at)"
        }
    }

    static func clockTime(_ date: Date) -> String {
        let parts = Calendar.chinaStandard.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}

extension Calendar {
    static let chinaStandard: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = HallTime.chinaStandardTime
        return calendar
    }()
}

/// The sign-in desk: the rules of signing in.
public struct SignInDesk: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock
    public let policy: PINPolicy
    /// A second sign-in within this time of the last is refused as a repeat.
    public var repeatWindow: TimeInterval = 10 * 60

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock) {
        self.config = config
        self.store = store
        self.clock = clock
        policy = PINPolicy(maximumFailures: config.fallback.pinMaxFailures, lockout: TimeInterval(config.fallback.pinLockoutMinutes * 60))
    }

    /// The hall's modes as the store has them.
    public func modes() async throws -> HallAttendanceMode {
        let terminals = config.devices.filter { $0.kind == .terminal }
        var served = Dictionary(terminals.map { ($0.role, $0.windows) }, uniquingKeysWith: { $0.union($1) })
        let stored = try await store.attendanceModes()
        // A role in sign-in mode that the configuration no longer names still counts, for the whole hall.
        for role in stored.keys where served[role] == nil { served[role] = Set(config.windows.map(\.number)) }
        var hall = HallAttendanceMode(windowsServed: served, scope: config.fallback.scope)
        for (role, state) in stored { hall.restore(role: role, mode: state.mode, since: state.since, reason: state.reason) }
        return hall
    }

    /// The terminal role in sign-in mode that this person signs in for, or nil when they must clock in normally.
    public func fallbackRole(for person: Staff, in hall: HallAttendanceMode) -> String? {
        let down = hall.roles.filter { $0.value.isFallback }.map(\.key).sorted()
        guard !down.isEmpty else { return nil }
        guard let window = person.window else { return down.first }  // duty chiefs, ops: the hall's mode
        switch hall.scope {
        case .hall: return down.first { hall.windowsServed[$0]?.contains(window) ?? false } ?? down.first
        case .servedWindows: return down.first { hall.windowsServed[$0]?.contains(window) ?? false }
        }
    }

    /// Signs a person in with their staff id and PIN.
    /// - Parameter requestedBy: who is asking, when known (a staff token); anyone but the person is refused.
    public func signIn(staffID: String, pin: String, requestedBy: String? = nil) async throws -> StoredSignIn {
        if let requestedBy, requestedBy != staffID { throw SignInRefusal.notYourself(requestedBy: requestedBy) }
        guard let person = try await store.staff(id: staffID) else { throw SignInRefusal.unknownStaff(staffID) }
        guard let role = fallbackRole(for: person, in: try await modes()) else { throw SignInRefusal.notInSignInMode }
        guard let stored = try await store.pin(ofStaff: staffID) else { throw SignInRefusal.noPIN }
        let now = clock.now()
        if stored.attempts.isLocked(at: now), let until = stored.attempts.lockedUntil { throw SignInRefusal.locked(until: until) }
        var attempts = stored.attempts
        guard stored.hash.matches(pin) else {
            attempts.failed(at: now, policy: policy)
            try await store.recordPINAttempts(attempts, staffID: staffID, at: now)
            Counter(label: "countergate_sign_in_refusals_total", dimensions: [("reason", "wrong-pin")]).increment()
            if let until = attempts.lockedUntil, attempts.isLocked(at: now) { throw SignInRefusal.locked(until: until) }
            throw SignInRefusal.wrongPIN(remaining: max(policy.maximumFailures - attempts.failures, 0))
        }
        if attempts.failures > 0 {
            attempts.succeeded()
            try await store.recordPINAttempts(attempts, staffID: staffID, at: now)
        }
        return try await record(person, role: role, method: .pin, at: now)
    }

    /// Signs in the owner of a badge tapped at a working reader.
    public func signIn(badgeOwner staffID: String) async throws -> StoredSignIn {
        guard let person = try await store.staff(id: staffID) else { throw SignInRefusal.unknownStaff(staffID) }
        guard let role = fallbackRole(for: person, in: try await modes()) else { throw SignInRefusal.notInSignInMode }
        return try await record(person, role: role, method: .badge, at: clock.now())
    }

    private func record(_ person: Staff, role: String, method: SignInMethod, at now: Date) async throws -> StoredSignIn {
        if let last = try await store.latestSignIn(ofStaff: person.id), now.timeIntervalSince(last.signIn.at) < repeatWindow {
            throw SignInRefusal.alreadySignedIn(at: last.signIn.at)
        }
        let signIn = try await store.record(signIn: SignIn(staffID: person.id, at: now, method: method, terminalRole: role))
        Counter(label: "countergate_sign_ins_total", dimensions: [("method", method.rawValue)]).increment()
        return signIn
    }

    /// Sets a person's PIN after checking it against the rules.
    public func setPIN(_ pin: String, staffID: String, actor: String, iterations: Int = PINHash.defaultIterations) async throws {
        try policy.check(newPIN: pin)
        try await store.setPIN(PINHash.make(pin: pin, iterations: iterations), staffID: staffID, actor: actor, at: clock.now())
    }
}
