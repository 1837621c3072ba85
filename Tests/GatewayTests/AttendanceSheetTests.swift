// GET /api/v1/attendance/sheet: the month judged against the working hours, from what the store holds. The expected
// figures are worked out by hand: November 2026 has 21 working days; the terminal was heard from until the 27th began.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite(.serialized) struct AttendanceSheetTests {
    @Test("late minutes, 旷工 on the days judged, pending after the terminal's last contact; a clerk's window hours")
    func sheet() async throws {
        let hall = try await HallAPITests.hall()
        func at(_ day: Int, _ hour: Int, _ minute: Int) -> Date {
            HallTime.start(of: CivilDate(year: 2026, month: 11, day: day)!).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
        }
        // D001 (terminal user 1) punches on the 26th only: 11 minutes late in the morning.
        let punches = [at(26, 8, 41), at(26, 12, 0), at(26, 14, 0), at(26, 17, 0)].map {
            Punch(terminalSerial: "SN1", terminalUserID: "1", at: $0, verification: .fingerprint, direction: .checkIn, staffID: "D001")
        }
        _ = try await hall.store.record(punches: punches, receivedAt: at(26, 17, 1))
        // Personal leave on the 25th's morning, asked the next day (补办) and approved by the duty chief: half a day excused.
        let desk = LeaveDesk(config: hall.config, store: hall.store, clock: hall.clock)
        // The roster named D007 for the 25th beforehand (a past day's roster is kept as it was).
        hall.clock.set(at(24, 8, 0))
        _ = try await desk.setRoster(days: [CivilDate(at(25, 8, 30))], staffID: "D007", by: "test")
        await #expect(throws: LeaveDeskError.self) { try await desk.setRoster(days: [CivilDate(at(23, 8, 30))], staffID: "D007", by: "test") }
        hall.clock.set(at(26, 8, 30))
        let leave = try await desk.request(for: "D001", kind: .personal, from: at(25, 8, 30), to: at(25, 12, 0), reason: "看病", by: "D001")
        #expect(leave.request.madeUp && leave.request.state == .awaitingApproval)
        _ = try await desk.decide(leave.id, by: "D007", approve: true)
        // A correction (补卡) by the duty chief for the 24th's 17:00: that afternoon has an end punch but no start (缺卡).
        _ = try await desk.correctPunch(of: "D001", at: at(24, 17, 0), reason: "指纹识别失败", by: "D007")
        await #expect(throws: PunchCorrectionError.notADutyChief("D002")) {
            try await desk.correctPunch(of: "D001", at: at(24, 8, 30), reason: "指纹识别失败", by: "D002")
        }
        // The entrance terminal (serving every window) was last heard from at midnight after the 26th.
        _ = try await hall.store.recordDeviceHealth(id: "t1", power: .online, operational: .idle, at: at(27, 0, 0))
        let (_, token) = try await hall.token(.dutyChief)
        try await hall.app(routes: { HallAPITests.api(hall).register(on: $0) }).test(.router) { client in
            try await client.execute(uri: "/api/v1/attendance/sheet?month=2026-11", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                let sheet = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(sheet["month"] as? String == "2026-11" && sheet["final"] as? Bool == false)
                let people = try #require(sheet["people"] as? [[String: Any]])
                let d001 = try #require(people.first { $0["staffId"] as? String == "D001" })
                #expect(d001["daysDue"] as? Int == 21)
                // Judged: the 19 working days from the 2nd to the 26th; pending: the 27th and the 30th.
                #expect(d001["pendingDays"] as? Int == 2)
                #expect(d001["daysPresent"] as? Int == 1)
                #expect(d001["lateCount"] as? Int == 1 && d001["lateMinutes"] as? Int == 11)
                // 18 judged working days without a punch: 旷工, a whole day each, but the 25th's morning was on leave and the
                // 24th's afternoon has the corrected punch (缺卡, not 旷工).
                #expect(d001["absentDays"] as? Double == 17)
                #expect(d001["missingPunches"] as? Int == 1 && d001["corrections"] as? Int == 1)
                #expect(d001["leaveShifts"] as? [String: Int] == ["personal": 1])
                #expect(d001["minutesWorked"] as? Int == 199 + 180)
            }
            try await client.execute(uri: "/api/v1/attendance/sheet?month=2026-13", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
