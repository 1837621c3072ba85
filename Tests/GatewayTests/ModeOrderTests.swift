// The duty chief's own acts over the API: sign-in mode ordered by hand and lifted (the time reconciled), and the
// conflicts the reconciliation listed, resolved with a note.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import Gateway

@Suite struct ModeOrderTests {
    static func post(_ client: some TestClientProtocol, _ uri: String, token: String, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
        }
    }

    @Test("the duty chief orders sign-in mode by hand and lifts it: audited, announced, the time reconciled; the conflict found is resolved once, with a note")
    func dutyChiefOrdersAndResolves() async throws {
        let hall = try await HallAPITests.hall()
        let fallback = SignInFallback(config: hall.config, store: hall.store, clock: hall.clock, logger: Logger(label: "test"))
        let events = GatewayEvents()
        let heard = events.subscribe()
        let api = HallAPI(config: hall.config, store: hall.store, clock: hall.clock, events: events, fallback: fallback)
        let app = hall.app { api.register(on: $0) }
        let chief = try await hall.token(.dutyChief).token
        let reader = try await hall.token(.readOnly).token
        try await app.test(.live) { client in
            let mode = "/api/v1/mode/entrance-terminal"
            // Refusals: not a duty chief (the token is, the person named is not), no reason, no such terminal.
            #expect(try await Self.post(client, mode, token: chief, #"{"signInMode":true,"by":"D001","note":"指纹头失灵"}"#).0 == .forbidden)
            #expect(try await Self.post(client, mode, token: chief, #"{"signInMode":true,"by":"D007","note":" "}"#).0 == .unprocessableContent)
            #expect(try await Self.post(client, "/api/v1/mode/no-such-terminal", token: chief,
                                        #"{"signInMode":true,"by":"D007","note":"指纹头失灵"}"#).0 == .notFound)
            #expect(try await Self.post(client, mode, token: chief, #"{"signInMode":false,"by":"D007","note":"恢复"}"#).0 == .conflict,
                    "not in sign-in mode: nothing to leave")
            #expect(try await Self.post(client, mode, token: reader, #"{"signInMode":true,"by":"D007","note":"指纹头失灵"}"#).0 == .forbidden)

            // Entered by hand.
            let (entered, enteredBody) = try await Self.post(client, mode, token: chief, #"{"signInMode":true,"by":"D007","note":"指纹头失灵"}"#)
            #expect(entered == .ok)
            #expect(enteredBody["signInMode"] as? Bool == true)
            let roles = enteredBody["roles"] as? [[String: Any]]
            #expect((roles?.first { $0["role"] as? String == "entrance-terminal" }?["reason"] as? String)?.contains("D007") == true)
            #expect(fallback.current.anyFallback)
            #expect(try await Self.post(client, mode, token: chief, #"{"signInMode":true,"by":"D007","note":"again"}"#).0 == .conflict)

            // A sign-in nobody reviews, then the duty chief lifts the mode: the reconciliation lists it.
            hall.clock.advance(by: 60)
            _ = try await hall.store.record(signIn: SignIn(staffID: "D002", at: hall.clock.now(), method: .pin, terminalRole: "entrance-terminal"))
            hall.clock.advance(by: 60)
            let (left, leftBody) = try await Self.post(client, mode, token: chief, #"{"signInMode":false,"by":"D007","note":"指纹头已更换"}"#)
            #expect(left == .ok)
            #expect(leftBody["signInMode"] as? Bool == false)
            let reconciled = leftBody["reconciled"] as? [String: Any]
            #expect(reconciled?["conflicts"] as? Int == 1 && reconciled?["records"] as? Int == 0 && reconciled?["problem"] == nil, "\(leftBody)")

            let conflicts = try await client.execute(uri: "/api/v1/attendance/conflicts", method: .get, headers: [.authorization: "Bearer \(reader)"]) {
                response in (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]) ?? []
            }
            #expect(conflicts.count == 1)
            let conflict = try #require(conflicts.first)
            #expect(conflict["staffId"] as? String == "D002" && conflict["name"] as? String == "李秀英" && conflict["kind"] as? String == "unreviewed")
            let id = try #require(conflict["id"] as? Int)
            let resolve = "/api/v1/attendance/conflicts/\(id)/resolve"

            // Resolved by a duty chief with a note, once; not by someone else, not without a note.
            #expect(try await Self.post(client, resolve, token: chief, #"{"by":"D001","note":"已核实"}"#).0 == .forbidden)
            #expect(try await Self.post(client, resolve, token: chief, #"{"by":"D007","note":""}"#).0 == .unprocessableContent)
            #expect(try await Self.post(client, resolve, token: reader, #"{"by":"D007","note":"已核实"}"#).0 == .forbidden)
            let (resolved, resolvedBody) = try await Self.post(client, resolve, token: chief, #"{"by":"D007","note":"本人当日在岗,已核实"}"#)
            #expect(resolved == .ok)
            #expect(resolvedBody["resolvedBy"] as? String == "D007")
            #expect(try await Self.post(client, resolve, token: chief, #"{"by":"D007","note":"again"}"#).0 == .conflict)
            #expect(try await hall.store.openAttendanceConflicts().isEmpty)

            // Sign-in mode the terminal's failure started is the terminal's to end: refused by hand, and so shown.
            let terminal = try #require(hall.config.devices.first { $0.role == "entrance-terminal" })
            await fallback.handle(DeviceHealthChange(device: terminal, transition: HealthTransition(from: .online, to: .offline, at: hall.clock.now(),
                                                                                                    reason: "connection refused")))
            let (refused, refusal) = try await Self.post(client, mode, token: chief, #"{"signInMode":false,"by":"D007","note":"想恢复"}"#)
            #expect(refused == .conflict)
            #expect((refusal["detail"] as? String)?.contains("by itself once the terminal answers again") == true, "\(refusal)")
            let now = try await client.execute(uri: "/api/v1/mode", method: .get, headers: [.authorization: "Bearer \(reader)"]) { response in
                (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
            }
            let row = (now["roles"] as? [[String: Any]])?.first { $0["role"] as? String == "entrance-terminal" }
            #expect(row?["mode"] as? String == "sign-in" && row?["byDutyChief"] as? Bool == false, "\(now)")
        }
        let audit = try await hall.store.auditEntries(limit: 200)
        #expect(audit.filter { $0.action == "mode.changed" && $0.actor == "D007" }.count == 2, "the refused lift changed nothing")
        #expect(audit.contains { $0.action == "attendance.conflict-resolved" && $0.actor == "D007" && $0.detail.contains("本人当日在岗,已核实") })
        events.close()
        var modes: [String] = []
        for await event in heard where event.name == "mode" { modes.append(event.json) }
        #expect(modes == [GatewayEvent(name: "mode", fields: ["signInMode": "true", "roles": "entrance-terminal"]).json,
                          GatewayEvent(name: "mode", fields: ["signInMode": "false", "roles": ""]).json],
                "the duty chief's two orders (the terminal's failure is announced by the runtime's health listener)")
    }

    @Test("the store refuses a resolution by someone who is not a duty chief, about the chief's own attendance, or without a note")
    func storeRules() async throws {
        let hall = try await HallAPITests.hall()
        await #expect(throws: StoreError.self) { try await hall.store.resolveAttendanceConflict(42, by: "D007", note: "x", at: hall.clock.now()) }
        // A conflict about D007 (the duty chief's own unreviewed sign-in).
        let signIn = try await hall.store.record(signIn: SignIn(staffID: "D007", at: hall.clock.now(), method: .pin, terminalRole: "entrance-terminal"))
        let result = Reconciliation(sameMoment: 900).reconcile(
            punches: [], signIns: [ReconcilableSignIn(id: signIn.id, staffID: "D007", at: signIn.signIn.at, status: .pending)])
        _ = try await hall.store.store(reconciliation: result, terminalRole: "entrance-terminal", at: hall.clock.now())
        let conflict = try #require(try await hall.store.openAttendanceConflicts().first)
        await #expect(throws: ConflictResolutionError.ownConflict) {
            try await hall.store.resolveAttendanceConflict(conflict.id, by: "D007", note: "本人", at: hall.clock.now())
        }
        await #expect(throws: ConflictResolutionError.notDutyChief("D001")) {
            try await hall.store.resolveAttendanceConflict(conflict.id, by: "D001", note: "x", at: hall.clock.now())
        }
        #expect(try await hall.store.openAttendanceConflicts().count == 1, "nothing changed by the refusals")
    }
}
