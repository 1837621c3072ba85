// The county's monthly attendance sheet: each hall's own published sheet (月度考勤汇总, judged by the hall with its own
// staff list, calendar, hours and leave: Gateway/Attendance/MonthlySheet.swift), side by side, by hall, window and
// person. The county's sheet is complete when every registered hall has published the month.
import Foundation
import Logging
import PostgresNIO

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
