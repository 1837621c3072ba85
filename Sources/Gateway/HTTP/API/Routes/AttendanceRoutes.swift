// /api/v1, one resource: attendance: the day's records and the month's counts. Each route states the permission it needs (HallRequestContext.require).
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension HallAPI {
    /// The attendance routes.
    func registerAttendance(on api: APIRouteBuilder) {
        let attendanceRoutes = api.group("/attendance")
        // Attendance.
        attendanceRoutes.on(.get, "/punches", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let query = request.uri.queryParameters
            let from = try day(query["from"].map(String.init), name: "from") ?? CivilDate(clock.now())
            let to = try day(query["to"].map(String.init), name: "to") ?? from
            guard from <= to, to.dayNumber - from.dayNumber <= 92 else { throw APIProblem.badRequest("from..to: at most 93 days, from not after to") }
            let punches = try await store.punches(from: HallTime.start(of: from), to: HallTime.start(of: to.adding(days: 1)))
            return try json(punches.map(PunchBody.init))
        }
        attendanceRoutes.on(.get, "/day", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let date = try day(request.uri.queryParameters["date"].map(String.init), name: "date") ?? CivilDate(clock.now())
            return try json(try await AttendanceViews.day(date, config: config, store: store))
        }
        attendanceRoutes.on(.get, "/month", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (year, month) = try yearAndMonth(request)
            do { return try json(try await AttendanceViews.month(year: year, month: month, config: config, store: store)) } catch let error as WorkingDayCalendarError {
                throw APIProblem.unprocessable(error.description)
            }
        }
        // The month judged against the working hours: the figures of the monthly sheet (月度考勤汇总).
        attendanceRoutes.on(.get, "/sheet", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (year, month) = try yearAndMonth(request)
            do {
                return try json(try await AttendanceViews.sheet(year: year, month: month, config: config, store: store, clock: clock))
            } catch let error as WorkingDayCalendarError {
                throw APIProblem.unprocessable(error.description)
            }
        }
    }

    /// `?month=YYYY-MM`, this month when not given.
    private func yearAndMonth(_ request: Request) throws -> (Int, Int) {
        let text = request.uri.queryParameters["month"].map(String.init) ?? String(CivilDate(clock.now()).description.prefix(7))
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            throw APIProblem.badRequest("month: expected YYYY-MM, found \(text)")
        }
        return (year, month)
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct PunchBody: Encodable, Sendable {
    let id: Int64
    let staffId: String?
    let terminalUserId: String
    let terminalSerial: String
    let at: String
    let verification: String
    let direction: String
    let flag: String?

    init(_ stored: StoredPunch) {
        id = stored.id
        staffId = stored.punch.staffID
        terminalUserId = stored.punch.terminalUserID
        terminalSerial = stored.punch.terminalSerial
        at = APITime.string(stored.punch.at)
        verification = stored.punch.verification.code
        direction = stored.punch.direction.rawValue
        flag = stored.flag
    }
}

struct AttendanceDayBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        let window: Int?
        let firstIn: String?
        let lastOut: String?
        let punches: Int
        let signIns: Int
        let records: Int
    }
    let date: String
    let kindOfDay: String
    let people: [Person]
}

/// The monthly sheet's figures per person (`GET /attendance/sheet`).
struct AttendanceSheetBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        let window: Int?
        let daysDue: Int
        let daysPresent: Int
        let lateCount: Int
        let lateMinutes: Int
        let earlyCount: Int
        let earlyMinutes: Int
        let missingPunches: Int
        /// Shifts on leave, by kind (sick, personal, …).
        let leaveShifts: [String: Int]
        let outingShifts: Int
        /// 旷工, in days (a shift of a two-shift day is half a day).
        let absentDays: Double
        /// Working days not judged yet: a terminal serving the person has not been heard from past them.
        let pendingDays: Int
        let minutesWorked: Int
        /// Punch corrections (补卡) made for the person this month.
        let corrections: Int

        init(_ person: Staff, _ month: MonthlyAttendance, corrections: Int) {
            self.corrections = corrections
            staffId = person.id
            name = person.name
            window = person.window
            daysDue = month.daysDue
            daysPresent = month.daysPresent
            lateCount = month.lateCount
            lateMinutes = month.lateMinutes
            earlyCount = month.earlyCount
            earlyMinutes = month.earlyMinutes
            missingPunches = month.missingPunches
            leaveShifts = Dictionary(uniqueKeysWithValues: month.leaveShifts.map { ($0.key.rawValue, $0.value) })
            outingShifts = month.outingShifts
            absentDays = month.absentDays
            pendingDays = month.pendingDays
            minutesWorked = month.minutesWorked
        }
    }
    let month: String
    /// Every working day of the month judged for everybody.
    let final: Bool
    let people: [Person]
}

struct AttendanceMonthBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        /// Working days of the month on which the person has a punch, a confirmed sign-in or a record.
        let daysPresent: Int
        let workingDays: Int
    }
    let month: String
    let people: [Person]
}
