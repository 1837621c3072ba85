// Cards to people, and taps kept with their meaning; an unknown card is recorded, not dropped.
import CounterCore
import Foundation
import Testing
@testable import CounterStore

@Suite struct BadgeStoreTests {
    @Test func cardsMapToStaffAndMoveAudited() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        try await f.store.setCard("0012345678", staffID: "D001", actor: "ops", at: StoreFixture.march2)
        #expect(try await f.store.staffID(forCard: "0012345678") == "D001")
        try await f.store.setCard("0012345678", staffID: "D002", actor: "ops", at: StoreFixture.march2)
        #expect(try await f.store.staffID(forCard: "0012345678") == "D002")
        #expect(try await f.store.cards(ofStaff: "D001").isEmpty)
        #expect(try await f.store.auditEntries().contains { $0.action == "card.set" && $0.detail.contains("moved from D001") })
        await #expect(throws: StoreError.unknownStaff("X9")) {
            try await f.store.setCard("0000000001", staffID: "X9", actor: "ops", at: StoreFixture.march2)
        }
    }

    @Test func tapsAreKeptWithTheirMeaning() async throws {
        let f = try StoreFixture()
        try await f.seedStaff()
        var board = OnPostBoard()
        let on = board.tap(card: "0012345678", staffID: "D001", at: .window(1), signInMode: false)
        #expect(on == .onPost(staffID: "D001", window: 1))
        try await f.store.record(tap: "0012345678", reader: "window-1-reader", meaning: on, at: StoreFixture.march2)
        let stranger = board.tap(card: "0099999999", staffID: nil, at: .entrance, signInMode: false)
        try await f.store.record(tap: "0099999999", reader: "entrance-reader", meaning: stranger, at: StoreFixture.march2)
        let unknown = try await f.store.unknownCardTaps()
        #expect(unknown.map(\.card) == ["0099999999"])
        #expect(unknown.first?.reader == "entrance-reader")
    }
}
