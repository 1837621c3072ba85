// A notice whose promised date runs into a year with no holiday arrangement: issued all the same, counted on weekends
// alone and marked provisional (暂定); GET /calendar lists it for the duty chief's and ops pages, and counts it again
// once the year is loaded. Doctor warns of a missing year: this year always, next year from 1 November.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notices
import Testing
@testable import Gateway

@Suite(.serialized) struct ProvisionalDeadlineTests {
    /// Accepted Mon 2026-12-28 with 10 working days: the date runs into 2027, which the shipped data does not have.
    static let lateBody = """
        {"kind":"acceptance","applicant":"张喆","item":"食品经营许可","window":1,"clerk":"D001","receivedOn":"2026-12-28",
         "materialsReceived":["营业执照副本"],"promisedWorkingDays":10}
        """

    /// The made-up 2027 of Tests/Fixtures/calendar (not official data).
    static func fixture2027() throws -> HolidayYear {
        let path = HallAPITests.root.appendingPathComponent("Tests/Fixtures/calendar/holiday-cn-2027-test-fixture.json").path
        return try HolidayCNFile.parse(try Data(contentsOf: URL(fileURLWithPath: path)), file: path).year
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("issued, not refused: the date counted on weekends alone, marked provisional in the record, the API and on paper")
    func issuedProvisional() async throws {
        let hall = try await HallAPITests.hall()
        #expect(!hall.config.calendarYears.contains { $0.year == 2027 })
        let clerk = try await hall.token(.clerk(window: 1)).token
        let chief = try await hall.token(.dutyChief).token
        let app = hall.app { HallAPITests.api(hall).register(on: $0) }
        let number = try await app.test(.live) { client in
            try await client.execute(uri: "/api/v1/notices/preview", method: .post,
                                     headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json"],
                                     body: ByteBuffer(string: Self.lateBody)) { response in
                let answer = try Self.object(response)
                #expect(response.status == .ok)
                #expect((answer["problems"] as? [Any])?.isEmpty == true, "a missing year is no problem for the clerk: \(answer)")
                #expect(answer["provisionalForYears"] as? [Int] == [2027])
                #expect((answer["text"] as? String)?.contains("暂按双休日计算") == true)
            }
            var number = ""
            try await client.execute(uri: "/api/v1/notices", method: .post,
                                     headers: [.authorization: "Bearer \(clerk)", .contentType: "application/json", .idempotencyKey: "late-1"],
                                     body: ByteBuffer(string: Self.lateBody)) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                let notice = try #require(try Self.object(response)["notice"] as? [String: Any])
                // Tue Dec 29 (1), Wed 30 (2), Thu 31 (3), then 2027 on weekends alone: Fri Jan 1 (4), Mon 4 (5) ... Fri 8 (9), Mon 11 (10).
                #expect(notice["promisedCompletion"] as? String == "2027-01-11")
                #expect(notice["promisedCompletionProvisional"] as? Bool == true)
                number = notice["number"] as? String ?? ""
            }
            try await client.execute(uri: "/api/v1/calendar", method: .get, headers: [.authorization: "Bearer \(chief)"]) { response in
                let answer = try Self.object(response)
                #expect(answer["today"] as? String == "2026-11-26")
                #expect(answer["missingInNextTwelveMonths"] as? [Int] == [2027])
                let warnings = try #require(answer["warnings"] as? [[String: Any]])
                #expect(warnings.map { $0["year"] as? Int } == [2027], "from 1 November next year is due")
                #expect(warnings.first?["command"] as? String == "countergate calendar import 2027.json")
                let listed = try #require(answer["provisionalNotices"] as? [[String: Any]])
                #expect(listed.count == 1)
                #expect((listed.first?["notice"] as? [String: Any])?["number"] as? String == number)
                #expect(listed.first?["missingYears"] as? [Int] == [2027])
                #expect(listed.first?["countedNow"] == nil, "not counted again while 2027 is missing")
            }
            return number
        }
        let stored = try #require(try await hall.store.notice(number: number))
        #expect(stored.notice.promisedCompletionProvisional)
        // On paper: the date, and the sentence that it is counted on weekends alone.
        let context = NoticeContext(hallName: hall.config.hall.name, hallPhone: hall.config.hall.phone, window: hall.config.windows.first, clerkName: "王建国")
        let paper = NoticePreview.plainText(NoticeTemplates.document(for: stored.notice, context: context, columns: 48))
        // The note wraps on the paper's width: read as one line.
        #expect(paper.contains("承诺办结日期:2027年1月11日") && paper.replacingOccurrences(of: "\n", with: "").contains(Notice.provisionalDateNote), "\(paper)")

        // 2027 loaded (as after `countergate calendar import` and a restart): counted again, the applicant to be told.
        var loaded = hall
        loaded.config.calendarYears.append(try Self.fixture2027())
        let afterImport = loaded.app { HallAPITests.api(loaded).register(on: $0) }
        try await afterImport.test(.live) { client in
            try await client.execute(uri: "/api/v1/calendar", method: .get, headers: [.authorization: "Bearer \(chief)"]) { response in
                let answer = try Self.object(response)
                #expect((answer["warnings"] as? [Any])?.isEmpty == true)
                #expect((answer["years"] as? [[String: Any]])?.map { $0["year"] as? Int } == [2025, 2026, 2027])
                let listed = try #require((answer["provisionalNotices"] as? [[String: Any]])?.first)
                // With the fixture's 元旦 (Jan 1-3): Dec 29, 30, 31, Jan 4, 5, 6, 7, 8, 11, 12.
                #expect(listed["countedNow"] as? String == "2027-01-12")
                #expect(listed["changed"] as? Bool == true)
                #expect(listed["missingYears"] as? [Int] == [])
            }
        }
        // A date within the loaded years is final.
        let final = try await NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock)
            .issueAndPrint(NoticeDraft(kind: .acceptance, applicant: "李四", item: "食品经营许可", window: 1, clerk: "D001",
                                       receivedOn: CivilDate("2026-11-26")!, materialsReceived: ["营业执照副本"], promisedWorkingDays: 5),
                           idempotencyKey: "final-1")
        #expect(!final.notice.notice.promisedCompletionProvisional && final.notice.notice.promisedCompletion == CivilDate("2026-12-03"))
    }

    /// A hall configuration with its data folder in `directory`.
    static func configFile(_ directory: URL) throws -> String {
        let path = directory.appendingPathComponent("hall.toml").path
        try "[store]\ndata_dir = \"data\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func at(_ day: String) -> ManualClock { ManualClock(HallTime.start(of: CivilDate(day)!).addingTimeInterval(9 * 3600)) }

    static func calendarFindings(_ config: String, _ day: String) async -> [DoctorFinding] {
        await HallDoctor.examine(configPath: config, clock: at(day), udevRuleDirectories: []).findings.filter { $0.area == "calendar" }
    }

    @Test("doctor: next year's arrangement due from 1 November, this year's always, with the command that loads it")
    func doctorWarnsFromNovember() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-doctor-calendar-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.configFile(directory)

        let october = await Self.calendarFindings(config, "2026-10-31")
        #expect(october.map(\.status) == [.ok], "\(october)")
        let november = await Self.calendarFindings(config, "2026-11-01")
        #expect(november.map(\.status) == [.warn], "\(november)")
        #expect(november.first?.finding.contains("no holiday arrangement (节假日安排) is loaded for 2027 yet") == true)
        #expect(november.first?.fix?.contains("`countergate calendar import 2027.json --config \(config)`") == true, "\(november)")
        // This year missing: a warning on any day (notices are not refused: their dates are provisional).
        let march = await Self.calendarFindings(config, "2027-03-01")
        #expect(march.map(\.status) == [.warn])
        #expect(march.first?.finding.contains("2027, this year") == true && march.first?.finding.contains("provisional") == true)
        let lateNext = await Self.calendarFindings(config, "2027-11-15")
        #expect(lateNext.map(\.finding).map { $0.contains("2027, this year") } == [true, false])
        #expect(lateNext.last?.fix?.contains("countergate calendar import 2028.json") == true)

        // 2027 imported: November is quiet again.
        let loaded = try HallConfiguration.load(path: config)
        let source = try CalendarImportSource.read(path: HallAPITests.root.appendingPathComponent("Tests/Fixtures/calendar/holiday-cn-2027-test-fixture.json").path)
        _ = try CalendarImport.install(source, into: loaded, replace: false) { try HallConfiguration.load(path: config) }
        let imported = await Self.calendarFindings(config, "2026-11-01")
        #expect(imported.map(\.status) == [.ok], "\(imported)")
        #expect(imported.first?.finding.contains("2025, 2026, 2027") == true)
    }
}
