// A stored mode read back: one rule for the fallback controller at start and the sign-in desk.
import CounterCore
import Foundation
import Testing

@Suite struct AttendanceModeRestoreTests {
    @Test("an outage comes back as an outage (the terminal ends it), an order as an order (the duty chief lifts it)")
    func restore() throws {
        let since = Date(timeIntervalSince1970: 1_795_660_200)
        var hall = HallAttendanceMode(windowsServed: ["entrance": [1, 2], "side": [3], "back": [1]], scope: .servedWindows)
        hall.restore(role: "entrance", mode: "sign-in", since: since, reason: "terminal down: no answer")
        hall.restore(role: "side", mode: "sign-in", since: since, reason: ModeChangeReason.dutyChiefOrder(by: "D007", note: "指纹头失灵").description)
        hall.restore(role: "back", mode: "normal", since: since, reason: "terminal working again")
        hall.restore(role: "gone", mode: "sign-in", since: since, reason: "terminal down: no answer")
        #expect(hall.roles["back"] == .normal && hall.roles["gone"] == nil)
        #expect(hall.requiresSignIn(window: 2) && hall.requiresSignIn(window: 3))
        // The duty chief may lift the order, not the outage.
        #expect(throws: ModeTransitionError.self) {
            try hall.apply(.dutyChiefLeavesFallback(role: "entrance", at: since, by: "D007", note: "好了"))
        }
        _ = try hall.apply(.dutyChiefLeavesFallback(role: "side", at: since, by: "D007", note: "好了"))
        #expect(hall.roles["side"] == .normal)
    }
}
