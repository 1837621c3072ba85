// A month of a whole hall computed to the monthly sheet: 20 people at four windows and the hall's office, two terminals
// (east: windows 1 and 2; west: windows 3 and 4), September 2026 with the Mid-Autumn holiday (Fri the 25th) and the
// make-up workday (调休上班, Sun the 20th). The east terminal is down on the 15th and its people sign in; there is
// leave of each kind, a punch after midnight, duplicate punches, a 补卡. The expected figures are worked out by hand
// below (summer hours: 08:30–12:00 and 14:30–17:30, 5 minutes' grace, 旷工 beyond 120 minutes late), not by the code.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Testing
@testable import Gateway

@Suite(.serialized) struct HallMonthTests {
    static func at(_ day: Int, _ hour: Int, _ minute: Int, second: Int = 0) -> Date {
        HallTime.start(of: CivilDate(year: 2026, month: 9, day: day)!).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second))
    }

    static let staffCSV = """
        staff_id,name,window,department,roles,terminal_user_id,post
        D001,王建国,1,县市场监督管理局,clerk|window-lead,1,A
        D002,李秀英,1,县市场监督管理局,clerk,2,B
        D003,张伟,1,县市场监督管理局,clerk,3,
        D004,刘芳,1,县市场监督管理局,clerk,4,
        D005,陈静,2,县自然资源局,clerk,5,A
        D006,杨磊,2,县自然资源局,clerk,6,B
        D007,黄丽,2,县自然资源局,clerk,7,
        D008,周涛,2,县自然资源局,clerk,8,
        D009,吴敏,3,县人力资源和社会保障局,clerk,9,A
        D010,徐强,3,县人力资源和社会保障局,clerk,10,B
        D011,孙燕,3,县人力资源和社会保障局,clerk,11,
        D012,马超,3,县人力资源和社会保障局,clerk,12,
        D013,朱红,4,县公安局,clerk,13,A
        D014,胡军,4,县公安局,clerk,14,B
        D015,郭玲,4,县公安局,clerk,15,
        D016,何平,4,县公安局,clerk,16,
        D017,赵敏,,县政务服务中心,duty-chief,17,
        D018,周洁,,县政务服务中心,duty-chief,18,
        D019,吴刚,,县政务服务中心,inspection,19,
        D020,郑主任,,县政务服务中心,leader,20,

        """

    /// The 22 working days of September 2026: weekdays but the 25th (中秋节), and Sunday the 20th (调休上班).
    static let workingDays = [1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 28, 29, 30]

    @Test("a month of a hall of 20 people, two terminals, one down a day, leave of each kind: the sheet's figures worked out by hand")
    func september() async throws {
        let hall = try await APITestHall { config in
            config.windows = (1...4).map { ServiceWindow(number: $0, name: "\($0)号窗口", department: "部门\($0)") }
            config.devices = [
                try HallConfiguration.Device(id: "east", kind: .terminal, role: "east-terminal", profile: "zk-generic",
                                             address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [1, 2]),
                try HallConfiguration.Device(id: "west", kind: .terminal, role: "west-terminal", profile: "zk-generic",
                                             address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [3, 4]),
            ]
        }
        hall.clock.set(Self.at(1, 7, 0))
        try await GatewayRuntime.syncConfiguration(hall.config, store: hall.store, clock: hall.clock)
        _ = try await hall.store.importStaff(try StaffList.parse(Self.staffCSV, windows: [1, 2, 3, 4]), actor: "test", at: hall.clock.now())
        let east: Set<String> = Set((1...8).map { String(format: "D%03d", $0) })

        // Everybody's usual day: 08:20, 12:05, 14:20, 17:35 (on time; 210 + 180 = 390 minutes worked).
        var punches: [Punch] = []
        func punch(_ staff: String, _ time: Date) {
            let user = String(Int(staff.dropFirst())!)
            punches.append(Punch(terminalSerial: east.contains(staff) ? "EAST" : "WEST", terminalUserID: user, at: time,
                                 verification: .fingerprint, direction: .checkIn, staffID: staff))
        }
        func usual(_ staff: String, _ day: Int) {
            for (h, m) in [(8, 20), (12, 5), (14, 20), (17, 35)] { punch(staff, Self.at(day, h, m)) }
        }
        // What departs from the usual day, by person and day.
        let exceptions: [String: Set<Int>] = [
            "D001": [15], "D002": [8, 15], "D003": [9, 15], "D004": [15], "D005": [10, 15], "D006": [11, 15], "D007": [14, 15], "D008": [15],
            "D009": [16], "D010": [17], "D011": [1], "D012": [2], "D013": [3], "D014": [4], "D015": [7], "D016": [22], "D017": [20], "D019": [24],
        ]
        for n in 1...20 {
            let staff = String(format: "D%03d", n)
            for day in Self.workingDays where !(exceptions[staff] ?? []).contains(day) { usual(staff, day) }
        }
        punch("D003", Self.at(9, 14, 20)); punch("D003", Self.at(9, 17, 35))                     // afternoon after the morning's leave
        punch("D005", Self.at(10, 8, 20)); punch("D005", Self.at(10, 12, 5))                     // morning before the afternoon's outing
        for (h, m) in [(10, 5), (12, 5), (14, 20), (17, 35)] { punch("D009", Self.at(16, h, m)) }  // late on business until 10:00
        for (h, m) in [(8, 20), (12, 5), (14, 20), (16, 2)] { punch("D010", Self.at(17, h, m)) }   // early on business from 16:00
        for (h, m) in [(8, 41), (12, 5), (14, 20), (17, 35)] { punch("D011", Self.at(1, h, m)) }   // 11 minutes late
        for (h, m) in [(8, 20), (12, 5), (14, 20), (17, 10)] { punch("D012", Self.at(2, h, m)) }   // 20 minutes early
        for (h, m) in [(10, 45), (12, 5), (14, 20), (17, 35)] { punch("D013", Self.at(3, h, m)) }  // 135 minutes late: the morning is 旷工
        for (h, m) in [(8, 20), (14, 20), (17, 35)] { punch("D014", Self.at(4, h, m)) }            // no 12:05: 缺卡
        // D015: nothing on the 7th (旷工). D017: nothing on Sunday the 20th, a make-up workday (旷工).
        for (h, m) in [(8, 20), (12, 5), (14, 20)] { punch("D016", Self.at(22, h, m)) }            // left at night ...
        punch("D016", Self.at(23, 0, 30))                                                          // ... punched 00:30 the 23rd
        for (h, m) in [(8, 20), (12, 5), (14, 20)] { punch("D019", Self.at(24, h, m)) }            // 17:30 corrected below (补卡)
        for (h, m) in [(9, 0), (11, 0)] { punch("D018", Self.at(25, h, m)) }                       // came in on the holiday
        for (h, m) in [(8, 20), (12, 5), (14, 20), (17, 35)] { punch("D008", Self.at(1, h, m, second: 30)) } // near-duplicates
        // The east terminal was last read at noon on the 29th: what it took after that is not in the store yet.
        let cut = Self.at(29, 12, 0)
        let unread = punches.filter { $0.terminalSerial == "EAST" && $0.at >= cut }
        _ = try await hall.store.record(punches: punches.filter { !($0.terminalSerial == "EAST" && $0.at >= cut) }, receivedAt: cut)

        // The 15th: the east terminal is down; its people sign in (签到), the duty chief confirms. D004 signs in twice only.
        for n in [1, 2, 3, 5, 6, 8] {
            for (h, m) in [(8, 25), (12, 2), (14, 25), (17, 33)] {
                let stored = try await hall.store.record(signIn: SignIn(staffID: String(format: "D%03d", n), at: Self.at(15, h, m), method: .pin, terminalRole: "east-terminal"))
                _ = try await hall.store.review(signIn: stored.id, by: "D017", at: Self.at(15, 18, 0))
            }
        }
        for (h, m) in [(8, 25), (17, 33)] {
            let stored = try await hall.store.record(signIn: SignIn(staffID: "D004", at: Self.at(15, h, m), method: .badge, terminalRole: "east-terminal"))
            _ = try await hall.store.review(signIn: stored.id, by: "D017", at: Self.at(15, 18, 0))
        }

        // Leave of each kind, approved by whom the seed says; the roster names D017 for every working day.
        let desk = LeaveDesk(config: hall.config, store: hall.store, clock: hall.clock)
        hall.clock.set(Self.at(1, 7, 0))
        _ = try await desk.rotateRoster(chiefs: ["D017"], from: CivilDate(year: 2026, month: 9, day: 1)!, through: CivilDate(year: 2026, month: 9, day: 30)!, by: "test")
        func leave(_ staff: String, _ kind: LeaveKind, _ from: Date, _ to: Date, by approver: String, askedAt: Date? = nil) async throws {
            hall.clock.set(askedAt ?? from.addingTimeInterval(-86_400))
            let asked = try await desk.request(for: staff, kind: kind, from: from, to: to, reason: "事由", by: staff)
            if asked.request.state == .awaitingLead { _ = try await desk.opinion(on: asked.id, by: "D001", text: "同意") }
            _ = try await desk.decide(asked.id, by: approver, approve: true)
        }
        try await leave("D002", .sick, Self.at(8, 8, 30), Self.at(8, 17, 30), by: "D020")
        try await leave("D003", .personal, Self.at(9, 8, 30), Self.at(9, 12, 0), by: "D017", askedAt: Self.at(10, 9, 0))  // 补办
        try await leave("D005", .businessOuting, Self.at(10, 14, 30), Self.at(10, 17, 30), by: "D019")
        try await leave("D006", .meeting, Self.at(11, 8, 30), Self.at(11, 17, 30), by: "D020")
        try await leave("D007", .training, Self.at(14, 8, 30), Self.at(15, 17, 30), by: "D020")
        try await leave("D009", .lateArrivalOnBusiness, Self.at(16, 8, 30), Self.at(16, 10, 0), by: "D017")
        try await leave("D010", .earlyDepartureOnBusiness, Self.at(17, 16, 0), Self.at(17, 17, 30), by: "D019")
        hall.clock.set(Self.at(25, 9, 0))
        _ = try await desk.correctPunch(of: "D019", at: Self.at(24, 17, 30), reason: "指纹识别失败", by: "D017")

        // First the east terminal was last heard from at noon on the 29th: its people's 29th (a morning start punch only)
        // and 30th (nothing) are pending, never 旷工 or 缺卡. (The office's people, whom both terminals serve, punched at
        // the west terminal: their days are complete and judged.)
        hall.clock.set(Self.at(30, 20, 0).addingTimeInterval(86_400 * 2))  // 2 October
        _ = try await hall.store.recordDeviceHealth(id: "east", power: .online, operational: .idle, at: Self.at(29, 12, 0))
        _ = try await hall.store.recordDeviceHealth(id: "west", power: .online, operational: .idle, at: Self.at(30, 23, 0).addingTimeInterval(3600))
        let sheets = MonthlySheetDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let early = try await sheets.compute(year: 2026, month: 9)
        #expect(early.state == "pending" && !early.final)
        for person in early.people {
            #expect(person.pendingDays == (Int(person.staffId.dropFirst())! <= 8 ? 2 : 0), "\(person.staffId) pending")
        }
        #expect(early.people.first { $0.staffId == "D001" }.map { ($0.absentDays, $0.missingPunches, $0.daysPresent) } ?? (-1, -1, -1) == (0, 0, 20))

        // Then it is read past the month's end: the rest arrives, twice (the terminal uploads again: exact duplicates are
        // stored once), and every day is judged.
        _ = try await hall.store.record(punches: unread, receivedAt: Self.at(30, 23, 0))
        let again = try await hall.store.record(punches: punches, receivedAt: Self.at(30, 23, 5))
        #expect(again.inserted == 0)
        _ = try await hall.store.recordDeviceHealth(id: "east", power: .online, operational: .idle, at: Self.at(30, 23, 0).addingTimeInterval(3600))
        let sheet = try await sheets.compute(year: 2026, month: 9)
        #expect(sheet.state == "final" && sheet.final)

        struct Row: Equatable, CustomStringConvertible {
            var present = 22, late = 0, lateMinutes = 0, early = 0, earlyMinutes = 0, missing = 0
            var leave: [String: Int] = [:], outings = 0, absent = 0.0, minutes = 22 * 390, corrections = 0
            var description: String { "present \(present) late \(late)/\(lateMinutes) early \(early)/\(earlyMinutes) missing \(missing) leave \(leave) outings \(outings) absent \(absent) minutes \(minutes) corrections \(corrections)" }
        }
        let usualDay = 390
        var expected: [String: Row] = [:]
        for n in 1...20 { expected[String(format: "D%03d", n)] = Row() }
        // Sick leave all of the 8th: two shifts of leave, not present that day.
        expected["D002"] = Row(present: 21, leave: ["sick": 2], minutes: 21 * usualDay)
        // Personal leave the 9th's morning (补办): one shift, not present; the afternoon's 180 minutes.
        expected["D003"] = Row(present: 21, leave: ["personal": 1], minutes: 21 * usualDay + 180)
        // Two sign-ins on the 15th: the morning's end and the afternoon's start missing (缺卡 ×2), nothing worked that day.
        expected["D004"] = Row(missing: 2, minutes: 21 * usualDay)
        // An outing the 10th's afternoon: one outing shift, present; the morning's 210 minutes.
        expected["D005"] = Row(outings: 1, minutes: 21 * usualDay + 210)
        // A meeting all the 11th: two outing shifts.
        expected["D006"] = Row(outings: 2, minutes: 21 * usualDay)
        // Training the 14th and 15th: four outing shifts.
        expected["D007"] = Row(outings: 4, minutes: 20 * usualDay)
        // Late on business until 10:00, arrived 10:05: within the grace, on time; 115 + 180 minutes that day.
        expected["D009"] = Row(minutes: 21 * usualDay + 115 + 180)
        // Early on business from 16:00, left 16:02: on time; 210 + 92 minutes.
        expected["D010"] = Row(minutes: 21 * usualDay + 210 + 92)
        // 08:41: 11 minutes late; 199 + 180 minutes.
        expected["D011"] = Row(late: 1, lateMinutes: 11, minutes: 21 * usualDay + 199 + 180)
        // 17:10: 20 minutes early; 210 + 160 minutes.
        expected["D012"] = Row(early: 1, earlyMinutes: 20, minutes: 21 * usualDay + 210 + 160)
        // 10:45: 135 minutes late, beyond 120: the morning is 旷工 (half a day), not present; 75 + 180 minutes.
        expected["D013"] = Row(present: 21, absent: 0.5, minutes: 21 * usualDay + 75 + 180)
        // No 12:05 on the 4th: 缺卡, still present; the afternoon's 180 minutes.
        expected["D014"] = Row(missing: 1, minutes: 21 * usualDay + 180)
        // Nothing on the 7th: a day of 旷工.
        expected["D015"] = Row(present: 21, absent: 1, minutes: 21 * usualDay)
        // The 00:30 punch belongs to the 23rd (outside its shifts), not to the 22nd: the 22nd's afternoon lacks its end.
        expected["D016"] = Row(missing: 1, minutes: 21 * usualDay + 210)
        // Nothing on Sunday the 20th, a make-up workday: 旷工.
        expected["D017"] = Row(present: 21, absent: 1, minutes: 21 * usualDay)
        // The 24th's 17:30 is a correction (补卡): on time, counted as a correction.
        expected["D019"] = Row(corrections: 1)
        for person in sheet.people {
            #expect(person.daysDue == 22, "\(person.staffId)")
            #expect(person.pendingDays == 0, "\(person.staffId)")
            let got = Row(present: person.daysPresent, late: person.lateCount, lateMinutes: person.lateMinutes, early: person.earlyCount,
                          earlyMinutes: person.earlyMinutes, missing: person.missingPunches, leave: person.leaveShifts, outings: person.outingShifts,
                          absent: person.absentDays, minutes: person.minutesWorked, corrections: person.corrections)
            #expect(got == expected[person.staffId], "\(person.staffId)")
        }
        // Per window: window 1 = D001–D004, …; every shift had someone of each window at work (no cover gap).
        let windows = Dictionary(uniqueKeysWithValues: sheet.windows.map { ($0.window, $0) })
        #expect(windows[1]?.leaveShifts == 3 && windows[1]?.missingPunches == 2 && windows[1]?.absentDays == 0)
        #expect(windows[2]?.outingShifts == 7)
        #expect(windows[3]?.lateCount == 1 && windows[3]?.earlyCount == 1)
        #expect(windows[4]?.absentDays == 1.5 && windows[4]?.missingPunches == 2)
        #expect(sheet.windows.allSatisfy { $0.coverGaps == 0 && $0.people == 4 })
    }
}
