// /api/v1, one resource: sign-in mode (签到考勤): sign-ins and their review by the duty chief. Each route states the permission it needs (HallRequestContext.require).
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
    /// The sign-in mode (签到考勤) routes.
    func registerSignIn(on api: APIRouteBuilder) {
        let signInRoutes = api.group("/signin")
        // Sign-in.
        signInRoutes.on(.post, "", "submit-sign-in (kiosk)") { request, context in
            let caller = try context.require(.submitSignIn)
            let body = try await decodeJSON(SignInRequest.self, from: request, context: context)
            // Per kiosk and person: a shared kiosk at 08:30 serves many people at once; one person guessing is slowed
            // here and locked by the PIN rules.
            try limiter.check(key: "token-\(caller.tokenID)-staff-\(body.staffId)")
            do {
                let stored = try await signIns.signIn(staffID: body.staffId, pin: body.pin)
                let name = try await store.staff(id: body.staffId)?.name
                events.publish(.signIn(stored, name: name))
                return try json(SignInAnswer(signIn: SignInBody(stored, name: name), message: "签到成功,等待值班长确认"), status: .created)
            } catch let refusal as SignInRefusal {
                throw APIProblem.signInRefused(refusal)
            }
        }
        signInRoutes.on(.get, "/pending", "review-sign-ins") { _, context in
            _ = try context.require(.reviewSignIns)
            var answer: [SignInBody] = []
            for item in try await store.pendingSignIns() {
                answer.append(SignInBody(item, name: try await store.staff(id: item.signIn.staffID)?.name))
            }
            return try json(answer)
        }
        signInRoutes.on(.post, "/review", "review-sign-ins") { request, context in
            let caller = try context.require(.reviewSignIns)
            let body = try await decodeJSON(ReviewRequest.self, from: request, context: context)
            try checkActing(caller, by: body.by)
            return try await review(body)
        }
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct SignInBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let name: String?
    let at: String
    let method: String
    let terminalRole: String
    let status: String

    init(_ stored: StoredSignIn, name: String?) {
        id = stored.id
        staffId = stored.signIn.staffID
        self.name = name
        at = APITime.string(stored.signIn.at)
        method = stored.signIn.method.rawValue
        terminalRole = stored.signIn.terminalRole
        status = stored.signIn.status.code
    }
}

struct SignInRequest: Decodable, Sendable {
    var staffId: String
    var pin: String
}

struct SignInAnswer: Encodable, Sendable {
    let signIn: SignInBody
    /// What the kiosk shows.
    let message: String
}

struct ReviewRequest: Decodable, Sendable {
    /// "confirm" or "reject".
    var action: String
    /// The duty chief's staff id.
    var by: String
    /// The sign-ins; or `all` for every pending one (except the duty chief's own).
    var ids: [Int64]?
    var all: Bool?
    var reason: String?
}

struct ReviewAnswer: Encodable, Sendable {
    struct Refused: Encodable, Sendable {
        let id: Int64
        let detail: String
    }
    let done: [Int64]
    let refused: [Refused]
}
