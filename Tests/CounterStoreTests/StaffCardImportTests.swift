// The staff list's card column in the store: cards land with the staff or not at all, and a card never silently
// changes hands from someone outside the list.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite struct StaffCardImportTests {
    static let header = "staff_id,name,window,department,roles,terminal_user_id,post,card\n"

    func importList(_ f: StoreFixture, _ body: String) async throws -> StaffImportSummary {
        try await f.store.importStaff(try StaffList.parse(Self.header + body, windows: [1]), actor: "test", at: StoreFixture.march2)
    }

    @Test("cards are stored with the staff and audited as card set does; the summary counts them")
    func cardsLandWithTheStaff() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        let summary = try await importList(f, """
            D001,王建国,1,县市场监督管理局,clerk,1,A,12345678|0087654321
            D020,新人,1,县市场监督管理局,clerk,,,0000000020
            """)
        #expect(summary == StaffImportSummary(added: 1, updated: 1, cardsAdded: 3))
        #expect(summary.description == "staff list imported: 1 added, 1 updated; cards: 3 added, 0 moved, 0 removed, 0 unchanged")
        #expect(try await f.store.cards(ofStaff: "D001") == ["0012345678", "0087654321"])
        #expect(try await f.store.staffID(forCard: "0000000020") == "D020")
        let audit = try await f.store.auditEntries()
        #expect(audit.filter { $0.action == "card.set" }.map(\.detail).sorted()
                == ["0000000020 (new card)", "0012345678 (new card)", "0087654321 (new card)"])
        #expect(audit.contains { $0.action == "staff.imported" && $0.detail.hasSuffix("cards: 3 added, 0 moved, 0 removed, 0 unchanged") })
        #expect(try await f.store.verifyAudit() == .intact(entries: audit.count))
        // The same list again changes nothing and audits no card.
        let again = try await importList(f, "D001,王建国,1,县市场监督管理局,clerk,1,A,0012345678|87654321\n")
        #expect(again == StaffImportSummary(added: 0, updated: 1, cardsUnchanged: 2))
        #expect(try await f.store.auditEntries().filter { $0.action == "card.set" }.count == 3)
    }

    @Test("a listed person has exactly the listed cards; an empty cell or no card column keeps the cards")
    func listedCardsReplaceEmptyKeeps() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        try await f.store.setCard("0000000001", staffID: "D001", actor: "ops", at: StoreFixture.march2)
        try await f.store.setCard("0000000002", staffID: "D001", actor: "ops", at: StoreFixture.march2)
        try await f.store.setCard("0000000007", staffID: "D007", actor: "ops", at: StoreFixture.march2)
        // Empty cell: kept. No column at all: kept.
        _ = try await importList(f, "D001,王建国,1,县市场监督管理局,clerk,1,A,\n")
        _ = try await f.store.importStaff(try StaffList.parse("""
            staff_id,name,window,department,roles,terminal_user_id,post
            D001,王建国,1,县市场监督管理局,clerk,1,A
            """, windows: [1]), actor: "test", at: StoreFixture.march2)
        #expect(try await f.store.cards(ofStaff: "D001") == ["0000000001", "0000000002"])
        // Listed: 2 stays, 3 is new, 1 is taken away (a lost badge stops working). D007, not in the list, keeps 7.
        let summary = try await importList(f, "D001,王建国,1,县市场监督管理局,clerk,1,A,2|3\n")
        #expect(summary == StaffImportSummary(added: 0, updated: 1, cardsAdded: 1, cardsRemoved: 1, cardsUnchanged: 1))
        #expect(try await f.store.cards(ofStaff: "D001") == ["0000000002", "0000000003"])
        #expect(try await f.store.staffID(forCard: "0000000001") == nil)
        #expect(try await f.store.cards(ofStaff: "D007") == ["0000000007"])
        let removed = try await f.store.auditEntries().filter { $0.action == "card.removed" }
        #expect(removed.map(\.subject) == ["D001"])
        #expect(removed.first?.detail.hasPrefix("0000000001") == true)
    }

    @Test("a card held by someone not in the list stops the whole import, naming the card and its holder")
    func cardOfSomeoneElseIsRefused() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        try await f.store.setCard("0012345678", staffID: "D007", actor: "ops", at: StoreFixture.march2)
        let entriesBefore = try await f.store.auditEntries().count
        await #expect(throws: StoreError.self) {
            try await importList(f, """
                D030,新人甲,1,县市场监督管理局,clerk,,,1
                D001,王建国,1,县市场监督管理局,clerk,1,A,0012345678
                """)
        }
        do {
            _ = try await importList(f, """
                D030,新人甲,1,县市场监督管理局,clerk,,,1
                D001,王建国,1,县市场监督管理局,clerk,1,A,0012345678
                """)
        } catch let error as StoreError {
            guard case .staffConflict(let row, let message) = error else { Issue.record("\(error)"); return }
            #expect(row == 3)
            #expect(message.contains("card 0012345678 belongs to 赵敏 (D007), who is not in this list"))
            #expect(error.description.contains("nothing was changed"))
        }
        // Nothing landed: no new person, no card given, no audit entry.
        #expect(try await f.store.staff(id: "D030") == nil)
        #expect(try await f.store.staffID(forCard: "0000000001") == nil)
        #expect(try await f.store.staffID(forCard: "0012345678") == "D007")
        #expect(try await f.store.auditEntries().count == entriesBefore)
    }

    @Test("a card moves from someone re-imported in the same list without it; two people may swap cards")
    func cardsMoveWithinTheList() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        try await f.store.setCard("0000000001", staffID: "D001", actor: "ops", at: StoreFixture.march2)
        try await f.store.setCard("0000000009", staffID: "D001", actor: "ops", at: StoreFixture.march2)
        try await f.store.setCard("0000000002", staffID: "D002", actor: "ops", at: StoreFixture.march2)
        // D007 is in the list with an empty cell: its card 7 moves to D002 all the same (the list says whose it is).
        try await f.store.setCard("0000000007", staffID: "D007", actor: "ops", at: StoreFixture.march2)
        let summary = try await importList(f, """
            D001,王建国,1,县市场监督管理局,clerk,1,A,2
            D002,李秀英,1,县市场监督管理局,clerk,2,B,1|7
            D007,赵敏,,中心,duty-chief,7,,
            """)
        #expect(summary == StaffImportSummary(added: 0, updated: 3, cardsMoved: 3, cardsRemoved: 1))
        #expect(try await f.store.cards(ofStaff: "D001") == ["0000000002"])
        #expect(try await f.store.cards(ofStaff: "D002") == ["0000000001", "0000000007"])
        #expect(try await f.store.cards(ofStaff: "D007").isEmpty)
        #expect(try await f.store.staffID(forCard: "0000000009") == nil, "D001 listed cards without 9: taken away")
        let details = try await f.store.auditEntries().filter { $0.action == "card.set" && $0.actor == "test" }.map(\.detail).sorted()
        #expect(details == ["0000000001 (moved from D001)", "0000000002 (moved from D002)", "0000000007 (moved from D007)"])
        #expect(try await f.store.verifyAudit() == .intact(entries: try await f.store.auditEntries(limit: 1000).count))
    }

    @Test("rows made without StaffList are checked too: one card on two people is refused")
    func oneCardTwoPeopleIsRefused() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        let staff = try await f.store.staff()
        let rows = [StaffListRow(row: 2, staff: staff[0], cards: ["0000000005"]), StaffListRow(row: 3, staff: staff[1], cards: ["0000000005"])]
        await #expect(throws: StoreError.staffConflict(row: 3, message: "card 0000000005 is also given to D001 on row 2")) {
            try await f.store.importStaff(rows, actor: "test", at: StoreFixture.march2)
        }
        #expect(try await f.store.staffID(forCard: "0000000005") == nil)
    }
}
