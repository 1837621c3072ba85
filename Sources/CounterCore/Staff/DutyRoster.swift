// The duty roster (值班表): "每日由中心管理人员轮流担任值班长" — each working day one of the hall's managers is the duty
// chief (值班长), in turn. The roster makes "the duty chief of that day" a person: leave up to half a day is theirs to
// approve (考勤制度 第二条、第三条), and their token is checked against it. Pure: who may be on it, and the rotation.
import Foundation

/// Why a roster entry is refused.
public enum DutyRosterError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADutyChief(staffID: String)
    case noChiefs
    case emptyPeriod

    public var description: String {
        switch self {
        case .notADutyChief(let id):
            return "\(id) does not hold the duty chief role (值班长); give them the role in the staff list first (countergate staff import)"
        case .noChiefs: return "name at least one duty chief to rotate"
        case .emptyPeriod: return "the period has no working day; check its first and last day"
        }
    }
}

/// One day of the roster.
public struct DutyRosterDay: Sendable, Hashable, Codable {
    public let day: CivilDate
    public let staffID: String

    public init(day: CivilDate, staffID: String) {
        self.day = day
        self.staffID = staffID
    }
}

public enum DutyRoster {
    /// Checks that `person` may be put on the roster: they hold the duty chief role.
    public static func check(_ person: Staff) throws(DutyRosterError) {
        guard person.has(.dutyChief) else { throw .notADutyChief(staffID: person.id) }
    }

    /// The rotation (轮流): `chiefs` in turn over the working days among `days`, the first working day to `chiefs[0]`.
    /// Days off (weekends, holidays) get nobody: the hall is closed.
    /// - Parameter isWorkingDay: the hall's calendar.
    public static func rotation(chiefs: [String], days: [CivilDate], isWorkingDay: (CivilDate) -> Bool) throws(DutyRosterError) -> [DutyRosterDay] {
        guard !chiefs.isEmpty else { throw .noChiefs }
        let working = days.filter(isWorkingDay)
        guard !working.isEmpty else { throw .emptyPeriod }
        return working.enumerated().map { index, day in DutyRosterDay(day: day, staffID: chiefs[index % chiefs.count]) }
    }
}
