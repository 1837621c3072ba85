// One person's month (月度考勤汇总), summed from their judged days: what the inspection office (督查室) publishes at
// the start of the next month (考勤制度 第六条). Pure: the days are judged first (AttendanceJudge), then counted here.
import Foundation

/// One person's figures for a month.
public struct MonthlyAttendance: Sendable, Hashable {
    public let staffID: String
    public let year: Int
    public let month: Int
    /// Working days in the month (调休上班 included, holidays and weekends not).
    public private(set) var daysDue = 0
    /// Working days with every shift present (on time, late or early), or covered by an outing.
    public private(set) var daysPresent = 0
    public private(set) var lateCount = 0
    public private(set) var lateMinutes = 0
    public private(set) var earlyCount = 0
    public private(set) var earlyMinutes = 0
    /// Missing punches (缺卡), each counted once.
    public private(set) var missingPunches = 0
    /// Shifts away on leave, by kind (a two-shift day of leave is two).
    public private(set) var leaveShifts: [LeaveKind: Int] = [:]
    /// Shifts on an outing (因公外出, meetings, training).
    public private(set) var outingShifts = 0
    /// 旷工, in days: a shift of a two-shift day is half a day.
    public private(set) var absentDays: Double = 0
    /// Days not judged yet (a terminal unread): the month is not final while any remain.
    public private(set) var pendingDays = 0
    public private(set) var minutesWorked = 0

    /// Sums `days` (one person's judged days of the month; days of other months are ignored).
    public init(staffID: String, year: Int, month: Int, days: [AttendanceDay]) {
        self.staffID = staffID
        self.year = year
        self.month = month
        for day in days where day.date.year == year && day.date.month == month && day.kind.isWorkingDay {
            daysDue += 1
            minutesWorked += day.minutesWorked
            guard day.isJudged else {
                pendingDays += 1
                continue
            }
            var present = true
            for result in day.shifts {
                switch result.status {
                case .onTime: break
                case .late(let minutes):
                    lateCount += 1; lateMinutes += minutes
                case .early(let minutes):
                    earlyCount += 1; earlyMinutes += minutes
                case .lateAndEarly(let late, let early):
                    lateCount += 1; lateMinutes += late; earlyCount += 1; earlyMinutes += early
                case .missingPunch:
                    missingPunches += 1
                case .onLeave(let kind):
                    leaveShifts[kind, default: 0] += 1; present = false
                case .onOuting:
                    outingShifts += 1
                case .absent:
                    absentDays += 1 / Double(max(1, day.shifts.count)); present = false
                case .pending:
                    present = false
                }
            }
            if present { daysPresent += 1 }
        }
    }

    /// Final: every working day of the month judged.
    public var isFinal: Bool { pendingDays == 0 }
}
