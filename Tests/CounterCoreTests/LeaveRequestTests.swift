// The seed's approval chain for leave and outings (考勤制度 第二条、第三条): each approver allowed and refused where
// the rules say.
import CounterCore
import Foundation
import Testing

@Suite struct LeaveRequestTests {
    static let day = CivilDate(year: 2026, month: 11, day: 26)!
    static func at(_ hour: Int, _ minute: Int = 0, days: Int = 0) -> Date {
        HallTime.start(of: day.adding(days: days)).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }
    static let clerk = Staff(id: "D002", name: "李秀英", window: 1, department: "县市场监督管理局", roles: [.clerk], post: .b)
    static let lead = Staff(id: "D001", name: "王建国", window: 1, department: "县市场监督管理局", roles: [.clerk, .windowLead], post: .a)
    static let otherLead = Staff(id: "D003", name: "张伟", window: 2, department: "县自然资源局", roles: [.clerk, .windowLead], post: .a)
    static let dutyChief = Staff(id: "D007", name: "赵敏", window: nil, department: "县政务服务中心", roles: [.dutyChief])
    static let otherDutyChief = Staff(id: "D009", name: "周洁", window: nil, department: "县政务服务中心", roles: [.dutyChief])
    static let inspection = Staff(id: "D010", name: "吴刚", window: nil, department: "县政务服务中心", roles: [.inspection])
    static let leader = Staff(id: "L001", name: "郑主任", window: nil, department: "县政务服务中心", roles: [.leader])

    func request(_ kind: LeaveKind = .personal, from start: Date = at(8, 30), to end: Date = at(12), requestedAt: Date = at(8),
                 windowHasLead: Bool = true) throws -> LeaveRequest {
        try LeaveRequest(staffID: Self.clerk.id, kind: kind, start: start, end: end, reason: "家中有事", requestedAt: requestedAt, windowHasLead: windowHasLead)
    }

    @Test("up to half a day: the window lead's opinion first, then the duty chief the roster names for that day (leave) or the inspection office (outings)")
    func halfADay() throws {
        var leave = try request()
        #expect(leave.state == .awaitingLead && leave.approver == .dutyChief && !leave.madeUp)
        // Before the lead's opinion nobody decides; another window's lead may not give it.
        #expect(throws: LeaveError.notWaiting(.awaitingLead)) { try leave.decide(by: Self.dutyChief, approve: true, dutyChiefOfTheDay: "D007") }
        #expect(throws: LeaveError.notTheWindowLead(staffID: "D003")) { try leave.leadOpinion(by: Self.otherLead, leadOfWindow: false, opinion: "同意") }
        try leave.leadOpinion(by: Self.lead, leadOfWindow: true, opinion: "同意,B岗李秀英接替")
        #expect(leave.state == .awaitingApproval && leave.leadOpinion == "同意,B岗李秀英接替")
        // Not the duty chief of that day; not the leader's to refuse either way for a clerk or lead.
        #expect(throws: LeaveError.notTheApprover(staffID: "D009", needed: .dutyChief)) {
            try leave.decide(by: Self.otherDutyChief, approve: true, dutyChiefOfTheDay: "D007")
        }
        #expect(throws: LeaveError.notTheApprover(staffID: "D001", needed: .dutyChief)) {
            try leave.decide(by: Self.lead, approve: true, dutyChiefOfTheDay: "D007")
        }
        // Personal leave up to half a day is the duty chief's alone (第三条): not the inspection office's; and only the
        // duty chief the roster names for that day, and none when the roster names nobody.
        #expect(leave.approver == .dutyChief)
        #expect(throws: LeaveError.notTheApprover(staffID: "D010", needed: .dutyChief)) {
            try leave.decide(by: Self.inspection, approve: true, dutyChiefOfTheDay: "D007")
        }
        #expect(throws: LeaveError.noDutyChiefOnRoster(Self.day)) { try leave.decide(by: Self.dutyChief, approve: true, dutyChiefOfTheDay: nil) }
        // An outing up to half a day (第二条): the duty chief of that day or the inspection office.
        var outing = try request(.businessOuting)
        try outing.leadOpinion(by: Self.lead, leadOfWindow: true, opinion: "同意")
        #expect(outing.approver == .dutyChiefOrInspection)
        var byInspection = outing
        try byInspection.decide(by: Self.inspection, approve: true, dutyChiefOfTheDay: "D007")
        #expect(byInspection.state == .approved && byInspection.decidedBy == "D010")
        #expect(throws: LeaveError.notTheApprover(staffID: "D009", needed: .dutyChiefOrInspection)) {
            try outing.decide(by: Self.otherDutyChief, approve: true, dutyChiefOfTheDay: "D007")
        }
        try leave.decide(by: Self.dutyChief, approve: true, dutyChiefOfTheDay: "D007")
        #expect(leave.state == .approved && leave.span == LeaveSpan(kind: .personal, start: Self.at(8, 30), end: Self.at(12)))
        #expect(throws: LeaveError.notWaiting(.approved)) { try leave.decide(by: Self.inspection, approve: false, dutyChiefOfTheDay: nil) }
    }

    @Test("beyond half a day: only the hall's leader in charge; a window without a lead goes straight to the approver")
    func beyondHalfADay() throws {
        var leave = try request(.training, from: Self.at(8, 30), to: Self.at(17, days: 1), windowHasLead: false)
        #expect(leave.state == .awaitingApproval && leave.approver == .leader)
        for refused in [Self.dutyChief, Self.inspection] {
            #expect(throws: LeaveError.notTheApprover(staffID: refused.id, needed: .leader)) {
                try leave.decide(by: refused, approve: true, dutyChiefOfTheDay: refused.id)
            }
        }
        try leave.decide(by: Self.leader, approve: false, dutyChiefOfTheDay: nil)
        #expect(leave.state == .refused && leave.span == nil)
    }

    @Test("late arrival on business is the duty chief's or the inspection office's, however long; made up afterwards is 补办")
    func businessAndMadeUp() throws {
        let late = try request(.lateArrivalOnBusiness, from: Self.at(8, 30), to: Self.at(14), requestedAt: Self.at(15))
        #expect(late.approver == .dutyChiefOrInspection && late.madeUp)
        #expect(LeaveKind.lateArrivalOnBusiness.isOuting && !LeaveKind.sick.isOuting)
        // Over more than one day it is an absence like any other: beyond half a day, the leader's.
        let days = try request(.lateArrivalOnBusiness, from: Self.at(8, 30), to: Self.at(10, days: 2))
        #expect(days.approver == .leader)
    }

    @Test("bad requests: ending before starting, no reason, approving one's own, overlapping, withdrawing another's")
    func bad() throws {
        #expect(throws: LeaveError.endsBeforeItStarts) { try request(from: Self.at(12), to: Self.at(8)) }
        #expect(throws: LeaveError.noReason) {
            try LeaveRequest(staffID: "D007", kind: .sick, start: Self.at(8), end: Self.at(9), reason: " ", requestedAt: Self.at(7), windowHasLead: false)
        }
        var own = try LeaveRequest(staffID: "D007", kind: .sick, start: Self.at(8), end: Self.at(9), reason: "发烧", requestedAt: Self.at(7), windowHasLead: false)
        #expect(throws: LeaveError.ownRequest) { try own.decide(by: Self.dutyChief, approve: true, dutyChiefOfTheDay: "D007") }
        let first = try request(from: Self.at(8, 30), to: Self.at(12))
        #expect(first.overlaps(try request(from: Self.at(11), to: Self.at(15))))
        #expect(!first.overlaps(try request(from: Self.at(14), to: Self.at(15))))
        var withdrawn = try request(from: Self.at(11), to: Self.at(15))
        #expect(throws: LeaveError.ownRequest) { try withdrawn.withdraw(by: "D001") }
        try withdrawn.withdraw(by: "D002")
        #expect(!first.overlaps(withdrawn))
        #expect(StaffRole(token: "分管领导") == .leader)
    }
}

@Suite struct PunchCorrectionTests {
    @Test("补卡: the duty chief, for someone else, with a reason, for a time that has passed")
    func rule() throws {
        let now = LeaveRequestTests.at(18)
        try PunchCorrection.check(staffID: "D002", at: LeaveRequestTests.at(8, 30), reason: "指纹识别失败", by: LeaveRequestTests.dutyChief, now: now)
        #expect(throws: PunchCorrectionError.notADutyChief("D001")) {
            try PunchCorrection.check(staffID: "D002", at: LeaveRequestTests.at(8, 30), reason: "x", by: LeaveRequestTests.lead, now: now)
        }
        #expect(throws: PunchCorrectionError.ownPunch) {
            try PunchCorrection.check(staffID: "D007", at: LeaveRequestTests.at(8, 30), reason: "x", by: LeaveRequestTests.dutyChief, now: now)
        }
        #expect(throws: PunchCorrectionError.noReason) {
            try PunchCorrection.check(staffID: "D002", at: LeaveRequestTests.at(8, 30), reason: " ", by: LeaveRequestTests.dutyChief, now: now)
        }
        #expect(throws: PunchCorrectionError.inTheFuture) {
            try PunchCorrection.check(staffID: "D002", at: LeaveRequestTests.at(8, 30, days: 1), reason: "x", by: LeaveRequestTests.dutyChief, now: now)
        }
    }
}
