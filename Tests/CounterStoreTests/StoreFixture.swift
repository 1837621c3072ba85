// A fresh store in a temporary folder for each test, and the calendar the tests count with.
import CounterCore
import Foundation
@testable import CounterStore

struct StoreFixture {
    let directory: URL
    let store: HallStore

    /// - Parameter anchored: open the store with the audit log's anchor (`audit-head`, `audit.key`) in its folder.
    init(durability: StoreDurability = .full, anchored: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("countergate-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try HallStore(path: directory.appendingPathComponent("test.sqlite").path, durability: durability,
                              anchor: anchored ? AuditAnchorFiles(dataDirectory: directory.path) : nil)
    }

    /// The anchor's files when the fixture is `anchored`.
    var anchorFiles: AuditAnchorFiles { AuditAnchorFiles(dataDirectory: directory.path) }

    /// The same database opened again, as a second process (or the next start) would.
    func reopened(anchored: Bool = true) throws -> HallStore {
        try HallStore(path: path, anchor: anchored ? anchorFiles : nil)
    }

    var path: String { store.path }

    static let calendar: WorkingDayCalendar = {
        func days(_ a: String, _ b: String) -> [CivilDate] {
            let x = CivilDate(a)!, y = CivilDate(b)!
            return (0...(y.dayNumber - x.dayNumber)).map { x.adding(days: $0) }
        }
        let y2026 = HolidayYear(year: 2026, notice: "国务院办公厅关于2026年部分节假日安排的通知", documentNumber: nil,
                                published: CivilDate("2025-11-04")!, source: "test",
                                holidays: [HolidayPeriod(name: "春节", days: days("2026-02-15", "2026-02-23"))],
                                makeUpWorkdays: [.init(date: CivilDate("2026-02-14")!, forHoliday: "春节")])
        return try! WorkingDayCalendar(years: [y2026])
    }()

    /// 2026-03-02 10:00 in the hall.
    static let march2 = Date(timeIntervalSince1970: 1_772_416_800)

    static func draft(clerk: String = "D001", applicant: String = "某某有限公司") -> NoticeDraft {
        NoticeDraft(kind: .acceptance, applicant: applicant, item: "食品经营许可", window: 1, clerk: clerk,
                    receivedOn: CivilDate("2026-02-12")!, materialsReceived: ["营业执照副本", "法定代表人身份证"], promisedWorkingDays: 5)
    }

    func seedStaff() async throws {
        let csv = """
            staff_id,name,window,department,roles,terminal_user_id,post
            D001,王建国,1,县市场监督管理局,clerk,1,A
            D002,李秀英,1,县市场监督管理局,clerk,2,B
            D007,赵敏,,中心,duty-chief,7,
            """
        try await store.syncWindows([ServiceWindow(number: 1, name: "一号", department: "县市场监督管理局")], at: StoreFixture.march2)
        _ = try await store.importStaff(try StaffList.parse(csv, windows: [1]), actor: "test", at: StoreFixture.march2)
    }
}
