// Push terminals in the store: stamps move only forward and only with the data they cover, uploads are idempotent with
// pull-mode punches, quarantined lines are kept once, the command queue hands out, retries, expires and matches.
import CounterCore
import Foundation
import GRDB
import Testing
@testable import CounterStore

@Suite struct PushTerminalStoreTests {
    static let at = StoreFixture.march2

    static func punch(_ user: String, _ offset: TimeInterval, serial: String = "SN1") -> Punch {
        Punch(terminalSerial: serial, terminalUserID: user, at: at.addingTimeInterval(offset), verification: .fingerprint, direction: .checkIn)
    }

    @Test func stampsAdvanceOnlyForwardAndOnlyWithTheirData() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var upload = PushUpload(serial: "SN1", role: "t", table: "ATTLOG", stamp: "120", receivedAt: Self.at)
        upload.punches = [Self.punch("1", 0), Self.punch("2", 60)]
        #expect(try await store.commitPushUploads([upload]).first?.stampAdvanced == true)
        // An older stamp (a query answered again) does not move it back.
        var older = PushUpload(serial: "SN1", role: "t", table: "ATTLOG", stamp: "99", receivedAt: Self.at)
        older.punches = [Self.punch("1", 0)]
        let outcome = try #require(try await store.commitPushUploads([older]).first)
        #expect(!outcome.stampAdvanced && outcome.inserted == 0 && outcome.alreadyStored == 1)
        #expect(try await store.pushStamps(serial: "SN1") == ["ATTLOG": "120"])

        // A commit that fails leaves neither its punches nor its stamp: the writer refuses inserts for a moment.
        try await store.inTransaction { db in
            try db.execute(sql: "CREATE TEMP TRIGGER refuse BEFORE INSERT ON punches BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END")
        }
        var failing = PushUpload(serial: "SN1", role: "t", table: "ATTLOG", stamp: "130", receivedAt: Self.at)
        failing.punches = [Self.punch("3", 120)]
        await #expect(throws: DatabaseError.self) { try await store.commitPushUploads([failing]) }
        #expect(try await store.pushStamps(serial: "SN1") == ["ATTLOG": "120"])
        #expect(try await store.punchCount() == 2)
        try await store.inTransaction { db in try db.execute(sql: "DROP TRIGGER temp.refuse") }
        #expect(try await store.commitPushUploads([failing]).first?.stampAdvanced == true)
        #expect(try await store.pushStamps(serial: "SN1") == ["ATTLOG": "130"])
    }

    @Test func pushAndPullPunchesShareTheirIdentity() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.record(punches: [Self.punch("1", 0)], receivedAt: Self.at)
        var upload = PushUpload(serial: "SN1", role: "t", table: "ATTLOG", stamp: "1", receivedAt: Self.at)
        upload.punches = [Self.punch("1", 0), Self.punch("1", 0.4), Self.punch("1", 1)]
        let outcome = try #require(try await fixture.store.commitPushUploads([upload]).first)
        #expect(outcome.inserted == 1 && outcome.alreadyStored == 2)
        #expect(try await fixture.store.punchCount() == 2)
    }

    @Test func quarantinedLinesAreKeptOnceAndAudited() async throws {
        let fixture = try StoreFixture()
        var upload = PushUpload(serial: "SN1", role: "t", table: "ATTLOG", stamp: "5", receivedAt: Self.at)
        upload.quarantined = [PushQuarantinedLine(lineNumber: 3, raw: Data([0xFF, 0x00, 0x41]), reason: "not text")]
        upload.punches = [Self.punch("1", 0)]
        _ = try await fixture.store.commitPushUploads([upload, upload])
        let kept = try await fixture.store.pushQuarantine()
        #expect(kept.count == 1 && kept[0].raw == Data([0xFF, 0x00, 0x41]) && kept[0].rawText == "\\xFF\\x00A" && kept[0].lineNumber == 3)
        #expect(try await fixture.store.auditEntries().filter { $0.action == "push.quarantined" }.count == 2)
        #expect(try await fixture.store.reviewPushQuarantine(ids: [kept[0].id], actor: "ops:wang", note: "entered by hand", at: Self.at) == 1)
        #expect(try await fixture.store.pushQuarantine().isEmpty)
        #expect(try await fixture.store.pushQuarantine(includeReviewed: true).first?.reviewedBy == "ops:wang")
    }

    @Test func theCopyOfUsersFollowsTheOperations() async throws {
        let fixture = try StoreFixture()
        var upload = PushUpload(serial: "SN1", role: "entrance", table: "OPERLOG", stamp: "2", receivedAt: Self.at)
        upload.users = [PushStoredUser(pin: "1", name: "张伟", privilege: 14, password: "", card: "", group: "1", timeZone: "0"),
                        PushStoredUser(pin: "2", name: "吉\u{20BB7}祥", privilege: 0, password: "", card: "", group: "1", timeZone: "0")]
        upload.templates = [PushStoredTemplate(pin: "2", finger: 6, valid: 1, template: Data([1, 2, 3]))]
        upload.operations = [PushStoredOperation(type: 30, operatorID: "0", at: Self.at, objects: "2\t0\t0\t0")]
        #expect(try await fixture.store.commitPushUploads([upload]).first?.copyChanges == 3)
        // The same upload again changes nothing and keeps the operation once.
        let again = try #require(try await fixture.store.commitPushUploads([upload]).first)
        #expect(again.copyChanges == 0 && again.newOperations == 0)
        var deletion = PushUpload(serial: "SN1", role: "entrance", table: "OPERLOG", stamp: "3", receivedAt: Self.at)
        deletion.deletedUsers = ["2"]
        #expect(try await fixture.store.commitPushUploads([deletion]).first?.copyChanges == 2)
        #expect(try await fixture.store.pushUsers(role: "entrance").map(\.name) == ["张伟"])
        #expect(try await fixture.store.pushTemplates(role: "entrance").isEmpty)
        #expect(try await fixture.store.pushOperations(serial: "SN1").count == 1)
    }

    @Test func theCommandQueue() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let ids = try await store.enqueuePushCommands(serial: "SN1", [NewPushCommand(text: "INFO", purpose: "t"), NewPushCommand(text: "CHECK", purpose: "t")],
                                                      by: "ops:test", maxAttempts: 2, timeoutSeconds: 60, at: Self.at)
        #expect(try await store.hasDuePushCommands(serial: "SN1", at: Self.at))
        #expect(!(try await store.hasDuePushCommands(serial: "SN2", at: Self.at)))
        // The byte budget hands out at least one.
        #expect(try await store.takeDuePushCommands(serial: "SN1", limit: 10, byteBudget: 1, at: Self.at).map(\.id) == [ids[0]])
        #expect(try await store.takeDuePushCommands(serial: "SN1", limit: 10, byteBudget: 1000, at: Self.at).map(\.id) == [ids[1]])
        #expect(try await store.takeDuePushCommands(serial: "SN1", limit: 10, byteBudget: 1000, at: Self.at.addingTimeInterval(59)).isEmpty)
        // Results matched by id and terminal: another terminal's result changes nothing.
        #expect(try await store.completePushCommands(serial: "SN2", [PushCommandOutcome(id: ids[0], returnCode: 0, content: "")], at: Self.at).isEmpty)
        let finished = try await store.completePushCommands(serial: "SN1", [PushCommandOutcome(id: ids[0], returnCode: -1, content: "")], at: Self.at)
        #expect(finished.map(\.state) == [.failed] && finished.first?.returnCode == -1)
        // The other is sent again after its timeout, then expires.
        #expect(try await store.takeDuePushCommands(serial: "SN1", limit: 10, byteBudget: 1000, at: Self.at.addingTimeInterval(60)).map(\.id) == [ids[1]])
        #expect(try await store.expirePushCommands(at: Self.at.addingTimeInterval(119)).isEmpty)
        let expired = try await store.expirePushCommands(at: Self.at.addingTimeInterval(120))
        #expect(expired.map(\.id) == [ids[1]] && expired.first?.state == .expired && expired.first?.attempts == 2)
        #expect(try await store.cancelPushCommands(serial: "SN1", by: "ops:test", at: Self.at) == 0)
    }

    @Test func unknownSerialsBecomeCandidatesUpToALimit() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        #expect(try await store.recordPushCandidate(serial: "AAA1", profile: "zk-push", remoteAddress: "10.0.0.9", limit: 2, at: Self.at) == .recorded("push-terminal-AAA1"))
        #expect(try await store.recordPushCandidate(serial: "AAA1", profile: "zk-push", remoteAddress: "10.0.0.9", limit: 2, at: Self.at) == .known("push-terminal-AAA1"))
        #expect(try await store.recordPushCandidate(serial: "BBB2", profile: "zk-push", remoteAddress: nil, limit: 2, at: Self.at) == .recorded("push-terminal-BBB2"))
        #expect(try await store.recordPushCandidate(serial: "CCC3", profile: "zk-push", remoteAddress: nil, limit: 2, at: Self.at) == .full)
        let candidates = try await store.deviceCandidates()
        #expect(candidates.map(\.identity.address) == ["push:AAA1", "push:BBB2"])
        #expect(candidates.allSatisfy { $0.identity.kind == .terminal && $0.origin == .discovered && $0.presence == nil })
    }
}
