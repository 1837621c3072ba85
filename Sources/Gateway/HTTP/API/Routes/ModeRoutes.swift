// /api/v1, one resource: the hall's mode: per terminal role, and the duty chief's orders. Each route states the permission it needs (HallRequestContext.require).
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension HallAPI {
    /// The the hall's mode routes.
    func registerMode(on api: APIRouteBuilder) {
        let modeRoutes = api.group("/mode")
        // The hall's mode.
        modeRoutes.on(.get, "", "read-mode") { _, context in
            _ = try context.require(.readMode)
            return try json(try await mode())
        }
        // The duty chief's order: a terminal role into sign-in mode by hand (a terminal that answers but reads nobody),
        // or back to normal. Only the running gateway owns the mode.
        modeRoutes.on(.post, "/{role}", "review-sign-ins") { request, context in
            let caller = try context.require(.reviewSignIns)
            let role = try context.parameters.require("role")
            let body = try await decodeJSON(ModeOrderRequest.self, from: request, context: context)
            try checkActing(caller, by: body.by)
            guard let chief = try await store.staff(id: body.by) else { throw APIProblem.unprocessable("by: no staff member \(body.by)") }
            guard chief.has(.dutyChief) else {
                throw APIProblem.forbidden("\(body.by) is not a duty chief (值班长); only the duty chief orders sign-in mode")
            }
            guard !body.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw APIProblem.unprocessable("note: say why (原因), for the audit log and the pages")
            }
            guard let fallback else { throw APIProblem.unavailable("the attendance mode is kept by the running gateway (countergate serve)") }
            guard config.devices.contains(where: { $0.kind == .terminal && $0.role == role }) else {
                throw APIProblem.notFound("no terminal role \(role) is configured")
            }
            let reconciled: SignInFallback.Reconciled?
            do {
                reconciled = try await fallback.order(enter: body.signInMode, role: role, by: body.by, note: body.note)
            } catch {
                throw APIProblem.conflict("\(error)")
            }
            var answer = try await mode()
            answer.reconciled = reconciled.map { ModeBody.Reconciled(records: $0.records, conflicts: $0.conflicts, problem: $0.problem) }
            events.publish(.mode(fallback.current))
            return try json(answer)
        }
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct ModeBody: Encodable, Sendable {
    struct Role: Encodable, Sendable {
        let role: String
        let mode: String
        let since: String?
        let reason: String?
        /// In sign-in mode by a duty chief's order (lifted by a duty chief), not by the terminal's failure (lifted by
        /// its return).
        let byDutyChief: Bool
    }
    /// What lifting sign-in mode by hand reconciled (`POST /mode/{role}` only).
    struct Reconciled: Encodable, Sendable {
        let records: Int
        let conflicts: Int
        let problem: String?
    }
    let signInMode: Bool
    let roles: [Role]
    var reconciled: Reconciled? = nil
}

/// `POST /mode/{role}`: the duty chief puts a terminal role into sign-in mode, or takes it out, by hand.
struct ModeOrderRequest: Decodable, Sendable {
    /// true: enter sign-in mode (签到考勤); false: back to normal (the time in sign-in mode is reconciled).
    var signInMode: Bool
    /// The duty chief's staff id.
    var by: String
    /// Why, for the audit log and the mode's reason.
    var note: String
}
