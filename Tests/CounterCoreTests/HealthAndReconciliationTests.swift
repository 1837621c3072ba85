// Device health debouncing, PIN rules and lockout, and the reconciliation after sign-in mode.
import CounterCore
import Foundation
import Testing

@Suite("device health")
struct DeviceHealthTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    let thresholds = HealthThresholds(offlineAfter: 10, onlineAfter: 20)

    @Test("the first answer makes a new device online; failures make it offline only once they have lasted")
    func firstAnswerAndLastingFailure() {
        var health = DeviceHealthTracker(thresholds: thresholds)
        #expect(health.power == .unknown)
        #expect(health.observe(.answered(.idle), at: t0)?.to == .online)
        #expect(health.observe(.unreachable(reason: "connection refused"), at: t0 + 1) == nil)
        #expect(health.operational == .error(reason: "connection refused"), "the operational state follows at once")
        #expect(health.observe(.unreachable(reason: "connection refused"), at: t0 + 10) == nil)
        #expect(health.nextDecision == t0 + 11)
        let down = health.evaluate(at: t0 + 11)
        #expect(down == HealthTransition(from: .online, to: .offline, at: t0 + 11, reason: "connection refused"))
        // Back: only after answering for 20 s without a failure.
        #expect(health.observe(.answered(.idle), at: t0 + 12) == nil)
        #expect(health.observe(.answered(.busy), at: t0 + 31) == nil)
        #expect(health.observe(.answered(.idle), at: t0 + 32)?.to == .online)
    }

    @Test("a device that never answers goes from unknown to offline after the threshold")
    func neverAnswers() {
        var health = DeviceHealthTracker(thresholds: thresholds)
        #expect(health.observe(.unreachable(reason: "no route"), at: t0) == nil)
        #expect(health.evaluate(at: t0 + 9.9) == nil)
        #expect(health.evaluate(at: t0 + 10)?.to == .offline)
    }

    @Test("50 rapid up/down toggles cause no transition: each run is shorter than its threshold", arguments: [0.2, 1.0, 9.5])
    func noFlapping(period: Double) {
        var health = DeviceHealthTracker(thresholds: thresholds)
        _ = health.observe(.answered(.idle), at: t0)
        var transitions: [HealthTransition] = []
        for i in 0..<100 {
            let time = t0 + Double(i + 1) * period
            if let t = health.observe(i % 2 == 0 ? .unreachable(reason: "flaky") : .answered(.idle), at: time) { transitions.append(t) }
        }
        #expect(transitions.isEmpty)
        #expect(health.power == .online)
    }

    @Test("toggling while offline does not bring it back early")
    func noEarlyReturn() {
        var health = DeviceHealthTracker(thresholds: thresholds)
        _ = health.observe(.unreachable(reason: "down"), at: t0)
        #expect(health.evaluate(at: t0 + 10)?.to == .offline)
        for i in 0..<100 {
            #expect(health.observe(i % 2 == 0 ? .answered(.idle) : .unreachable(reason: "down"), at: t0 + 11 + Double(i) * 5) == nil)
        }
        #expect(health.power == .offline)
    }
}

@Suite("sign-in PINs")
struct PINTests {
    @Test("PIN rules: digits, length, not trivially guessable", arguments: [
        ("4821", nil), ("90817263", nil), ("12a4", PINRuleError.notDigits), ("", .notDigits), ("482", .wrongLength(min: 4, max: 8)),
        ("123456789", .wrongLength(min: 4, max: 8)), ("1111", .tooSimple), ("1234", .tooSimple), ("9876", .tooSimple), ("8901", .tooSimple),
    ] as [(String, PINRuleError?)])
    func rules(pin: String, error: PINRuleError?) {
        let policy = PINPolicy()
        if let error { #expect(throws: error) { try policy.check(newPIN: pin) } } else { #expect(throws: Never.self) { try policy.check(newPIN: pin) } }
    }

    @Test("five wrong PINs lock for 15 minutes; the right one resets the count; a lock that ran out starts afresh")
    func lockout() {
        let policy = PINPolicy()
        let t0 = Date(timeIntervalSince1970: 1_780_000_000)
        var attempts = PINAttempts()
        for i in 0..<4 { attempts.failed(at: t0 + Double(i), policy: policy) }
        #expect(!attempts.isLocked(at: t0 + 5))
        attempts.succeeded()
        for i in 0..<5 { attempts.failed(at: t0 + 10 + Double(i), policy: policy) }
        #expect(attempts.isLocked(at: t0 + 15))
        #expect(attempts.isLocked(at: t0 + 14 + 899))
        #expect(!attempts.isLocked(at: t0 + 14 + 900))
        attempts.failed(at: t0 + 2000, policy: policy)
        #expect(attempts.failures == 1 && !attempts.isLocked(at: t0 + 2000))
    }
}

@Suite("reconciliation after sign-in mode")
struct ReconciliationTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    let chief = SignInStatus.confirmed(by: "D007", at: Date(timeIntervalSince1970: 1_780_003_600))

    @Test("a person with both a punch and a sign-in has one record with both sources")
    func oneRecordBothSources() {
        let result = Reconciliation().reconcile(
            punches: [ReconcilablePunch(id: 1, staffID: "D001", at: t0 + 60)],
            signIns: [ReconcilableSignIn(id: 10, staffID: "D001", at: t0, status: chief)])
        #expect(result.records == [AttendanceRecord(staffID: "D001", at: t0 + 60, punchID: 1, signInID: 10)])
        #expect(result.conflicts.isEmpty)
    }

    @Test("each source alone, rejected and unreviewed sign-ins, and times that disagree")
    func everyCase() {
        let result = Reconciliation().reconcile(
            punches: [ReconcilablePunch(id: 1, staffID: "D002", at: t0), ReconcilablePunch(id: 2, staffID: "D003", at: t0 + 3000),
                      ReconcilablePunch(id: 3, staffID: "D004", at: t0 + 100), ReconcilablePunch(id: 4, staffID: "D005", at: t0 + 5 * 3600)],
            signIns: [ReconcilableSignIn(id: 10, staffID: "D001", at: t0, status: chief),
                      ReconcilableSignIn(id: 11, staffID: "D003", at: t0, status: chief),
                      ReconcilableSignIn(id: 12, staffID: "D004", at: t0, status: .rejected(by: "D007", at: t0, reason: "不在岗")),
                      ReconcilableSignIn(id: 13, staffID: "D006", at: t0, status: .pending),
                      ReconcilableSignIn(id: 14, staffID: "D008", at: t0, status: .rejected(by: "D007", at: t0, reason: "代签")),
                      ReconcilableSignIn(id: 15, staffID: "D005", at: t0, status: chief)])
        #expect(Set(result.records) == [
            AttendanceRecord(staffID: "D001", at: t0, punchID: nil, signInID: 10),
            AttendanceRecord(staffID: "D002", at: t0, punchID: 1, signInID: nil),
            AttendanceRecord(staffID: "D003", at: t0 + 3000, punchID: 2, signInID: 11),
            AttendanceRecord(staffID: "D004", at: t0 + 100, punchID: 3, signInID: 12),
            AttendanceRecord(staffID: "D005", at: t0, punchID: nil, signInID: 15),
            AttendanceRecord(staffID: "D005", at: t0 + 5 * 3600, punchID: 4, signInID: nil),
        ])
        #expect(Set(result.conflicts.map(\.code)) == ["times-disagree", "rejected-but-punched", "unreviewed"])
        #expect(result.conflicts.map(\.staffID).sorted() == ["D003", "D004", "D006"])
        #expect(Dictionary(grouping: result.records, by: \.staffID).values.allSatisfy { $0.count <= 2 })
    }

    @Test("one punch backs one sign-in: two sign-ins near one punch make one paired record and one from the sign-in")
    func punchUsedOnce() {
        let result = Reconciliation().reconcile(
            punches: [ReconcilablePunch(id: 1, staffID: "D001", at: t0 + 30)],
            signIns: [ReconcilableSignIn(id: 10, staffID: "D001", at: t0, status: chief),
                      ReconcilableSignIn(id: 11, staffID: "D001", at: t0 + 8 * 3600, status: chief)])
        #expect(result.records.count == 2)
        #expect(result.records.filter { $0.punchID == 1 }.map(\.signInID) == [10])
    }
}
