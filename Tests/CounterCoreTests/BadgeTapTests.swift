// What a tap means: on post and off post at a window, check-in or sign-in at the entrance, unknown cards kept.
import Testing
@testable import CounterCore

@Suite struct BadgeTapTests {
    @Test func windowTapsToggleOnPostAndMoveBetweenWindows() {
        var board = OnPostBoard()
        #expect(board.tap(card: "c", staffID: "D001", at: .window(1), signInMode: false) == .onPost(staffID: "D001", window: 1))
        #expect(board.isOnPost("D001", window: 1))
        // The B post covers window 2: tapping there moves the person.
        #expect(board.tap(card: "c", staffID: "D001", at: .window(2), signInMode: false) == .onPost(staffID: "D001", window: 2))
        #expect(!board.isOnPost("D001", window: 1))
        #expect(board.tap(card: "c", staffID: "D001", at: .window(2), signInMode: false) == .offPost(staffID: "D001", window: 2))
        #expect(!board.isOnPost("D001", window: 2))
    }

    @Test func entranceTapIsACheckInOrASignIn() {
        var board = OnPostBoard()
        #expect(board.tap(card: "c", staffID: "D001", at: .entrance, signInMode: false) == .checkIn(staffID: "D001"))
        #expect(board.tap(card: "c", staffID: "D001", at: .entrance, signInMode: true) == .signIn(staffID: "D001"))
        #expect(board.tap(card: "0099", staffID: nil, at: .window(3), signInMode: false) == .unknownCard("0099"))
    }
}
