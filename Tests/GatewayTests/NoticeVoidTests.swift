// Voiding a notice (作废): one rule for the command line and the API (NoticeDesk.void): a window lead or the duty
// chief, with a reason; the number is kept.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Testing
@testable import Gateway

@Suite(.serialized) struct NoticeVoidTests {
    @Test("who may void, with what reason, and a notice void only once")
    func theVoidRule() async throws {
        let hall = try await HallAPITests.hall()
        let desk = NoticeDesk(config: hall.config, store: hall.store, clock: hall.clock)
        let draft = NoticeDraft(kind: .acceptance, applicant: "张喆", item: "食品经营许可", window: 1, clerk: "D001",
                                receivedOn: try #require(CivilDate(year: 2026, month: 11, day: 26)), materialsReceived: ["营业执照副本"], promisedWorkingDays: 5)
        let issued = try await desk.issueAndPrint(draft, idempotencyKey: "void-rule-1")
        let number = issued.notice.notice.number
        await #expect(throws: NoticeDeskError.unknownVoider("D999")) { try await desk.void(number: number, reason: "填错", by: "D999") }
        await #expect(throws: NoticeDeskError.mayNotVoid("D002")) { try await desk.void(number: number, reason: "填错", by: "D002") }
        // The command line used to skip this check: a void without a reason is refused wherever it comes from.
        await #expect(throws: NoticeDeskError.noVoidReason) { try await desk.void(number: number, reason: "  ", by: "D001") }
        await #expect(throws: NoticeDeskError.unknownNotice("NOPE")) { try await desk.void(number: "NOPE", reason: "填错", by: "D007") }
        let voided = try await desk.void(number: number, reason: "申请人撤回", by: "D007")
        #expect(voided.voided && voided.voidReason == "申请人撤回")
        await #expect(throws: NoticeDeskError.alreadyVoid(number)) { try await desk.void(number: number, reason: "again", by: "D001") }
    }
}
