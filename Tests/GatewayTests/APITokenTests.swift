// API tokens in the store: shown once, kept only as a hash, found, noted when used, revoked; audited without the secret.
import CounterCore
import CounterStore
import Foundation
import GRDB
import Testing
@testable import Gateway

@Suite struct APITokenTests {
    @Test func aCreatedTokenIsFoundAndOnlyItsHashIsKept() async throws {
        let hall = try APITestHall()
        let created = try await hall.store.createToken(name: "  3号窗口电脑 ", role: .clerk(window: 3), actor: "cli", at: hall.clock.now())
        #expect(created.token.hasPrefix("cg_"))
        #expect(created.token.count == 46)
        #expect(APIToken.isWellFormed(created.token))
        let caller = try await hall.store.caller(forToken: created.token, at: hall.clock.now())
        #expect(caller == APICaller(tokenID: created.id, name: "3号窗口电脑", role: .clerk(window: 3)))

        // Nothing of the token is stored or audited; its SHA-256 is.
        let secret = String(created.token.dropFirst(3))
        let columns = try await hall.store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens").flatMap { row in row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" } }
        }
        #expect(columns.count == 10)
        #expect(!columns.contains { $0.contains(secret) }, "\(columns)")
        let hash = try await hall.store.read { db in try Data.fetchOne(db, sql: "SELECT hash FROM api_tokens") }
        #expect(hash?.count == 32, "a SHA-256")
        let audit = try await hall.store.auditEntries()
        #expect(audit.map(\.action) == ["token.created"])
        #expect(audit[0].detail == "name 3号窗口电脑, role clerk:3")
        #expect(!audit.contains { "\($0)".contains(secret) })
    }

    @Test func twoTokensAreNeverTheSame() async throws {
        let hall = try APITestHall()
        var seen: Set<String> = []
        for n in 0..<20 {
            let created = try await hall.token(.kiosk, name: "kiosk \(n)")
            #expect(seen.insert(created.token).inserted)
        }
    }

    @Test func unknownMalformedAndRevokedTokensFindNobody() async throws {
        let hall = try APITestHall()
        let created = try await hall.token(.ops, name: "ops laptop")
        #expect(try await hall.store.caller(forToken: "cg_" + String(repeating: "A", count: 43)) == nil)
        #expect(try await hall.store.caller(forToken: "") == nil)
        #expect(try await hall.store.caller(forToken: created.token + "x") == nil)
        #expect(try await hall.store.caller(forToken: String(created.token.dropFirst(3))) == nil)
        #expect(try await hall.store.caller(forToken: "cg_" + String(repeating: "é", count: 43)) == nil)

        try await hall.store.revokeToken(id: created.id, actor: "cli", at: hall.clock.now())
        #expect(try await hall.store.caller(forToken: created.token, at: hall.clock.now()) == nil)
        let listed = try await hall.store.tokens()
        #expect(listed.count == 1)
        #expect(listed[0].isRevoked)
        #expect(listed[0].revokedBy == "cli")
        #expect(try await hall.store.auditEntries().map(\.action) == ["token.revoked", "token.created"])

        await #expect(throws: APITokenError.alreadyRevoked(id: created.id, at: Date(timeIntervalSince1970: hall.clock.now().timeIntervalSince1970.rounded(.down)))) {
            try await hall.store.revokeToken(id: created.id, actor: "cli", at: hall.clock.now())
        }
        await #expect(throws: APITokenError.unknownToken(99)) { try await hall.store.revokeToken(id: 99, actor: "cli", at: hall.clock.now()) }
        #expect(try await hall.store.auditEntries().count == 2)
    }

    @Test func useIsNotedAtMostOnceAMinute() async throws {
        let hall = try APITestHall()
        let created = try await hall.token(.readOnly)
        #expect(try await hall.store.tokens()[0].lastUsedAt == nil)
        let first = hall.clock.now()
        _ = try await hall.store.caller(forToken: created.token, at: first)
        #expect(try await hall.store.tokens()[0].lastUsedAt == Date(timeIntervalSince1970: first.timeIntervalSince1970.rounded(.down)))
        hall.clock.advance(by: 59)
        _ = try await hall.store.caller(forToken: created.token, at: hall.clock.now())
        #expect(try await hall.store.tokens()[0].lastUsedAt == Date(timeIntervalSince1970: first.timeIntervalSince1970.rounded(.down)))
        hall.clock.advance(by: 1)
        _ = try await hall.store.caller(forToken: created.token, at: hall.clock.now())
        #expect(try await hall.store.tokens()[0].lastUsedAt == Date(timeIntervalSince1970: hall.clock.now().timeIntervalSince1970.rounded(.down)))
        // Using a token is not an audited event.
        #expect(try await hall.store.auditEntries().count == 1)
    }

    @Test func namesAreChecked() async throws {
        let hall = try APITestHall()
        await #expect(throws: APITokenError.invalidName("is empty")) { _ = try await hall.token(.ops, name: "   ") }
        await #expect(throws: APITokenError.invalidName("is longer than 64 characters")) { _ = try await hall.token(.ops, name: String(repeating: "窗", count: 65)) }
        await #expect(throws: APITokenError.invalidName("contains control characters")) { _ = try await hall.token(.ops, name: "a\u{1B}[31mb") }
        #expect(try await hall.store.tokens().isEmpty)
        #expect(try await hall.store.auditEntries().isEmpty)
    }

    @Test func aRoleEditedIntoNonsenseInTheStoreIsRefusedNotGuessed() async throws {
        let hall = try APITestHall()
        let created = try await hall.token(.clerk(window: 1))
        try await hall.store.inTransaction { db in try db.execute(sql: "UPDATE api_tokens SET role = 'admin'") }
        await #expect(throws: APITokenError.unreadableRole(id: created.id, text: "admin")) {
            _ = try await hall.store.caller(forToken: created.token, at: hall.clock.now())
        }
    }
}
