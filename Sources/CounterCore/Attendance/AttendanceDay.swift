// One person's working day, judged (考勤结果): for each shift, on time, late, early, a missing punch (缺卡), on leave,
// on an outing, or absent (旷工); minutes worked. A pure projection of the punches, confirmed sign-ins, corrections and
// approved leave: raw punches are never edited, and the day is computed again whenever an input changes.
import Foundation

/// Why someone was away with permission (考勤制度 第二条、第三条).
public enum LeaveKind: String, Sendable, Hashable, Codable, CaseIterable {
    case sick = "sick"                                   // 病假
    case personal = "personal"                           // 事假
    case businessOuting = "business-outing"              // 因公外出
    case meeting = "meeting"                             // 开会
    case training = "training"                           // 学习培训
    case lateArrivalOnBusiness = "late-on-business"      // 因公推迟到岗
    case earlyDepartureOnBusiness = "early-on-business"  // 因公提前离岗

    public var chineseName: String {
        switch self {
        case .sick: return "病假"
        case .personal: return "事假"
        case .businessOuting: return "因公外出"
        case .meeting: return "开会"
        case .training: return "学习培训"
        case .lateArrivalOnBusiness: return "因公推迟到岗"
        case .earlyDepartureOnBusiness: return "因公提前离岗"
        }
    }

    /// On the hall's business (an outing), rather than leave for oneself.
    public var isOuting: Bool { ![.sick, .personal].contains(self) }
}

/// Approved time away: from `start` to `end`.
public struct LeaveSpan: Sendable, Hashable {
    public let kind: LeaveKind
    public let start: Date
    public let end: Date

    public init(kind: LeaveKind, start: Date, end: Date) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}

/// How one shift went.
public enum ShiftStatus: Sendable, Hashable {
    case onTime
    /// 迟到, minutes beyond the shift's start.
    case late(minutes: Int)
    /// 早退, minutes before the shift's end.
    case early(minutes: Int)
    case lateAndEarly(late: Int, early: Int)
    /// 缺卡: one of the two punches is missing (not 旷工).
    case missingPunch(start: Bool)
    /// Away with approved leave, or on an approved outing, for the whole shift.
    case onLeave(LeaveKind)
    case onOuting(LeaveKind)
    /// 旷工: no punch at all and no leave, or late or early beyond the hours' limit.
    case absent
    /// Not judged yet: a terminal serving the person has not been read past the shift (nobody is marked absent because
    /// a terminal is down).
    case pending
}

/// One shift of the day, judged.
public struct ShiftResult: Sendable, Hashable {
    public let shift: Shift
    public let status: ShiftStatus
    /// The punches taken as the shift's start and end.
    public let startPunch: Date?
    public let endPunch: Date?
    /// Minutes at work within the shift (between the two punches).
    public let minutesWorked: Int
}

/// One person's day.
public struct AttendanceDay: Sendable, Hashable {
    public let date: CivilDate
    /// Workday, make-up workday (调休上班), weekend or holiday: only working days have shifts.
    public let kind: DayKind
    public let shifts: [ShiftResult]

    public var minutesWorked: Int { shifts.reduce(0) { $0 + $1.minutesWorked } }
    /// Every shift judged (none pending).
    public var isJudged: Bool { !shifts.contains { $0.status == .pending } }
}

public enum AttendanceJudge {
    /// Judges `date` for one person.
    /// - Parameters:
    ///   - kind: what the calendar says of the date (调休 included).
    ///   - hours: the working hours that apply to the person (hall, window or personal).
    ///   - times: the person's punches, confirmed sign-ins and approved corrections (补卡), any days; only `date`'s count,
    ///     by the hall's clock (a punch at 00:30 belongs to the day it falls on).
    ///   - leave: approved leave and outings.
    ///   - readThrough: every terminal serving the person has been read up to this instant (nil: not read at all); a shift
    ///     whose punch window has not been read through is pending, never absent.
    public static func day(_ date: CivilDate, kind: DayKind, hours: WorkingHours, times: [Date], leave: [LeaveSpan],
                           readThrough: Date?) -> AttendanceDay {
        guard kind.isWorkingDay else { return AttendanceDay(date: date, kind: kind, shifts: []) }
        let midnight = HallTime.start(of: date)
        func instant(_ time: ClockTime) -> Date { midnight.addingTimeInterval(TimeInterval(time.minutes * 60)) }
        let shifts = hours.shifts(on: date)
        let sortedTimes = times.sorted()
        var results: [ShiftResult] = []
        for (index, shift) in shifts.enumerated() {
            let start = instant(shift.start), end = instant(shift.end)
            // Where this shift's punches may fall: from before its start to after its end, but never past halfway to a
            // neighbouring shift (the lunch break's punches are split between the morning's end and the afternoon's start).
            var windowStart = start.addingTimeInterval(-TimeInterval(hours.punchBeforeMinutes * 60))
            var windowEnd = end.addingTimeInterval(TimeInterval(hours.punchAfterMinutes * 60))
            if index > 0 {
                let previousEnd = instant(shifts[index - 1].end)
                windowStart = max(windowStart, previousEnd.addingTimeInterval(start.timeIntervalSince(previousEnd) / 2))
            }
            if index + 1 < shifts.count {
                let nextStart = instant(shifts[index + 1].start)
                windowEnd = min(windowEnd, end.addingTimeInterval(nextStart.timeIntervalSince(end) / 2))
            }
            windowStart = max(windowStart, midnight)
            windowEnd = min(windowEnd, HallTime.start(of: date.adding(days: 1)))
            let judged = readThrough.map { $0 >= windowEnd } ?? false

            // Leave: the whole shift, or its start (arrives later) or its end (leaves earlier) excused.
            let overlapping = leave.filter { $0.start < end && $0.end > start }
            if let whole = overlapping.first(where: { $0.start <= start && $0.end >= end }) {
                results.append(ShiftResult(shift: shift, status: whole.kind.isOuting ? .onOuting(whole.kind) : .onLeave(whole.kind),
                                           startPunch: nil, endPunch: nil, minutesWorked: 0))
                continue
            }
            let due = overlapping.filter { $0.start <= start }.map(\.end).max() ?? start
            let until = overlapping.filter { $0.end >= end }.map(\.start).min() ?? end

            let inWindow = sortedTimes.filter { $0 >= windowStart && $0 < windowEnd }
            var startPunch: Date?, endPunch: Date?
            if inWindow.count >= 2 {
                startPunch = inWindow.first
                endPunch = inWindow.last
            } else if let only = inWindow.first {
                // One punch: before the shift's middle it is the arrival, after it the departure.
                if only < start.addingTimeInterval(end.timeIntervalSince(start) / 2) { startPunch = only } else { endPunch = only }
            }
            let worked = (startPunch != nil && endPunch != nil)
                ? max(0, Int(min(endPunch!, end).timeIntervalSince(max(startPunch!, start)) / 60)) : 0
            let status: ShiftStatus
            switch (startPunch, endPunch) {
            case (nil, nil):
                status = judged ? .absent : .pending
            case (nil, _?), (_?, nil):
                status = judged ? .missingPunch(start: startPunch == nil) : .pending
            case (let arrived?, let left?):
                let late = max(0, Int(arrived.timeIntervalSince(due) / 60))
                let early = max(0, Int(ceil(until.timeIntervalSince(left) / 60)))
                let lateMinutes = late > hours.graceLateMinutes ? late : 0
                let earlyMinutes = early > hours.graceEarlyMinutes ? early : 0
                if lateMinutes > hours.absentAfterMinutes || earlyMinutes > hours.absentAfterMinutes {
                    status = .absent
                } else if lateMinutes > 0 && earlyMinutes > 0 {
                    status = .lateAndEarly(late: lateMinutes, early: earlyMinutes)
                } else if lateMinutes > 0 {
                    status = .late(minutes: lateMinutes)
                } else if earlyMinutes > 0 {
                    status = .early(minutes: earlyMinutes)
                } else {
                    status = .onTime
                }
            }
            results.append(ShiftResult(shift: shift, status: status, startPunch: startPunch, endPunch: endPunch, minutesWorked: worked))
        }
        return AttendanceDay(date: date, kind: kind, shifts: results)
    }
}
