// /api/v1, one resource: attendance conflicts the reconciliation after sign-in mode found, resolved by the duty chief. Each route states the permission it needs (HallRequestContext.require).
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
    /// The attendance conflicts the reconciliation after sign-in mode found, resolved by the duty chief routes.
    func registerConflicts(on api: APIRouteBuilder) {
        let conflictsRoutes = api.group("/attendance/conflicts")
        // What the reconciliation after sign-in mode found, for the duty chief.
        conflictsRoutes.on(.get, "", "read-attendance") { _, context in
            _ = try context.require(.readAttendance)
            var answer: [ConflictBody] = []
            for conflict in try await store.openAttendanceConflicts() {
                answer.append(ConflictBody(conflict, name: try await store.staff(id: conflict.staffID)?.name))
            }
            return try json(answer)
        }
        conflictsRoutes.on(.post, "/{id}/resolve", "review-sign-ins") { request, context in
            let caller = try context.require(.reviewSignIns)
            guard let id = Int64(try context.parameters.require("id")) else { throw APIProblem.badRequest("the conflict id is a number") }
            let body = try await decodeJSON(ResolveRequest.self, from: request, context: context)
            try checkActing(caller, by: body.by)
            do {
                let resolved = try await store.resolveAttendanceConflict(id, by: body.by, note: body.note, at: clock.now())
                return try json(ConflictBody(resolved, name: try await store.staff(id: resolved.staffID)?.name))
            } catch StoreError.unknownConflict(let id) {
                throw APIProblem.notFound(StoreError.unknownConflict(id).description)
            } catch let error as StoreError {
                if case .unknownStaff = error { throw APIProblem.unprocessable("by: no staff member \(body.by)") }
                throw APIProblem.conflict(error.description)
            } catch let error as ConflictResolutionError {
                if case .noteRequired = error { throw APIProblem.unprocessable(error.description) }
                throw APIProblem.forbidden(error.description)  // not a duty chief, or their own attendance
            }
        }
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

/// An attendance conflict the reconciliation after sign-in mode listed for the duty chief.
struct ConflictBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let name: String?
    let kind: String
    let description: String
    let terminalRole: String
    let foundAt: String
    let resolvedBy: String?

    init(_ conflict: StoredAttendanceConflict, name: String?) {
        id = conflict.id
        staffId = conflict.staffID
        self.name = name
        kind = conflict.kind
        description = conflict.description
        terminalRole = conflict.terminalRole
        foundAt = APITime.string(conflict.foundAt)
        resolvedBy = conflict.resolvedBy
    }
}

/// `POST /attendance/conflicts/{id}/resolve`.
struct ResolveRequest: Decodable, Sendable {
    /// The duty chief's staff id.
    var by: String
    /// What was decided (处理意见).
    var note: String
}
