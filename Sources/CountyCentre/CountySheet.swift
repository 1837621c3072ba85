// The county's monthly attendance sheet: each hall's own published sheet (月度考勤汇总, judged by the hall with its own
// staff list, calendar, hours and leave: Gateway/Attendance/MonthlySheet.swift), side by side, by hall, window and
// person. The county's sheet is complete when every registered hall has published the month.
import Foundation
import Logging
import PostgresNIO
import XLSXWriter

/// One person's figures as the hall published them.
public struct SheetPerson: Codable, Sendable, Equatable {
    public let staffId: String
    public let name: String
    public let window: Int?
    public let department: String
    public let daysDue: Int
    public let daysPresent: Int
    public let lateCount: Int
    public let lateMinutes: Int
    public let earlyCount: Int
    public let earlyMinutes: Int
    public let missingPunches: Int
    public let leaveShifts: [String: Int]
    public let outingShifts: Int
    public let absentDays: Double
}

/// One window's figures as the hall published them.
public struct SheetWindow: Codable, Sendable, Equatable {
    public let window: Int
    public let name: String
    public let people: Int
    public let lateCount: Int
    public let earlyCount: Int
    public let missingPunches: Int
    public let absentDays: Double
}

/// A hall's sheet of the month, or why there is none yet.
public struct HallSheet: Codable, Sendable, Equatable {
    public let hall: String
    public let name: String
    /// When the hall published the month (its clock, seconds since 1970); nil: not yet published (or not forwarded).
    public let publishedAt: Int64?
    public let publishedBy: String?
    public let people: [SheetPerson]
    public let windows: [SheetWindow]
    /// Set when the hall's published sheet could not be read.
    public let problem: String?
}

/// The county's sheet of a month.
public struct CountySheet: Codable, Sendable, Equatable {
    public let month: String
    /// Every registered hall has published the month.
    public let complete: Bool
    public let halls: [HallSheet]
}

extension CentreStore {
    /// The county's sheet of `month` (YYYY-MM): each hall's latest published sheet of it.
    public func countySheet(month: String) async throws -> CountySheet {
        struct Published: Decodable {
            struct Sheet: Decodable { let people: [SheetPerson]; let windows: [SheetWindow] }
            let published_at: Int64
            let published_by: String
            let sheet: Sheet
        }
        let rows = try await client.query("""
            SELECT h.id, h.name, r.body::text
            FROM halls h LEFT JOIN LATERAL (
                SELECT body FROM records
                WHERE hall_id = h.id AND kind = 'published_sheet' AND body->>'month' = \(month)
                ORDER BY occurred_at DESC LIMIT 1
            ) r ON true
            ORDER BY h.id
            """, logger: logger)
        var halls: [HallSheet] = []
        for try await (id, name, body) in rows.decode((String, String, String?).self) {
            guard let body else {
                halls.append(HallSheet(hall: id, name: name, publishedAt: nil, publishedBy: nil, people: [], windows: [], problem: nil))
                continue
            }
            do {
                let published = try JSONDecoder().decode(Published.self, from: Data(body.utf8))
                halls.append(HallSheet(hall: id, name: name, publishedAt: published.published_at, publishedBy: published.published_by,
                                       people: published.sheet.people, windows: published.sheet.windows, problem: nil))
            } catch {
                halls.append(HallSheet(hall: id, name: name, publishedAt: nil, publishedBy: nil, people: [], windows: [],
                                       problem: "the hall's published sheet cannot be read: \(error)"))
            }
        }
        return CountySheet(month: month, complete: !halls.isEmpty && halls.allSatisfy { $0.publishedAt != nil }, halls: halls)
    }
}

extension CountySheet {
    static let personHeader = ["中心", "工号", "姓名", "窗口", "部门", "应出勤(天)", "实出勤(天)", "迟到(次)", "迟到(分钟)", "早退(次)",
                               "早退(分钟)", "缺卡(次)", "请假(班次)", "外出(班次)", "旷工(天)"]
    static let windowHeader = ["中心", "窗口", "名称", "人数", "迟到(次)", "早退(次)", "缺卡(次)", "旷工(天)"]

    /// The CSV export (UTF-8): one row per person of every hall that published the month; a hall that did not is named.
    public func csv() -> String {
        var lines = [Self.personHeader.joined(separator: ",")]
        for hall in halls {
            guard hall.publishedAt != nil else {
                lines.append([hall.hall, "", hall.problem ?? "尚未公布 (not yet published)"].map(CentreText.csvField).joined(separator: ","))
                continue
            }
            for p in hall.people {
                let who: [String] = [hall.hall, p.staffId, p.name, p.window.map { String($0) } ?? "", p.department]
                let counts: [Int] = [p.daysDue, p.daysPresent, p.lateCount, p.lateMinutes, p.earlyCount, p.earlyMinutes, p.missingPunches,
                                     p.leaveShifts.values.reduce(0, +), p.outingShifts]
                lines.append((who + counts.map { String($0) } + [String(p.absentDays)]).map(CentreText.csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The XLSX export: 人员 (every hall's people), 窗口 (every hall's windows) and 各中心 (who published, when).
    public func xlsx(county: String) throws -> Data {
        var book = XLSXWorkbook()
        let state = complete ? "全部中心已公布" : "尚未公布: " + halls.filter { $0.publishedAt == nil }.map(\.name).joined(separator: "、")
        let title: [XLSXCell] = [.bold("\(county) \(month) 月度考勤汇总"), .text(state)]
        var people: [[XLSXCell]] = [title, Self.personHeader.map { .bold($0) }]
        var windows: [[XLSXCell]] = [title, Self.windowHeader.map { .bold($0) }]
        for hall in halls where hall.publishedAt != nil {
            for p in hall.people {
                let who: [XLSXCell] = [.text(hall.name), .text(p.staffId), .text(p.name), p.window.map { .number(Double($0)) } ?? .text(""), .text(p.department)]
                let counts: [Int] = [p.daysDue, p.daysPresent, p.lateCount, p.lateMinutes, p.earlyCount, p.earlyMinutes, p.missingPunches,
                                     p.leaveShifts.values.reduce(0, +), p.outingShifts]
                people.append(who + counts.map { .number(Double($0)) } + [.number(p.absentDays)])
            }
            for w in hall.windows {
                let cells: [XLSXCell] = [.text(hall.name), .number(Double(w.window)), .text(w.name), .number(Double(w.people)),
                                         .number(Double(w.lateCount)), .number(Double(w.earlyCount)), .number(Double(w.missingPunches)), .number(w.absentDays)]
                windows.append(cells)
            }
        }
        try book.addSheet(named: "人员", rows: people, frozenHeaderRows: 2)
        try book.addSheet(named: "窗口", rows: windows, frozenHeaderRows: 2)
        let published: [[XLSXCell]] = [["中心", "编号", "公布时间", "公布人", "说明"].map { .bold($0) }] + halls.map { hall in
            [.text(hall.name), .text(hall.hall), .text(hall.publishedAt.map { CentreText.chinaTime($0, format: "yyyy-MM-dd HH:mm") } ?? "尚未公布"), .text(hall.publishedBy ?? ""), .text(hall.problem ?? "")]
        }
        try book.addSheet(named: "各中心", rows: published, frozenHeaderRows: 1)
        return book.data()
    }
}
