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
        // The month judged against the working hours: the monthly sheet (月度考勤汇总), as JSON, CSV or XLSX.
        attendanceRoutes.on(.get, "/sheet", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (year, month) = try yearAndMonth(request)
            return try json(try await sheetAct { try await sheets.sheet(year: year, month: month) })
        }
        attendanceRoutes.on(.get, "/sheet.csv", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (year, month) = try yearAndMonth(request)
            let sheet = try await sheetAct { try await sheets.sheet(year: year, month: month) }
            return download(Array(MonthlySheetExport.csv(sheet, hall: config.hall.name).utf8), type: "text/csv; charset=utf-8",
                            name: "attendance-\(sheet.month).csv")
        }
        attendanceRoutes.on(.get, "/sheet.xlsx", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (year, month) = try yearAndMonth(request)
            let sheet = try await sheetAct { try await sheets.sheet(year: year, month: month) }
            return download(Array(try MonthlySheetExport.xlsx(sheet, hall: config.hall.name)),
                            type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name: "attendance-\(sheet.month).xlsx")
        }
        // Publishing (公示) freezes the month; later changes show as amendments.
        attendanceRoutes.on(.post, "/sheet/publish", "publish-sheet") { request, context in
            let caller = try context.require(.publishSheet)
            let (year, month) = try yearAndMonth(request)
            guard let staffID = caller.staffID, let person = try await store.staff(id: staffID), person.has(.inspection) else {
                throw APIProblem.forbidden("the sheet is published (公示) by a person of the inspection office (督查室): ask ops for a token given to "
                    + "that person (countergate token create --role inspection --staff STAFF_ID)")
            }
            let actor = person.id
            return try json(try await sheetAct { try await sheets.publish(year: year, month: month, by: actor) })
        }
    }

    var sheets: MonthlySheetDesk { MonthlySheetDesk(config: config, store: store, clock: clock) }

    private func sheetAct<T: Sendable>(_ act: () async throws -> T) async throws -> T {
        do { return try await act() } catch let error as WorkingDayCalendarError {
            throw APIProblem.unprocessable(error.description)
        } catch let error as MonthlySheetError {
            switch error {
            case .noSuchMonth: throw APIProblem.badRequest(error.description)
            case .monthNotOver, .notFinal, .alreadyPublished: throw APIProblem.conflict(error.description)
            }
        } catch let error as DecodingError {
            throw APIProblem(status: .internalServerError, slug: "published-sheet-unreadable", title: "Published sheet unreadable (公示数据无法读取)",
                             detail: "the published copy of this month cannot be read back (\(error)); it is kept unchanged in the store (published_months)")
        }
    }

    private func download(_ bytes: [UInt8], type: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `?month=YYYY-MM`, this month when not given; years 2000 to 2200.
    private func yearAndMonth(_ request: Request) throws -> (Int, Int) {
        let text = request.uri.queryParameters["month"].map(String.init) ?? String(CivilDate(clock.now()).description.prefix(7))
        do { return try MonthlySheetDesk.month(text) } catch {
            throw APIProblem.badRequest("month: expected YYYY-MM (a year from 2000 to 2200), found \(text)")
        }
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
