// The real binary: leave through the CLI, as the hall's rules say: the window lead's opinion first, the duty chief up to
// half a day, the leader in charge beyond it; overlapping requests refused; every act in the audit log.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct LeaveEndToEndTests {
    @Test("request, opinion, approval by the right person only, an overlap refused, the audit log intact")
    func leaveThroughTheCLI() async throws {
        let directory = try temporaryDirectory("leave")
        let staff = directory.appendingPathComponent("staff.csv")
        try """
            staff_id,name,window,department,roles,terminal_user_id,post
            D001,王建国,1,县市场监督管理局,clerk|window-lead,1,A
            D002,李秀英,1,县市场监督管理局,clerk,2,B
            D007,赵敏,,县政务服务中心,duty-chief,7,
            L001,郑主任,,县政务服务中心,分管领导,,

            """.write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path], directory: directory).status == 0)
        func leave(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await RunningBinary.run(["leave"] + arguments, directory: directory)
        }
        // Half a day for D002, whose window has a lead: the lead's opinion comes first.
        let asked = try await leave(["request", "D002", "--kind", "personal", "--from", "2030-03-04 08:30", "--to", "2030-03-04 12:00", "--reason", "家中有事"])
        #expect(asked.status == 0 && asked.stdout.hasPrefix("1\tD002\t事假") && asked.stdout.contains("awaiting-lead"), "\(asked.stdout)\(asked.stderr)")
        let early = try await leave(["approve", "1", "--by", "D007"])
        #expect(early.status == 1 && early.stderr.contains("only a waiting request"), "\(early.stderr)")
        let opinion = try await leave(["opinion", "1", "--by", "D001", "--note", "同意,A岗顶岗"])
        #expect(opinion.status == 0 && opinion.stdout.contains("awaiting-approval") && opinion.stdout.contains("意见: 同意,A岗顶岗"), "\(opinion.stdout)\(opinion.stderr)")
        // The duty chief of that day approves: nobody on the roster yet, so not even a duty chief; then the roster names D007.
        let noRoster = try await leave(["approve", "1", "--by", "D007"])
        #expect(noRoster.status == 1 && noRoster.stderr.contains("countergate roster set 2030-03-04"), "\(noRoster.stderr)")
        let roster = try await RunningBinary.run(["roster", "set", "2030-03-04", "D007"], directory: directory)
        #expect(roster.status == 0 && roster.stdout.contains("2030-03-04\t周一\t值班长 D007"), "\(roster.stdout)\(roster.stderr)")
        let notChiefOnRoster = try await RunningBinary.run(["roster", "set", "2030-03-05", "D002"], directory: directory)
        #expect(notChiefOnRoster.status == 1 && notChiefOnRoster.stderr.contains("does not hold the duty chief role"), "\(notChiefOnRoster.stderr)")
        #expect(try await leave(["approve", "1", "--by", "D007"]).stdout.contains("approved\t家中有事"))
        // Two days of training: not the duty chief's to approve, the leader's.
        let training = try await leave(["request", "D007", "--kind", "training", "--from", "2030-03-05 08:30", "--to", "2030-03-06 17:00", "--reason", "业务培训"])
        #expect(training.status == 0, "\(training.stderr)")
        let refused = try await leave(["approve", "2", "--by", "D001"])
        #expect(refused.status == 1 && refused.stderr.contains("中心分管领导"), "\(refused.stderr)")
        #expect(try await leave(["approve", "2", "--by", "L001"]).stdout.contains("approved"))
        // Overlapping the approved half day: refused, nothing stored.
        let overlap = try await leave(["request", "D002", "--kind", "sick", "--from", "2030-03-04 11:00", "--to", "2030-03-04 15:00", "--reason", "发烧"])
        #expect(overlap.status == 1 && overlap.stderr.contains("already has leave 1"), "\(overlap.stderr)")
        let backwards = try await leave(["request", "D002", "--kind", "sick", "--from", "2030-03-04 15:00", "--to", "2030-03-04 11:00", "--reason", "发烧"])
        #expect(backwards.status == 1 && backwards.stderr.contains("ends before it starts"))
        let list = try await leave(["list", "--month", "2030-03"])
        #expect(list.stdout.contains("2 request(s) in 2030-03"), "\(list.stdout)")
        // 补卡: only the duty chief, with a reason.
        let notChief = try await RunningBinary.run(["attendance", "correct", "D002", "--at", "2026-11-20 08:30", "--reason", "指纹识别失败", "--as", "D001"], directory: directory)
        #expect(notChief.status == 1 && notChief.stderr.contains("only the duty chief corrects punches"), "\(notChief.stderr)")
        let corrected = try await RunningBinary.run(["attendance", "correct", "D002", "--at", "2026-11-20 08:30", "--reason", "指纹识别失败", "--as", "D007"], directory: directory)
        #expect(corrected.status == 0 && corrected.stdout.contains("补卡 1: D002 at 2026-11-20 08:30:00, by D007"), "\(corrected.stdout)\(corrected.stderr)")
        let audit = try await RunningBinary.run(["audit", "verify"], directory: directory)
        #expect(audit.status == 0 && audit.stdout.contains("intact"))
    }
}
