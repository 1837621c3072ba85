// A month summed from judged days. November 2026 has 21 working days (1 November is a Sunday; no holiday). The
// expected figures are worked out by hand below, day by day, not derived by the code under test.
import CounterCore
import Foundation
import Testing

@Suite struct MonthlyAttendanceTests {
    @Test("one person's November: late, early, 缺卡, leave, a meeting, 旷工 whole and half, a day still unread")
    func november() {
        let hours = AttendanceDayTests.hours
        func at(_ day: Int, _ text: String) -> Date {
            HallTime.start(of: CivilDate(year: 2026, month: 11, day: day)!).addingTimeInterval(TimeInterval(ClockTime(text)!.minutes * 60))
        }
        let normal = ["08:30", "12:00", "14:00", "17:00"]
        let special: [Int: [String]] = [
            3: ["08:41", "12:00", "14:00", "17:00"],   // late 11 min; worked 199 + 180
            4: ["08:30", "12:00", "14:00", "16:50"],   // early 10 min; worked 210 + 170
            5: ["08:30", "12:00", "14:00"],            // 缺卡 (no afternoon out); worked 210
            10: ["14:00", "17:00"],                     // personal leave in the morning; worked 180
            11: ["08:30", "12:00"],                     // a meeting in the afternoon (an outing, still present); worked 210
            12: [],                                     // 旷工 a whole day
            13: ["10:45", "12:00", "14:00", "17:00"],  // 135 min late: the morning is 旷工 (half a day); worked 75 + 180
            30: [],                                     // the terminal is not read for the 30th yet: pending
        ]
        let leave = [LeaveSpan(kind: .personal, start: at(10, "08:30"), end: at(10, "12:00")),
                     LeaveSpan(kind: .meeting, start: at(11, "14:00"), end: at(11, "17:00"))]
        let readThrough = at(30, "08:00")
        var days: [AttendanceDay] = []
        for day in 1...30 {
            let date = CivilDate(year: 2026, month: 11, day: day)!
            let kind: DayKind = date.isWeekend ? .weekend : .workday
            let punches = (special[day] ?? normal).map { at(day, $0) }
            days.append(AttendanceJudge.day(date, kind: kind, hours: hours, times: punches, leave: leave, readThrough: readThrough))
        }
        // A day of October in the list does not count for November.
        days.append(AttendanceJudge.day(CivilDate(year: 2026, month: 10, day: 30)!, kind: .workday, hours: hours, times: [], leave: [], readThrough: readThrough))
        let month = MonthlyAttendance(staffID: "D002", year: 2026, month: 11, days: days)
        #expect(month.daysDue == 21)
        #expect(month.pendingDays == 1 && !month.isFinal)
        // 21 - the 30th (pending) - the 10th (leave) - the 12th and 13th (旷工) = 17.
        #expect(month.daysPresent == 17)
        #expect(month.lateCount == 1 && month.lateMinutes == 11)
        #expect(month.earlyCount == 1 && month.earlyMinutes == 10)
        #expect(month.missingPunches == 1)
        #expect(month.leaveShifts == [.personal: 1] && month.outingShifts == 1)
        #expect(month.absentDays == 1.5)
        // 13 ordinary days of 390, then 379, 380, 210, 180, 210, 0, 255 and 0.
        #expect(month.minutesWorked == 13 * 390 + 379 + 380 + 210 + 180 + 210 + 0 + 255)
    }
}
