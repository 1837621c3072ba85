// Punch identity, sign-in review rules and the attendance mode state machine.
import Foundation
import Testing
@testable import CounterCore

@Suite struct AttendanceTests {
    let t0 = Date(timeIntervalSince1970: 1_772_000_000)

    @Test func punchIdentityIgnoresSubSeconds() {
        let a = Punch(terminalSerial: "A1", terminalUserID: "5", at: t0.addingTimeInterval(0.4), verification: .fingerprint, direction: .checkIn)
        let b = Punch(terminalSerial: "A1", terminalUserID: "5", at: t0, verification: .password, direction: .checkOut)
        #expect(a.identity == b.identity)
        #expect(PunchVerification(terminalCode: 1) == .fingerprint)
        #expect(PunchVerification(code: PunchVerification.other(9).code) == .other(9))
        #expect(PunchDirection(terminalState: 1) == .checkOut)
        #expect(PunchDirection(terminalState: 255) == .unknown)
    }

    @Test func modeMachineEntersAndLeavesWithReasons() throws {
        var mode = HallAttendanceMode(windowsServed: ["entrance-terminal": [1, 2], "annex-terminal": [3]], scope: .servedWindows)
        #expect(!mode.anyFallback)
        let down = try mode.apply(.terminalDown(role: "entrance-terminal", at: t0, detail: "no answer for 90 s"))
        #expect(down.from == .normal)
        #expect(down.to == .signInFallback(since: t0, reason: .terminalDown(detail: "no answer for 90 s")))
        #expect(mode.requiresSignIn(window: 1))
        #expect(!mode.requiresSignIn(window: 3))
        #expect(throws: ModeTransitionError.alreadyInFallback(role: "entrance-terminal", since: t0)) {
            try mode.apply(.terminalDown(role: "entrance-terminal", at: t0.addingTimeInterval(10), detail: "again"))
        }
        // The outage is the terminal's to end: a duty chief cannot lift it while the terminal is down.
        #expect(throws: ModeTransitionError.outageNotOver(role: "entrance-terminal")) {
            try mode.apply(.dutyChiefLeavesFallback(role: "entrance-terminal", at: t0.addingTimeInterval(60), by: "D007", note: "x"))
        }
        let back = try mode.apply(.terminalBack(role: "entrance-terminal", at: t0.addingTimeInterval(600)))
        #expect(back.to == .normal && back.reason == .terminalBack)
        #expect(throws: ModeTransitionError.notInFallback(role: "entrance-terminal")) {
            try mode.apply(.terminalBack(role: "entrance-terminal", at: t0))
        }
        #expect(throws: ModeTransitionError.unknownRole("nope")) { try mode.apply(.terminalBack(role: "nope", at: t0)) }
    }

    @Test func hallScopePutsEveryWindowInSignIn() throws {
        var mode = HallAttendanceMode(windowsServed: ["entrance-terminal": [1]], scope: .hall)
        _ = try mode.apply(.dutyChiefEntersFallback(role: "entrance-terminal", at: t0, by: "D007", note: "reads nobody"))
        #expect(mode.requiresSignIn(window: 9))
        _ = try mode.apply(.dutyChiefLeavesFallback(role: "entrance-terminal", at: t0, by: "D007", note: ""))
        #expect(!mode.requiresSignIn(window: 9))
    }

    @Test func conflictResolutionRules() throws {
        let chief = Staff(id: "D007", name: "赵敏", window: nil, department: "中心", roles: [.dutyChief])
        let clerk = Staff(id: "D001", name: "王建国", window: 1, department: "局", roles: [.clerk])
        #expect(throws: ConflictResolutionError.notDutyChief("D001")) { try ConflictResolution.check(by: clerk, about: "D002", note: "已核实") }
        #expect(throws: ConflictResolutionError.ownConflict) { try ConflictResolution.check(by: chief, about: "D007", note: "已核实") }
        #expect(throws: ConflictResolutionError.noteRequired) { try ConflictResolution.check(by: chief, about: "D001", note: " \n") }
        try ConflictResolution.check(by: chief, about: "D001", note: "已核实")
    }

    @Test func signInReviewRules() throws {
        let chief = Staff(id: "D007", name: "赵敏", window: nil, department: "中心", roles: [.dutyChief])
        let clerk = Staff(id: "D001", name: "王建国", window: 1, department: "局", roles: [.clerk])
        var signIn = SignIn(staffID: "D001", at: t0, method: .pin, terminalRole: "entrance-terminal")
        #expect(throws: SignInReviewError.notDutyChief("D001")) { try signIn.confirm(by: clerk, at: t0) }
        var own = SignIn(staffID: "D007", at: t0, method: .badge, terminalRole: "entrance-terminal")
        #expect(throws: SignInReviewError.ownSignIn) { try own.confirm(by: chief, at: t0) }
        #expect(throws: SignInReviewError.reasonRequired) { try signIn.reject(by: chief, at: t0, reason: " ") }
        try signIn.confirm(by: chief, at: t0)
        #expect(signIn.status == .confirmed(by: "D007", at: t0))
        #expect(throws: SignInReviewError.alreadyReviewed(status: "confirmed")) { try signIn.reject(by: chief, at: t0, reason: "late") }
    }
}
