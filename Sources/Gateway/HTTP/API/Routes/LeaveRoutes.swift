// /api/v1, leave and the other inputs of the day's judgement: leave and outings (请假, 因公外出) with their approvals,
// punch corrections (补卡), the duty roster (值班表), and the windows' A/B cover (AB岗) now. A person's act (a request,
// an opinion, a decision, a correction) is made as the person the token speaks for (`token create --staff`): the seed's
// rules check that person, never a name in the body. Each route states the permission it needs.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird

extension HallAPI {
    var leaveDesk: LeaveDesk { LeaveDesk(config: config, store: store, clock: clock) }

    func registerLeave(on api: APIRouteBuilder) {
        let leave = api.group("/attendance/leave")
        leave.on(.get, "", "request-leave") { request, context in
            let caller = try context.requireCaller()
            if !caller.role.allows(.requestLeave) { try context.require(.readAttendance) }
            let (from, to) = try dayRange(request, from: { $0.firstOfMonth }, to: { from, _ in from.adding(days: 62) })
            var found = try await store.leaves(from: HallTime.start(of: from), to: HallTime.start(of: to.adding(days: 1)))
            // A window's PC sees its own window's requests only.
            if case .clerk(let window) = caller.role {
                let own = Set(try await store.staff().filter { $0.window == window }.map(\.id))
                found = found.filter { own.contains($0.request.staffID) }
            }
            return try json(try await bodies(found))
        }
        leave.on(.post, "", "request-leave") { request, context in
            let caller = try context.require(.requestLeave)
            let actor = try person(caller)
            let body = try await decodeJSON(LeaveFiling.self, from: request, context: context)
            let staffID = body.staffId ?? actor
            if case .clerk = caller.role, staffID != actor {
                throw APIProblem.forbidden("a window's token files leave for its own person (\(actor)) only; the duty chief or the inspection office files for others")
            }
            guard let kind = LeaveKind(rawValue: body.kind) else {
                throw APIProblem.unprocessable(field: "kind", "kind \(body.kind) is not one of " + LeaveKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let start = try instant(body.start, field: "start"), end = try instant(body.end, field: "end")
            let stored = try await leaveAct { try await leaveDesk.request(for: staffID, kind: kind, from: start, to: end, reason: body.reason, by: actor) }
            return try json(try await bodies([stored])[0], status: .created)
        }
        leave.on(.post, "/{id}/opinion", "request-leave") { request, context in
            let actor = try person(try context.require(.requestLeave))
            let id = try leaveID(context)
            let body = try await decodeJSON(LeaveOpinion.self, from: request, context: context)
            let stored = try await leaveAct { try await leaveDesk.opinion(on: id, by: actor, text: body.opinion) }
            return try json(try await bodies([stored])[0])
        }
        for (verb, approve) in [("approve", true), ("refuse", false)] {
            leave.on(.post, "/{id}/\(verb)", "decide-leave") { _, context in
                let actor = try person(try context.require(.decideLeave))
                let id = try leaveID(context)
                let stored = try await leaveAct { try await leaveDesk.decide(id, by: actor, approve: approve) }
                return try json(try await bodies([stored])[0])
            }
        }
        leave.on(.post, "/{id}/withdraw", "request-leave") { _, context in
            let actor = try person(try context.require(.requestLeave))
            let id = try leaveID(context)
            let stored = try await leaveAct { try await leaveDesk.withdraw(id, by: actor) }
            return try json(try await bodies([stored])[0])
        }

        let corrections = api.group("/attendance/corrections")
        corrections.on(.post, "", "correct-punches") { request, context in
            let actor = try person(try context.require(.correctPunches))
            let body = try await decodeJSON(CorrectionFiling.self, from: request, context: context)
            let at = try instant(body.at, field: "at")
            let done = try await leaveAct { try await leaveDesk.correctPunch(of: body.staffId, at: at, reason: body.reason, by: actor) }
            return try json(CorrectionBody(done), status: .created)
        }
        corrections.on(.get, "", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let (from, to) = try dayRange(request, from: { $0.firstOfMonth }, to: { _, today in today })
            return try json(try await store.punchCorrections(from: HallTime.start(of: from), to: HallTime.start(of: to.adding(days: 1))).map(CorrectionBody.init))
        }

        let roster = api.group("/attendance/roster")
        roster.on(.get, "", "read-staff") { request, context in
            _ = try context.require(.readStaff)
            let (from, to) = try dayRange(request, from: { $0 }, to: { from, _ in from.adding(days: 30) })
            return try json(try await store.dutyRoster(from: from, through: to).map { RosterDayBody(day: $0.day.description, staffId: $0.staffID) })
        }
        roster.on(.put, "", "manage-roster") { request, context in
            let caller = try context.require(.manageRoster)
            let body = try await decodeJSON([RosterDayBody].self, from: request, context: context)
            guard !body.isEmpty, body.count <= 400 else { throw APIProblem.unprocessable("send 1 to 400 days") }
            var entries: [DutyRosterDay] = []
            for entry in body {
                guard let date = CivilDate(entry.day) else { throw APIProblem.unprocessable(field: "day", "\(entry.day): expected YYYY-MM-DD") }
                entries.append(DutyRosterDay(day: date, staffID: entry.staffId))
            }
            let set = try await leaveAct { try await leaveDesk.setRoster(entries, by: caller.staffID.map { "\($0) (\(caller.auditActor))" } ?? caller.auditActor) }
            return try json(set.map { RosterDayBody(day: $0.day.description, staffId: $0.staffID) })
        }

        api.group("/attendance/cover").on(.get, "", "read-attendance") { _, context in
            _ = try context.require(.readAttendance)
            let covers = try await PostCoverDesk(config: config, store: store, clock: clock).now()
            return try json(covers.map(CoverBody.init))
        }
    }

    /// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both included, at most 400 days apart), each defaulting from today.
    func dayRange(_ request: Request, from defaultFrom: (CivilDate) -> CivilDate,
                          to defaultTo: (_ from: CivilDate, _ today: CivilDate) -> CivilDate) throws -> (CivilDate, CivilDate) {
        let query = request.uri.queryParameters
        let today = CivilDate(clock.now())
        let from = try day(query["from"].map(String.init), name: "from") ?? defaultFrom(today)
        let to = try day(query["to"].map(String.init), name: "to") ?? defaultTo(from, today)
        guard from <= to, to.dayNumber - from.dayNumber <= 400 else { throw APIProblem.badRequest("from..to: at most 400 days, from not after to") }
        return (from, to)
    }

    /// The person the token speaks for; a person's act needs one.
    private func person(_ caller: APICaller) throws -> String {
        guard let id = caller.staffID else {
            throw APIProblem.forbidden("the token \"\(caller.name)\" speaks for no person, and leave, opinions, approvals and 补卡 are a person's "
                + "acts; ask ops for a token given to that person (countergate token create --role \(caller.role.text) --staff STAFF_ID)")
        }
        return id
    }

    private func leaveID(_ context: HallRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")) else { throw APIProblem.badRequest("the leave id is a number") }
        return id
    }

    /// An ISO 8601 time with its offset, or `YYYY-MM-DD HH:MM` in the hall's time.
    private func instant(_ text: String, field: String) throws -> Date {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        let parts = text.split(separator: " ")
        if parts.count == 2, let day = CivilDate(String(parts[0])), let time = ClockTime(String(parts[1])) {
            return HallTime.start(of: day).addingTimeInterval(TimeInterval(time.minutes * 60))
        }
        throw APIProblem.unprocessable(field: field, "\(field): expected a time such as 2026-11-26T08:30:00+08:00 or \"2026-11-26 08:30\", found \(text)")
    }

    /// Runs a desk act, turning the rules' refusals into answers: the wrong person 403, a missing one 404 or 422, a state
    /// that does not allow it 409.
    private func leaveAct<T: Sendable>(_ act: () async throws -> T) async throws -> T {
        do { return try await act() } catch let error as LeaveError {
            switch error {
            case .notTheApprover, .notTheWindowLead, .ownRequest, .noDutyChiefOnRoster: throw APIProblem.forbidden(error.description)
            case .overlaps, .notWaiting: throw APIProblem.conflict(error.description)
            case .endsBeforeItStarts, .noReason: throw APIProblem.unprocessable(error.description)
            }
        } catch let error as PunchCorrectionError {
            throw APIProblem.unprocessable(error.description)
        } catch let error as DutyRosterError {
            throw APIProblem.unprocessable(error.description)
        } catch let error as StoreError {
            if case .unknownLeave = error { throw APIProblem.notFound(error.description) }
            throw APIProblem.unprocessable(error.description)
        } catch let error as LeaveDeskError {
            throw APIProblem.unprocessable(error.description)
        }
    }

    private func bodies(_ stored: [StoredLeave]) async throws -> [LeaveBody] {
        let names = Dictionary(try await store.staff().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return stored.map { LeaveBody($0, name: names[$0.request.staffID]) }
    }
}

// MARK: - Bodies

struct LeaveFiling: Decodable, Sendable {
    /// Whose leave; the token's person when not given.
    var staffId: String?
    var kind: String
    var start: String
    var end: String
    var reason: String
}

struct LeaveOpinion: Decodable, Sendable {
    var opinion: String
}

struct CorrectionFiling: Decodable, Sendable {
    var staffId: String
    var at: String
    var reason: String
}

struct LeaveBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let name: String?
    let kind: String
    let kindChinese: String
    let start: String
    let end: String
    let reason: String
    /// Requested after it started (补办).
    let madeUp: Bool
    let state: String
    let approver: String
    let leadOpinion: String?
    let decidedBy: String?
    let requestedBy: String
    let requestedAt: String

    init(_ stored: StoredLeave, name: String?) {
        let request = stored.request
        id = stored.id
        staffId = request.staffID
        self.name = name
        kind = request.kind.rawValue
        kindChinese = request.kind.chineseName
        start = APITime.string(request.start)
        end = APITime.string(request.end)
        reason = request.reason
        madeUp = request.madeUp
        state = request.state.rawValue
        approver = switch request.approver {
        case .dutyChief: "duty-chief"
        case .dutyChiefOrInspection: "duty-chief-or-inspection"
        case .leader: "leader"
        }
        leadOpinion = request.leadOpinion
        decidedBy = request.decidedBy
        requestedBy = stored.requestedBy
        requestedAt = APITime.string(stored.requestedAt)
    }
}

struct CorrectionBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let at: String
    let reason: String
    let correctedBy: String
    let correctedAt: String

    init(_ stored: StoredPunchCorrection) {
        id = stored.id
        staffId = stored.staffID
        at = APITime.string(stored.at)
        reason = stored.reason
        correctedBy = stored.correctedBy
        correctedAt = APITime.string(stored.correctedAt)
    }
}

struct RosterDayBody: Codable, Sendable {
    var day: String
    var staffId: String
}

struct CoverBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        let post: String?
        let onPost: Bool
        let away: String?
    }
    let window: Int
    let state: String
    let stateChinese: String
    let alert: String?
    let people: [Person]

    init(_ cover: WindowCover) {
        window = cover.window
        state = switch cover.state {
        case .aOnPost: "a-on-post"
        case .bCovers: "b-covers"
        case .staffed: "staffed"
        case .uncovered: "uncovered"
        case .closed: "closed"
        }
        stateChinese = cover.state.chineseName
        alert = cover.alert?.chineseText
        people = cover.people.map { Person(staffId: $0.staffID, name: $0.name, post: $0.post?.rawValue, onPost: $0.onPost, away: $0.away?.chineseName) }
    }
}
