// The rest of issue 13 through the API and the desks: leave made as the token's person and checked against the seed's
// chain and the duty roster; the windows' A/B cover and its alert; publishing a month (frozen, later changes shown as
// amendments); the sheet as CSV and as XLSX, the XLSX opened by another program (openpyxl).
import CounterConfig
import CounterCore
import CounterGateTestSupport
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite(.serialized) struct AttendanceDeskTests {
    static func at(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        HallTime.start(of: CivilDate(year: 2026, month: month, day: day)!).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    static func punch(_ staffID: String, user: String, _ at: Date) -> Punch {
        Punch(terminalSerial: "SN1", terminalUserID: user, at: at, verification: .fingerprint, direction: .checkIn, staffID: staffID)
    }

    struct Answer {
        let status: HTTPResponse.Status
        let json: Any?
        let text: String
    }

    @Test("leave through the API is the token's person's act: a clerk for themself, the duty chief the roster names, nobody without a person")
    func leaveAsTheTokensPerson() async throws {
        let hall = try await HallAPITests.hall()
        // D001 leads window 1 (so D002's requests wait for D001's opinion); D007 is duty chief and inspection; D009 duty chief.
        func token(_ role: APIRole, _ staffID: String?) async throws -> String {
            try await hall.store.createToken(name: "\(role.text) \(staffID ?? "-")", role: role, staffID: staffID, actor: "cli", at: hall.clock.now()).token
        }
        let clerk2 = try await token(.clerk(window: 1), "D002"), lead = try await token(.clerk(window: 1), "D001")
        let chief7 = try await token(.dutyChief, "D007"), chief9 = try await token(.dutyChief, "D009"), nobody = try await token(.dutyChief, nil)
        let inspection = try await token(.inspection, "D007"), leader = try await token(.leader, "D010")
        let inspectionOfNobody = try await token(.inspection, nil)
        try await hall.app(routes: { HallAPITests.api(hall).register(on: $0) }).test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil) async throws -> Answer {
                var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                if body != nil { headers[.contentType] = "application/json" }
                return try await client.execute(uri: "/api/v1" + uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                    let text = String(buffer: response.body)
                    return Answer(status: response.status, json: try? JSONSerialization.jsonObject(with: Data(text.utf8)), text: text)
                }
            }
            // A clerk files for themself, not for a colleague.
            let forOther = try await call(.post, "/attendance/leave", clerk2, #"{"staffId":"D001","kind":"personal","start":"2026-11-27 08:30","end":"2026-11-27 11:00","reason":"家中有事"}"#)
            #expect(forOther.status == .forbidden && forOther.text.contains("its own person"), "\(forOther.text)")
            let filed = try await call(.post, "/attendance/leave", clerk2, #"{"kind":"personal","start":"2026-11-27 08:30","end":"2026-11-27 11:00","reason":"家中有事"}"#)
            #expect(filed.status == .created, "\(filed.text)")
            let leave = try #require(filed.json as? [String: Any])
            #expect(leave["staffId"] as? String == "D002" && leave["state"] as? String == "awaiting-lead" && leave["approver"] as? String == "duty-chief")
            let id = try #require(leave["id"] as? Int)
            // Overlapping: 409; ending before it starts: 422; nothing stored.
            #expect(try await call(.post, "/attendance/leave", clerk2, #"{"kind":"sick","start":"2026-11-27 10:00","end":"2026-11-27 12:00","reason":"发烧"}"#).status == .conflict)
            #expect(try await call(.post, "/attendance/leave", clerk2, #"{"kind":"sick","start":"2026-11-27 12:00","end":"2026-11-27 10:00","reason":"发烧"}"#).status == .unprocessableContent)
            #expect(try await call(.post, "/attendance/leave", clerk2, #"{"kind":"holiday","start":"2026-11-28 08:00","end":"2026-11-28 10:00","reason":"x"}"#).status == .unprocessableContent)
            // Before the lead's opinion nobody decides; the lead's opinion is D001's, made with D001's token.
            #expect(try await call(.post, "/attendance/leave/\(id)/approve", chief7).status == .conflict)
            #expect(try await call(.post, "/attendance/leave/\(id)/opinion", clerk2, #"{"opinion":"同意"}"#).status == .forbidden)
            let opinion = try await call(.post, "/attendance/leave/\(id)/opinion", lead, #"{"opinion":"同意,A岗顶岗"}"#)
            #expect(opinion.status == .ok && (opinion.json as? [String: Any])?["state"] as? String == "awaiting-approval", "\(opinion.text)")
            // Sick or personal leave up to half a day: the duty chief of that day only. No roster yet: refused, saying so.
            let noRoster = try await call(.post, "/attendance/leave/\(id)/approve", chief7)
            #expect(noRoster.status == .forbidden && noRoster.text.contains("roster set 2026-11-27"), "\(noRoster.text)")
            #expect(try await call(.put, "/attendance/roster", chief7, #"[{"day":"2026-11-27","staffId":"D007"}]"#).status == .forbidden)
            let notAChief = try await call(.put, "/attendance/roster", inspection, #"[{"day":"2026-11-27","staffId":"D002"}]"#)
            #expect(notAChief.status == .unprocessableContent && notAChief.text.contains("duty chief role"), "\(notAChief.text)")
            #expect(try await call(.put, "/attendance/roster", inspection, #"[{"day":"2026-11-27","staffId":"D007"}]"#).status == .ok)
            let roster = try await call(.get, "/attendance/roster?from=2026-11-27&to=2026-11-27", clerk2)
            #expect((roster.json as? [[String: Any]])?.first?["staffId"] as? String == "D007")
            // Not the duty chief of that day; a token of nobody. (That the inspection office may not approve personal leave, 第三条,
            // is LeaveRequestTests': the demo's inspection office, D007, is also the duty chief of that day.)
            let otherChief = try await call(.post, "/attendance/leave/\(id)/approve", chief9)
            #expect(otherChief.status == .forbidden && otherChief.text.contains("当日值班长"), "\(otherChief.text)")
            let anonymous = try await call(.post, "/attendance/leave/\(id)/approve", nobody)
            #expect(anonymous.status == .forbidden && anonymous.text.contains("--staff"), "\(anonymous.text)")
            let approved = try await call(.post, "/attendance/leave/\(id)/approve", chief7)
            #expect(approved.status == .ok && (approved.json as? [String: Any])?["decidedBy"] as? String == "D007", "\(approved.text)")
            // Two days of training for D003 (window 2, whose lead is D003 themself: straight to the approver): the leader's.
            let training = try await call(.post, "/attendance/leave", chief7, #"{"staffId":"D003","kind":"training","start":"2026-11-30 08:30","end":"2026-12-01 17:30","reason":"业务培训"}"#)
            let trainingID = try #require((training.json as? [String: Any])?["id"] as? Int)
            #expect(try await call(.post, "/attendance/leave/\(trainingID)/approve", inspection).status == .forbidden)
            #expect(try await call(.post, "/attendance/leave/\(trainingID)/approve", leader).status == .ok)
            // A clerk's list holds its window's requests only.
            let own = try #require(try await call(.get, "/attendance/leave", clerk2).json as? [[String: Any]])
            #expect(own.map { $0["staffId"] as? String } == ["D002"])
            // 补卡 by the duty chief, as the token's person.
            let corrected = try await call(.post, "/attendance/corrections", chief7, #"{"staffId":"D002","at":"2026-11-25T08:29:00+08:00","reason":"指纹识别失败"}"#)
            #expect(corrected.status == .created && (corrected.json as? [String: Any])?["correctedBy"] as? String == "D007", "\(corrected.text)")
            let own补卡 = try await call(.post, "/attendance/corrections", chief7, #"{"staffId":"D007","at":"2026-11-25 08:29","reason":"x"}"#)
            #expect(own补卡.status == .unprocessableContent)
            // A token given to a person never acts as another: not in the sign-in review's `by`, not by publishing without one.
            let asOther = try await call(.post, "/signin/review", chief7, #"{"action":"confirm","by":"D009","all":true}"#)
            #expect(asOther.status == .forbidden && asOther.text.contains("speaks for D007"), "\(asOther.text)")
            let publishedByNobody = try await call(.post, "/attendance/sheet/publish?month=2026-10", inspectionOfNobody)
            #expect(publishedByNobody.status == .forbidden && publishedByNobody.text.contains("--staff"), "\(publishedByNobody.text)")
            // A month far out of range is a 400, not a crash.
            #expect(try await call(.get, "/attendance/sheet?month=99999999999999999-01", inspection).status == .badRequest)
            // The roster: a past day is kept as it was; a day given twice is refused whole.
            #expect(try await call(.put, "/attendance/roster", inspection, #"[{"day":"2026-11-20","staffId":"D007"}]"#).status == .unprocessableContent)
            #expect(try await call(.put, "/attendance/roster", inspection, #"[{"day":"2026-12-01","staffId":"D007"},{"day":"2026-12-01","staffId":"D009"}]"#).status == .unprocessableContent)
        }
        // Every act is in the audit log, whose chain is intact.
        if case .intact = try await hall.store.verifyAudit() {} else { Issue.record("the audit chain is broken") }
    }

    @Test("A/B cover: an alert (event, metric, log) when A and B are both away in opening hours, none when B covers")
    func cover() async throws {
        let hall = try await HallAPITests.hall()
        hall.clock.set(Self.at(11, 26, 10, 0))  // Thursday 10:00
        let events = GatewayEvents()
        let stream = events.subscribe()
        let watch = PostCoverWatch(desk: PostCoverDesk(config: hall.config, store: hall.store, clock: hall.clock), events: events,
                                   logger: .init(label: "test"))
        // Window 3's A (D005) and B (D006) have not come; windows 1 and 2 are staffed by their A posts.
        _ = try await hall.store.record(punches: [Self.punch("D001", user: "1", Self.at(11, 26, 8, 25)), Self.punch("D003", user: "3", Self.at(11, 26, 8, 26))],
                                        receivedAt: Self.at(11, 26, 8, 30))
        let first = await watch.look(previous: [:])
        #expect(first == [3: .bothAway])
        var iterator = stream.makeAsyncIterator()
        let event = try #require(await iterator.next())
        #expect(event.name == "cover" && event.json.contains("\"window\":\"3\"") && event.json.contains("A岗、B岗均不在岗"), "\(event.json)")
        // The same state again: no new event.
        #expect(await watch.look(previous: first) == first)
        // D005 is on approved leave; B (D006) arrives and covers: the alert ends.
        _ = try await hall.store.record(punches: [Self.punch("D006", user: "6", Self.at(11, 26, 9, 50))], receivedAt: Self.at(11, 26, 9, 51))
        let covers = try await PostCoverDesk(config: hall.config, store: hall.store, clock: hall.clock).now()
        #expect(covers.map(\.state) == [.aOnPost, .aOnPost, .bCovers])
        #expect(await watch.look(previous: first) == [:])
        let ended = try #require(await iterator.next())
        #expect(ended.name == "cover" && !ended.json.contains("alert") && ended.json.contains("B岗顶岗"), "\(ended.json)")
        // D001 taps off post at window 1; D002 (B) never came: window 1 is uncovered.
        _ = try await hall.store.record(tap: "0010000001", reader: "window-1-reader", meaning: .offPost(staffID: "D001", window: 1), at: Self.at(11, 26, 9, 55))
        #expect(await watch.look(previous: [:]) == [1: .bothAway])
        // Outside opening hours nothing alerts.
        hall.clock.set(Self.at(11, 26, 19, 0))
        #expect(await watch.look(previous: [:]) == [:])
    }

    @Test("publishing freezes a month: refused before it is over or judged, later changes shown as amendments; CSV and XLSX (openpyxl) carry the figures")
    func publishAndExport() async throws {
        let hall = try await HallAPITests.hall()
        // D001 punches four times on 2026-11-26, 11 minutes late in the morning; nothing else all month.
        _ = try await hall.store.record(punches: [Self.at(11, 26, 8, 41), Self.at(11, 26, 12, 0), Self.at(11, 26, 14, 0), Self.at(11, 26, 17, 0)].map {
            Self.punch("D001", user: "1", $0)
        }, receivedAt: Self.at(11, 26, 17, 1))
        // A punch of a terminal user nobody on the staff list has: stored, counted for nobody, and said so.
        _ = try await hall.store.record(punches: [Punch(terminalSerial: "SN1", terminalUserID: "77", at: Self.at(11, 26, 8, 30), verification: .fingerprint,
                                                        direction: .checkIn, staffID: nil)], receivedAt: Self.at(11, 26, 8, 31))
        let desk = MonthlySheetDesk(config: hall.config, store: hall.store, clock: hall.clock)
        #expect(try await desk.compute(year: 2026, month: 11).unmatchedPunches == 1)
        await #expect(throws: MonthlySheetError.monthNotOver("2026-11")) { try await desk.publish(year: 2026, month: 11, by: "D007") }
        hall.clock.set(Self.at(12, 2, 9, 0))
        // The terminal was last heard from on the 27th: not every day judged.
        _ = try await hall.store.recordDeviceHealth(id: "t1", power: .online, operational: .idle, at: Self.at(11, 28, 0, 0))
        await #expect(throws: MonthlySheetError.self) { try await desk.publish(year: 2026, month: 11, by: "D007") }
        _ = try await hall.store.recordDeviceHealth(id: "t1", power: .online, operational: .idle, at: Self.at(12, 1, 8, 0))
        let published = try await desk.publish(year: 2026, month: 11, by: "D007")
        #expect(published.state == "published" && published.amendments.isEmpty && published.publication?.by == "D007")
        let d001 = try #require(published.people.first { $0.staffId == "D001" })
        // 21 working days in November 2026; present on the 26th only; 20 days of 旷工; late once, 11 minutes.
        #expect(d001.daysDue == 21 && d001.daysPresent == 1 && d001.absentDays == 20 && d001.lateCount == 1 && d001.lateMinutes == 11)
        // Window 3 (D005, D006) nobody on any of 21 days × 2 shifts; window 1 covered on the 26th only.
        #expect(published.windows.first { $0.window == 3 }?.coverGaps == 42)
        #expect(published.windows.first { $0.window == 1 }?.coverGaps == 40)
        await #expect(throws: MonthlySheetError.self) { try await desk.publish(year: 2026, month: 11, by: "D007") }

        // A correction after publishing: the published figures stay, the change shows as an amendment.
        let leaveDesk = LeaveDesk(config: hall.config, store: hall.store, clock: hall.clock)
        _ = try await leaveDesk.correctPunch(of: "D001", at: Self.at(11, 25, 17, 0), reason: "指纹识别失败", by: "D007")
        let amended = try await desk.sheet(year: 2026, month: 11)
        #expect(amended.people.first { $0.staffId == "D001" }?.absentDays == 20)
        let changes = Dictionary(amended.amendments.filter { $0.staffId == "D001" }.map { ($0.figure, ($0.published, $0.now)) }, uniquingKeysWith: { a, _ in a })
        #expect(changes["absentDays"]?.0 == 20 && changes["absentDays"]?.1 == 19.5)
        #expect(changes["missingPunches"]?.0 == 0 && changes["missingPunches"]?.1 == 1)
        #expect(changes["corrections"]?.1 == 1)

        // A sheet published by an earlier version (without the figures added since) still reads.
        var older = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(published)) as? [String: Any])
        older["unmatchedPunches"] = nil
        older["windows"] = nil
        older["amendmentsUnavailable"] = nil
        let decoded = try JSONDecoder().decode(MonthlySheet.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(decoded.unmatchedPunches == 0 && decoded.windows.isEmpty && decoded.people == published.people)

        // CSV: a BOM, the title, the header in the hall's words, D001's row.
        let csv = MonthlySheetExport.csv(amended, hall: hall.config.hall.name)
        #expect(csv.hasPrefix("\u{FEFF}") && csv.contains("工号,姓名,窗口,单位,应出勤(天),出勤(天),迟到(次),迟到(分钟)"))
        #expect(csv.contains("D001,王建国,1,县市场监督管理局,21,1,1,11,0,0,0,"), "\(csv)")
        #expect(csv.contains("更正(公示后)"))

        // XLSX, opened by openpyxl: the sheets, the bold header, D001's figures, window 3's cover gaps.
        let file = URL(fileURLWithPath: hall.config.store.dataDirectory).appendingPathComponent("sheet.xlsx")
        try MonthlySheetExport.xlsx(amended, hall: hall.config.hall.name).write(to: file)
        let script = """
            import json, sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            out = {"sheets": book.sheetnames}
            people = book["人员"]
            out["headerBold"] = people.cell(row=2, column=1).font.b
            out["header"] = [c.value for c in people[2]]
            out["rows"] = {str(r[0].value): [c.value for c in r] for r in people.iter_rows(min_row=3)}
            out["windows"] = {str(r[0].value): [c.value for c in r] for r in book["窗口"].iter_rows(min_row=3)}
            print(json.dumps(out, ensure_ascii=False))
            """
        let run = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, file.path])
        #expect(run.status == 0, "\(run.stderr)")
        let output: String = run.stdout
        let opened = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(opened["sheets"] as? [String] == ["人员", "窗口", "更正"])
        #expect(opened["headerBold"] as? Bool == true)
        let header = try #require(opened["header"] as? [String])
        let row = try #require((opened["rows"] as? [String: [Any]])?["D001"])
        func value(_ name: String) -> Double? { header.firstIndex(of: name).flatMap { (row[$0] as? NSNumber)?.doubleValue } }
        #expect(row[1] as? String == "王建国")
        #expect(value("应出勤(天)") == 21 && value("出勤(天)") == 1 && value("迟到(分钟)") == 11 && value("旷工(天)") == 20)
        let window3 = try #require((opened["windows"] as? [String: [Any]])?["3"])
        #expect((window3.last as? NSNumber)?.intValue == 42)
    }
}
