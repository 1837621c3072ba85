// A person's day judged against the working hours: every expected figure below is worked out by hand from the hours
// (winter 08:30-12:00 and 14:00-17:00, summer afternoon 14:30-17:30; 5 minutes' grace; beyond 120 minutes late or
// early the shift is absent), not by the code under test.
import CounterCore
import Foundation
import Testing

@Suite struct AttendanceDayTests {
    static func time(_ text: String) -> ClockTime { ClockTime(text)! }
    static let hours = try! WorkingHours(
        timetables: [
            Timetable(name: "冬季", startsMonth: 10, startsDay: 1, shifts: [Shift(name: "上午", start: time("08:30"), end: time("12:00")),
                                                                          Shift(name: "下午", start: time("14:00"), end: time("17:00"))]),
            Timetable(name: "夏季", startsMonth: 5, startsDay: 1, shifts: [Shift(name: "上午", start: time("08:30"), end: time("12:00")),
                                                                          Shift(name: "下午", start: time("14:30"), end: time("17:30"))]),
        ],
        graceLateMinutes: 5, graceEarlyMinutes: 5, punchBeforeMinutes: 120, punchAfterMinutes: 240, absentAfterMinutes: 120)
    static let thursday = CivilDate(year: 2026, month: 11, day: 26)!

    /// `HH:mm` on `day`, in the hall's time.
    static func at(_ text: String, on day: CivilDate = thursday) -> Date {
        HallTime.start(of: day).addingTimeInterval(TimeInterval(time(text).minutes * 60))
    }
    static let readAll = at("00:00", on: thursday.adding(days: 1))

    func judge(_ punches: [String], leave: [LeaveSpan] = [], readThrough: Date? = readAll, on day: CivilDate = thursday,
               kind: DayKind = .workday) -> AttendanceDay {
        AttendanceJudge.day(day, kind: kind, hours: Self.hours, times: punches.map { Self.at($0, on: day) }, leave: leave, readThrough: readThrough)
    }

    @Test("four punches on time: both shifts on time, 210 + 180 minutes worked")
    func onTime() {
        let day = judge(["08:20", "12:02", "13:55", "17:05"])
        #expect(day.shifts.map(\.status) == [.onTime, .onTime])
        #expect(day.minutesWorked == 390 && day.isJudged)
    }

    @Test("11 minutes late in the morning, 10 early in the afternoon; 3 minutes late is within the grace")
    func lateAndEarly() {
        let day = judge(["08:41", "12:00", "14:00", "16:50"])
        #expect(day.shifts.map(\.status) == [.late(minutes: 11), .early(minutes: 10)])
        #expect(day.minutesWorked == 199 + 170)
        #expect(judge(["08:33", "12:00", "14:00", "17:00"]).shifts.map(\.status) == [.onTime, .onTime])
    }

    @Test("one punch missing is 缺卡, not 旷工; no punch at all is 旷工; 135 minutes late is 旷工")
    func missingAndAbsent() {
        #expect(judge(["08:25", "17:01"]).shifts.map(\.status) == [.missingPunch(start: false), .missingPunch(start: true)])
        #expect(judge([]).shifts.map(\.status) == [.absent, .absent])
        #expect(judge(["10:45", "12:00", "14:00", "17:00"]).shifts.map(\.status) == [.absent, .onTime])
    }

    @Test("nobody is absent while their terminal is unread: pending until it is read past the shift's punch window")
    func pendingUntilRead() {
        #expect(judge([], readThrough: nil).shifts.map(\.status) == [.pending, .pending])
        // The morning's punches may come until 13:00 (halfway to the afternoon); read to 12:30 it is not judged yet.
        #expect(judge([], readThrough: Self.at("12:30")).shifts.map(\.status) == [.pending, .pending])
        let noon = judge([], readThrough: Self.at("13:30"))
        #expect(noon.shifts.map(\.status) == [.absent, .pending] && !noon.isJudged)
    }

    @Test("leave for the morning, a late arrival on business excused until 10:00, an outing for the afternoon")
    func leave() {
        let personal = LeaveSpan(kind: .personal, start: Self.at("08:30"), end: Self.at("12:00"))
        #expect(judge(["13:58", "17:00"], leave: [personal]).shifts.map(\.status) == [.onLeave(.personal), .onTime])
        let lateOnBusiness = LeaveSpan(kind: .lateArrivalOnBusiness, start: Self.at("08:30"), end: Self.at("10:00"))
        #expect(judge(["10:03", "12:01", "14:00", "17:00"], leave: [lateOnBusiness]).shifts.map(\.status) == [.onTime, .onTime])
        #expect(judge(["10:20", "12:01", "14:00", "17:00"], leave: [lateOnBusiness]).shifts.first?.status == .late(minutes: 20))
        let meeting = LeaveSpan(kind: .meeting, start: Self.at("13:30"), end: Self.at("17:30"))
        #expect(judge(["08:30", "12:00"], leave: [meeting]).shifts.map(\.status) == [.onTime, .onOuting(.meeting)])
    }

    @Test("weekends and holidays have no shifts; a make-up workday (调休上班) has them; summer afternoons start at 14:30")
    func calendarAndTimetables() {
        let saturday = CivilDate(year: 2026, month: 11, day: 28)!
        #expect(judge([], on: saturday, kind: .weekend).shifts.isEmpty)
        #expect(judge([], kind: .holiday("国庆节")).shifts.isEmpty)
        #expect(judge(["08:30", "12:00", "14:00", "17:00"], on: saturday, kind: .makeUpWorkday("国庆节")).shifts.map(\.status) == [.onTime, .onTime])
        let june = CivilDate(year: 2026, month: 6, day: 10)!
        let summer = judge(["08:30", "12:00", "14:32", "17:30"], readThrough: Self.at("00:00", on: june.adding(days: 1)), on: june)
        #expect(summer.shifts.map(\.status) == [.onTime, .onTime])
        #expect(Self.hours.timetable(on: CivilDate(year: 2027, month: 1, day: 5)!).name == "冬季")
    }

    @Test("a punch at 00:30 belongs to the day it falls on, not to the evening before")
    func afterMidnight() {
        let nextDay = thursdayPlusOne
        let times = ["08:30", "12:00", "14:00"].map { Self.at($0) } + [Self.at("00:30", on: nextDay)]
        let day = AttendanceJudge.day(Self.thursday, kind: .workday, hours: Self.hours, times: times, leave: [], readThrough: Self.readAll)
        #expect(day.shifts.map(\.status) == [.onTime, .missingPunch(start: false)])
    }
    var thursdayPlusOne: CivilDate { Self.thursday.adding(days: 1) }

    @Test("working hours that cannot be used are refused: shifts out of order or overlapping, two timetables on one day")
    func badHours() {
        let morning = Shift(name: "上午", start: Self.time("08:30"), end: Self.time("12:00"))
        #expect(throws: WorkingHoursError.shiftEndsBeforeItStarts(timetable: "t", shift: "x")) {
            try WorkingHours(timetables: [Timetable(name: "t", startsMonth: 1, startsDay: 1, shifts: [Shift(name: "x", start: Self.time("12:00"), end: Self.time("08:00"))])])
        }
        #expect(throws: WorkingHoursError.shiftsOverlap(timetable: "t", first: "上午", second: "下午")) {
            try WorkingHours(timetables: [Timetable(name: "t", startsMonth: 1, startsDay: 1, shifts: [morning, Shift(name: "下午", start: Self.time("11:00"), end: Self.time("17:00"))])])
        }
        #expect(throws: WorkingHoursError.sameStart(first: "a", second: "b")) {
            try WorkingHours(timetables: [Timetable(name: "a", startsMonth: 5, startsDay: 1, shifts: [morning]),
                                          Timetable(name: "b", startsMonth: 5, startsDay: 1, shifts: [morning])])
        }
        #expect(ClockTime("8:30")?.description == "08:30" && ClockTime("24:00") == nil && ClockTime("08:3") == nil)
    }
}
