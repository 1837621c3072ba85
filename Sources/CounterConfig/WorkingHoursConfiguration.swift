// `[hours]`: the hall's working hours (作息时间), its summer and winter timetables, how strictly punches are judged,
// and overrides for windows or people whose hours differ. Every problem is reported at its line.
import CounterCore
import CounterTOML

extension HallConfiguration {
    /// The working hours of the hall, of windows and of people whose hours differ.
    public struct Hours: Sendable, Equatable {
        public var hall: WorkingHours
        public var windows: [Int: WorkingHours] = [:]
        public var staff: [String: WorkingHours] = [:]

        /// The hours of a person: their own, else their window's, else the hall's.
        public func hours(staffID: String, window: Int?) -> WorkingHours {
            staff[staffID] ?? window.flatMap { windows[$0] } ?? hall
        }

        /// Without `[hours]`: 08:30-12:00 all year; afternoons 14:00-17:00 from 1 October (winter), 14:30-17:30 from
        /// 1 May (summer); 5 minutes' grace; more than 2 hours late or early is 旷工 for that shift.
        public static let standard = Hours(hall: try! WorkingHours(timetables: [
            Timetable(name: "冬季", startsMonth: 10, startsDay: 1, shifts: [Shift(name: "上午", start: ClockTime(hour: 8, minute: 30)!, end: ClockTime(hour: 12, minute: 0)!),
                                                                          Shift(name: "下午", start: ClockTime(hour: 14, minute: 0)!, end: ClockTime(hour: 17, minute: 0)!)]),
            Timetable(name: "夏季", startsMonth: 5, startsDay: 1, shifts: [Shift(name: "上午", start: ClockTime(hour: 8, minute: 30)!, end: ClockTime(hour: 12, minute: 0)!),
                                                                          Shift(name: "下午", start: ClockTime(hour: 14, minute: 30)!, end: ClockTime(hour: 17, minute: 30)!)]),
        ], graceLateMinutes: 5, graceEarlyMinutes: 5))
    }

    /// Reads `[hours]` with its `[[hours.timetable]]` and `[[hours.override]]` tables.
    static func readHours(_ table: TableReader, windows: Set<Int>) -> Hours {
        let hall = readWorkingHours(table, inheriting: Hours.standard.hall)
        var hours = Hours(hall: hall)
        var windowSeen: [Int: Int] = [:], staffSeen: [String: Int] = [:]
        for override in table.tables("override") {
            let line = override.table.position.line
            let overrideWindows = override.intArray("windows", default: nil)
            let overrideStaff = override.table["staff"] == nil ? nil : override.stringArray("staff", default: [])
            let own = readWorkingHours(override, inheriting: hall)
            guard (overrideWindows == nil) != (overrideStaff == nil) else {
                override.fail("windows", at: line, "an override names either `windows` or `staff` (one or the other), so that it is clear whose hours it sets")
                continue
            }
            for number in overrideWindows ?? [] {
                if !windows.contains(number) {
                    override.fail("windows", at: override.table["windows"]?.position.line ?? line, "window \(number) is not configured")
                } else if let first = windowSeen[number] {
                    override.fail("windows", at: override.table["windows"]?.position.line ?? line, "window \(number) already has its hours at line \(first)")
                } else {
                    windowSeen[number] = line
                    hours.windows[number] = own
                }
            }
            for id in overrideStaff ?? [] {
                if let first = staffSeen[id] {
                    override.fail("staff", at: override.table["staff"]?.position.line ?? line, "\(id) already has hours at line \(first)")
                } else {
                    staffSeen[id] = line
                    hours.staff[id] = own
                }
            }
        }
        return hours
    }

    /// The hours one table sets, taking what it leaves out from `inheriting`.
    private static func readWorkingHours(_ table: TableReader, inheriting base: WorkingHours) -> WorkingHours {
        let minutes = 0...600
        let graceLate = table.int("grace_late_minutes", default: base.graceLateMinutes, range: minutes) ?? base.graceLateMinutes
        let graceEarly = table.int("grace_early_minutes", default: base.graceEarlyMinutes, range: minutes) ?? base.graceEarlyMinutes
        let before = table.int("punch_before_minutes", default: base.punchBeforeMinutes, range: minutes) ?? base.punchBeforeMinutes
        let after = table.int("punch_after_minutes", default: base.punchAfterMinutes, range: minutes) ?? base.punchAfterMinutes
        let absent = table.int("absent_after_minutes", default: base.absentAfterMinutes, range: 1...720) ?? base.absentAfterMinutes
        var timetables: [Timetable] = []
        var broken = false
        let timetableTables = table.tables("timetable")
        for timetable in timetableTables {
            let line = timetable.table.position.line
            let name = timetable.requiredString("name", expected: "the timetable's name, e.g. \"夏季\"") ?? "?"
            let starts = timetable.string("starts", default: "01-01", expected: "the month and day it starts, \"MM-DD\"") ?? "01-01"
            let shiftTexts = timetable.stringArray("shifts", default: [])
            var shifts: [Shift] = []
            for (index, text) in shiftTexts.enumerated() {
                let ends = text.split(separator: "-").map { ClockTime(String($0).trimmingCharacters(in: .whitespaces)) }
                guard ends.count == 2, let start = ends[0], let end = ends[1] else {
                    timetable.fail("shifts", at: timetable.table["shifts"]?.position.line ?? line, "\"\(text)\" is not a shift; write it as \"08:30-12:00\"")
                    broken = true
                    continue
                }
                shifts.append(Shift(name: shiftTexts.count == 2 ? ["上午", "下午"][index] : "第\(index + 1)段", start: start, end: end))
            }
            let parts = starts.split(separator: "-")
            guard parts.count == 2, let month = Int(parts[0]), let day = Int(parts[1]), CivilDate(year: 2024, month: month, day: day) != nil else {
                timetable.fail("starts", at: timetable.table["starts"]?.position.line ?? line, "\"\(starts)\" is not a month and day; write it as \"05-01\"")
                broken = true
                continue
            }
            timetables.append(Timetable(name: name, startsMonth: month, startsDay: day, shifts: shifts))
        }
        guard !broken else { return base }
        do {
            return try WorkingHours(timetables: timetableTables.isEmpty ? base.timetables : timetables, graceLateMinutes: graceLate,
                                    graceEarlyMinutes: graceEarly, punchBeforeMinutes: before, punchAfterMinutes: after, absentAfterMinutes: absent)
        } catch {
            table.fail("timetable", at: timetableTables.first?.table.position.line ?? table.table.position.line, error.description)
            return base
        }
    }
}
