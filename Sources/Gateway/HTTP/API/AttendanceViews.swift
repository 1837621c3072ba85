// The day and month views of attendance: what the store holds of punches, sign-ins and reconciled records, per person.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

enum AttendanceViews {
    /// One day: each person's first and last punch (or confirmed sign-in) and how many of each there are.
    static func day(_ date: CivilDate, config: HallConfiguration, store: HallStore) async throws -> AttendanceDayBody {
        let start = HallTime.start(of: date), end = HallTime.start(of: date.adding(days: 1))
        let punches = try await store.punches(from: start, to: end)
        let signIns = try await store.signIns(from: start, to: end.addingTimeInterval(-1))
        let records = try await store.attendanceRecords(from: start, to: end.addingTimeInterval(-1))
        let kind: String
        switch try? config.calendar().kind(of: date) {
        case .workday?: kind = "workday"
        case .makeUpWorkday?: kind = "make-up-workday"
        case .holiday?: kind = "holiday"
        case .weekend?: kind = "weekend"
        case nil: kind = "unknown"
        }
        let people = try await store.staff().map { person -> AttendanceDayBody.Person in
            let own = punches.filter { $0.punch.staffID == person.id }.map(\.punch.at)
            let signed = signIns.filter { $0.signIn.staffID == person.id }
            let confirmed = signed.filter { if case .confirmed = $0.signIn.status { true } else { false } }.map(\.signIn.at)
            let times = (own + confirmed).sorted()
            return AttendanceDayBody.Person(staffId: person.id, name: person.name, window: person.window,
                                            firstIn: times.first.map(APITime.string), lastOut: times.count > 1 ? times.last.map(APITime.string) : nil,
                                            punches: own.count, signIns: signed.count, records: records.filter { $0.staffID == person.id }.count)
        }
        return AttendanceDayBody(date: date.description, kindOfDay: kind, people: people)
    }

    /// One month: per person, the working days on which they were present (a punch, a confirmed sign-in or a record).
    static func month(year: Int, month: Int, config: HallConfiguration, store: HallStore) async throws -> AttendanceMonthBody {
        guard let first = CivilDate(year: year, month: month, day: 1) else { throw APIInputError("month \(year)-\(month) does not exist") }
        let days = (0..<CivilDate.daysIn(month: month, year: year)).map { first.adding(days: $0) }
        let calendar = try config.calendar()
        let working = try days.filter { try calendar.isWorkingDay($0) }
        let start = HallTime.start(of: first), end = HallTime.start(of: first.adding(days: days.count))
        let punches = try await store.punches(from: start, to: end)
        let signIns = try await store.signIns(from: start, to: end.addingTimeInterval(-1))
        let records = try await store.attendanceRecords(from: start, to: end.addingTimeInterval(-1))
        var present: [String: Set<CivilDate>] = [:]
        for punch in punches { if let id = punch.punch.staffID { present[id, default: []].insert(CivilDate(punch.punch.at)) } }
        for signIn in signIns { if case .confirmed = signIn.signIn.status { present[signIn.signIn.staffID, default: []].insert(CivilDate(signIn.signIn.at)) } }
        for record in records { present[record.staffID, default: []].insert(CivilDate(record.at)) }
        let workingSet = Set(working)
        let people = try await store.staff().map { person in
            AttendanceMonthBody.Person(staffId: person.id, name: person.name,
                                       daysPresent: (present[person.id] ?? []).intersection(workingSet).count, workingDays: working.count)
        }
        return AttendanceMonthBody(month: String(format: "%04d-%02d", year, month), people: people)
    }
}

/// A query or path value that makes no sense, for a 400 answer.
struct APIInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
