// The real binary: cards given to staff in any reader format, kept in one canonical form; reader profiles listed.
import CounterGateTestSupport
import Foundation
import Testing

@Suite(.serialized) struct ReaderEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aCardIsGivenToStaffInAnyFormat() async throws {
        let directory = try temporaryDirectory("cards")
        let staff = directory.appendingPathComponent("staff.csv")
        try "staff_id,name,window,department,roles\nD001,王建国,1,县市场监督管理局,clerk\nD002,李秀英,1,县市场监督管理局,clerk\n"
            .write(to: staff, atomically: true, encoding: .utf8)
        #expect(try await RunningBinary.run(["staff", "import", staff.path], directory: directory).status == 0)
        let wiegand = try await RunningBinary.run(["staff", "card", "set", "D001", "123,45678", "--format", "wiegand-26"], directory: directory)
        #expect(wiegand.status == 0, "\(wiegand.stderr)")
        #expect(wiegand.stdout.contains("card 0008106606"))
        // The same card typed by another reader as hex moves to D002, and the move is audited.
        let hex = try await RunningBinary.run(["staff", "card", "set", "D002", "7BB26E", "--format", "hex"], directory: directory)
        #expect(hex.stdout.contains("card 0008106606"))
        let bad = try await RunningBinary.run(["staff", "card", "set", "D001", "12ab"], directory: directory)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("12ab"))
        let verify = try await RunningBinary.run(["audit", "verify"], directory: directory)
        #expect(verify.stdout.contains("intact"))
    }

    @Test func readerProfilesAreListed() async throws {
        let list = try await RunningBinary.run(["reader", "list", "--profiles-dir", Self.root.appendingPathComponent("drivers/readers").path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("rdm6300-serial\tserial-frame"))
        #expect(list.stdout.contains("generic-usb-wedge-125khz\twedge"))
    }
}
