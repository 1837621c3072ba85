// The hall's working hours (作息时间): the shifts of a day, the timetables of the year (summer and winter), and how
// strictly a punch is judged against them. Pure values; the configuration reads them, the day is judged with them.
import Foundation

/// A time of day in the hall's time zone, to the minute (`08:30`).
public struct ClockTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0..<1440.
    public let minutes: Int

    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        minutes = hour * 60 + minute
    }

    /// `8:30` or `08:30`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, (1...2).contains(parts[0].count), let hour = Int(parts[0]), let minute = Int(parts[1]) else {
            return nil
        }
        self.init(hour: hour, minute: minute)
    }

    public var description: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutes < b.minutes }
}

/// One stretch of work with a punch at its start and one at its end (上午, 下午).
public struct Shift: Sendable, Hashable {
    public let name: String
    public let start: ClockTime
    public let end: ClockTime

    public init(name: String, start: ClockTime, end: ClockTime) {
        self.name = name
        self.start = start
        self.end = end
    }

    public var minutes: Int { end.minutes - start.minutes }
}

/// The shifts in force from a day of the year on (夏季作息 from 5-1, 冬季作息 from 10-1), until the next timetable starts.
public struct Timetable: Sendable, Hashable {
    public let name: String
    /// The month and day it starts each year.
    public let startsMonth: Int
    public let startsDay: Int
    public let shifts: [Shift]

    public init(name: String, startsMonth: Int, startsDay: Int, shifts: [Shift]) {
        self.name = name
        self.startsMonth = startsMonth
        self.startsDay = startsDay
        self.shifts = shifts
    }
}

/// Why working hours cannot be used.
public enum WorkingHoursError: Error, Sendable, Equatable, CustomStringConvertible {
    case noTimetable
    case noShifts(timetable: String)
    case shiftEndsBeforeItStarts(timetable: String, shift: String)
    case shiftsOverlap(timetable: String, first: String, second: String)
    case sameStart(first: String, second: String)

    public var description: String {
        switch self {
        case .noTimetable: return "no timetable: give at least one, with its shifts"
        case .noShifts(let t): return "timetable \(t) has no shifts"
        case .shiftEndsBeforeItStarts(let t, let s): return "shift \(s) of timetable \(t) ends before it starts"
        case .shiftsOverlap(let t, let a, let b): return "shifts \(a) and \(b) of timetable \(t) overlap; list them in order, each ending before the next starts"
        case .sameStart(let a, let b): return "timetables \(a) and \(b) start on the same day of the year"
        }
    }
}

/// The working hours of the hall (or of a window or a person, where they differ) and how punches are judged.
public struct WorkingHours: Sendable, Hashable {
    /// Sorted by the day of the year they start.
    public let timetables: [Timetable]
    /// Minutes after a shift's start that still count as on time (迟到 beyond them).
    public let graceLateMinutes: Int
    /// Minutes before a shift's end that still count as on time (早退 beyond them).
    public let graceEarlyMinutes: Int
    /// How long before a shift's start a punch still counts as its start punch.
    public let punchBeforeMinutes: Int
    /// How long after a shift's end a punch still counts as its end punch.
    public let punchAfterMinutes: Int
    /// Late arrival or early departure beyond this many minutes counts the shift as absent (旷工) rather than late.
    public let absentAfterMinutes: Int

    /// - Throws: ``WorkingHoursError`` for shifts that end before they start or overlap, or two timetables starting on one day.
    public init(timetables: [Timetable], graceLateMinutes: Int = 0, graceEarlyMinutes: Int = 0, punchBeforeMinutes: Int = 120,
                punchAfterMinutes: Int = 240, absentAfterMinutes: Int = 120) throws(WorkingHoursError) {
        guard !timetables.isEmpty else { throw .noTimetable }
        let sorted = timetables.sorted { ($0.startsMonth, $0.startsDay) < ($1.startsMonth, $1.startsDay) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where (a.startsMonth, a.startsDay) == (b.startsMonth, b.startsDay) {
            throw .sameStart(first: a.name, second: b.name)
        }
        for timetable in sorted {
            guard !timetable.shifts.isEmpty else { throw .noShifts(timetable: timetable.name) }
            for shift in timetable.shifts where shift.end <= shift.start {
                throw .shiftEndsBeforeItStarts(timetable: timetable.name, shift: shift.name)
            }
            for (a, b) in zip(timetable.shifts, timetable.shifts.dropFirst()) where b.start < a.end {
                throw .shiftsOverlap(timetable: timetable.name, first: a.name, second: b.name)
            }
        }
        self.timetables = sorted
        self.graceLateMinutes = max(0, graceLateMinutes)
        self.graceEarlyMinutes = max(0, graceEarlyMinutes)
        self.punchBeforeMinutes = max(0, punchBeforeMinutes)
        self.punchAfterMinutes = max(0, punchAfterMinutes)
        self.absentAfterMinutes = max(1, absentAfterMinutes)
    }

    /// The timetable in force on `date`: the last one started by then in its year, else the last of the year before
    /// (winter hours that began in October still hold in January).
    public func timetable(on date: CivilDate) -> Timetable {
        timetables.last { ($0.startsMonth, $0.startsDay) <= (date.month, date.day) } ?? timetables[timetables.count - 1]
    }

    /// The shifts of `date` when it is worked.
    public func shifts(on date: CivilDate) -> [Shift] { timetable(on: date).shifts }
}
