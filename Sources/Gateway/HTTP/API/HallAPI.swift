// The /api/v1 routes: notices, print jobs, devices, attendance, sign-in, staff, the hall's mode. Every route checks
// the caller's role (HallRequestContext.require); errors are problem+json with a message a person can act on.
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

/// One route as the API documents it: method, OpenAPI path, and the permission it needs.
public struct APIRouteDescription: Sendable, Hashable {
    public let method: String
    /// `/notices/{number}`, as in docs/api/openapi.yaml.
    public let path: String
    /// The permission, described (a clerk's notice permission depends on the window asked for).
    public let permission: String
}

/// Registers the API's routes and remembers them, so a test can compare them with the OpenAPI document.
final class APIRouteBuilder {
    let group: RouterGroup<HallRequestContext>
    private(set) var routes: [APIRouteDescription] = []

    init(group: RouterGroup<HallRequestContext>) {
        self.group = group
    }

    /// `path` in OpenAPI form (`/notices/{number}`); Hummingbird gets `:number`.
    func on(_ method: HTTPRequest.Method, _ path: String, _ permission: String,
            use handler: @escaping @Sendable (Request, HallRequestContext) async throws -> Response) {
        routes.append(APIRouteDescription(method: method.rawValue, path: path, permission: permission))
        let hummingbirdPath = path.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
        group.on(RouterPath(hummingbirdPath), method: method, use: handler)
    }
}

/// The API's handlers, over the gateway's store and desks.
public struct HallAPI: Sendable {
    public let config: HallConfiguration
    public let store: HallStore
    public let clock: any HallClock
    public let doorbell: SpoolerDoorbell?
    /// Live events for `GET /events`.
    public let events: GatewayEvents
    /// The running gateway's role bindings (the backup route reads the bound terminal through them).
    public let bindings: RoleBindings?
    /// The running gateway's sign-in fallback, which owns the hall's mode (the duty chief's orders go to it).
    public let fallback: SignInFallback?
    let limiter: SignInRateLimiter
    let logger: Logger

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, doorbell: SpoolerDoorbell? = nil,
                events: GatewayEvents = GatewayEvents(), bindings: RoleBindings? = nil, fallback: SignInFallback? = nil,
                logger: Logger = Logger(label: "countergate.api")) {
        self.fallback = fallback
        self.config = config
        self.store = store
        self.clock = clock
        self.doorbell = doorbell
        self.events = events
        self.bindings = bindings
        self.logger = logger
        limiter = SignInRateLimiter()
    }

    var notices: NoticeDesk { NoticeDesk(config: config, store: store, clock: clock, doorbell: doorbell) }
    var signIns: SignInDesk { SignInDesk(config: config, store: store, clock: clock) }

    /// Adds every route to `group` (already behind the bearer-token middleware); returns what was added.
    @discardableResult
    public func register(on group: RouterGroup<HallRequestContext>) -> [APIRouteDescription] {
        let api = APIRouteBuilder(group: group)
        // Notices.
        api.on(.post, "/notices", "print-notice (clerk of the notice's window)") { request, context in
            _ = try context.requireCaller()
            let body = try await decodeJSON(NoticeRequest.self, from: request, context: context)
            _ = try context.require(.printNotice(window: body.window))
            return try await issue(body, key: request.headers[.idempotencyKey] ?? body.idempotencyKey)
        }
        // The clerk's page previews the notice while it is filled in (HallAPI+Pages.swift).
        api.on(.post, "/notices/preview", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            return try await preview(try await decodeJSON(NoticeRequest.self, from: request, context: context))
        }
        api.on(.get, "/notices", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            return try await listNotices(request.uri.queryParameters)
        }
        api.on(.get, "/notices/export", "manage-notices") { request, context in
            _ = try context.require(.manageNotices)
            return try await exportQuarter(request.uri.queryParameters)
        }
        api.on(.get, "/notices/{number}", "read-notices") { _, context in
            _ = try context.require(.readNotices)
            let number = try noticeNumber(context)
            guard let notice = try await store.notice(number: number) else { throw APIProblem.notFound("no notice numbered \(number)") }
            return try json(NoticeBody(notice))
        }
        api.on(.post, "/notices/{number}/reprint", "print-notice (clerk of the notice's window)") { request, context in
            _ = try context.require(.readNotices)
            let number = try noticeNumber(context)
            guard let notice = try await store.notice(number: number) else { throw APIProblem.notFound("no notice numbered \(number)") }
            let caller = try context.require(.printNotice(window: notice.notice.draft.window))
            let body = try await decodeJSONIfPresent(ReprintRequest.self, from: request, context: context) ?? ReprintRequest()
            do {
                let issued = try await notices.reprint(number: number, printerRole: body.printerRole, actor: "api:\(caller.name)")
                announce(issued.job)
                return try json(IssuedBody(notice: NoticeBody(issued.notice), job: PrintJobBody(issued.job)), status: .created)
            } catch let error as NoticeDeskError {
                throw APIProblem.conflict(error.description)
            }
        }
        api.on(.post, "/notices/{number}/void", "manage-notices") { request, context in
            _ = try context.require(.manageNotices)
            let number = try noticeNumber(context)
            let body = try await decodeJSON(VoidRequest.self, from: request, context: context)
            guard let person = try await store.staff(id: body.by) else { throw APIProblem.unprocessable("by: no staff member \(body.by)") }
            guard person.has(.windowLead) || person.has(.dutyChief) else {
                throw APIProblem.forbidden("\(body.by) is neither a window lead (首席代表) nor a duty chief (值班长); only they void notices")
            }
            guard !body.reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.unprocessable("reason: say why the notice is void") }
            do {
                return try json(NoticeBody(try await store.voidNotice(number: number, reason: body.reason, actor: body.by, at: clock.now())))
            } catch StoreError.unknownNotice(let n) {
                throw APIProblem.notFound("no notice numbered \(n)")
            } catch StoreError.noticeAlreadyVoid(let n) {
                throw APIProblem.conflict("notice \(n) is already void")
            }
        }
        // Print jobs.
        api.on(.get, "/jobs", "read-jobs") { request, context in
            _ = try context.require(.readJobs)
            let query = request.uri.queryParameters
            var states = Set(PrintJobState.allCases)
            if let state = query["state"].map(String.init) {
                guard let parsed = PrintJobState(rawValue: state) else {
                    throw APIProblem.badRequest("state: expected one of " + PrintJobState.allCases.map(\.rawValue).joined(separator: ", "))
                }
                states = [parsed]
            }
            let jobs = try await store.printJobs(printerRole: query["role"].map(String.init), states: states)
            return try json(jobs.map(PrintJobBody.init))
        }
        // The clerk's page follows the job of the notice it printed (HallAPI+Pages.swift).
        api.on(.get, "/jobs/{id}", "read-jobs") { _, context in
            _ = try context.require(.readJobs)
            return try await job(id: try context.parameters.require("id"))
        }
        for action in ["retry", "cancel"] {
            api.on(.post, "/jobs/{id}/\(action)", "manage-jobs") { _, context in
                let caller = try context.require(.manageJobs)
                guard let id = Int64(try context.parameters.require("id")) else { throw APIProblem.badRequest("the job id is a number") }
                guard try await store.printJob(id: id) != nil else { throw APIProblem.notFound("no print job \(id)") }
                do {
                    if action == "retry" { try await store.retryPrintJob(id, actor: "api:\(caller.name)", at: clock.now()) }
                    else { try await store.cancelPrintJob(id, actor: "api:\(caller.name)", at: clock.now()) }
                } catch let error as PrintJobTransitionError {
                    throw APIProblem.conflict(error.description)
                }
                doorbell?.ring()
                guard let job = try await store.printJob(id: id) else { throw APIProblem.notFound("no print job \(id)") }
                announce(job)
                return try json(PrintJobBody(job))
            }
        }
        // Devices.
        api.on(.get, "/devices", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceHealth().map(DeviceBody.init))
        }
        api.on(.get, "/devices/candidates", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceCandidates().map(CandidateBody.init))
        }
        api.on(.post, "/devices/{role}/replace", "manage-devices") { request, context in
            let caller = try context.require(.manageDevices)
            let role = try context.parameters.require("role")
            let body = try await decodeJSON(ReplaceRequest.self, from: request, context: context)
            let events = self.events
            var steps: [String] = []
            let said = Mutex<[String]>([])
            do {
                let report = try await DeviceReplacement(config: config, store: store, clock: clock, logger: logger).replace(
                    role: role, with: body.with,
                    options: .init(actor: "api:\(caller.name)", profile: body.profile, restore: body.restore ?? true)) { line in
                        said.withLock { $0.append(line) }
                        events.publish(GatewayEvent(name: "replace", fields: ["role": role, "message": line]))
                    }
                steps = said.withLock { $0 }
                doorbell?.ring()
                return try json(ReplaceAnswer(report, role: role, steps: steps))
            } catch let error as ReplacementError {
                throw APIProblem.conflict(error.description)
            } catch let error as DeviceBindingError {
                throw APIProblem.unprocessable(field: "with", error.description)
            }
        }
        api.on(.post, "/devices/{role}/backup", "manage-devices") { _, context in
            _ = try context.require(.manageDevices)
            let role = try context.parameters.require("role")
            guard config.devices.contains(where: { $0.role == role && $0.kind == .terminal }) else {
                throw APIProblem.notFound("no terminal role \(role); backups are of terminals")
            }
            do {
                let record = try await TerminalBackupService(config: config, store: store, bindings: bindings, clock: clock, logger: logger).backUp(role)
                return try json(BackupBody(record), status: .created)
            } catch let error as TerminalBackupError {
                throw APIProblem.conflict(error.description)
            }
        }
        api.on(.get, "/devices/{role}/backups", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            let role = try context.parameters.require("role")
            return try json(try await store.terminalBackups(role: role).map(BackupBody.init))
        }
        // Live events (Server-Sent Events): device, mode, job, signin, replace.
        api.on(.get, "/events", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            let stream = events.subscribe()
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                // Events, and a comment every 15 s that keeps proxies from closing a quiet stream (a timer, not
                // synchronisation), merged into one stream of text for the one writer.
                let (texts, text) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
                let forward = Task {
                    for await event in stream { text.yield(event.serverSentEvent) }
                    text.finish()
                }
                let keepAlive = Task {
                    while (try? await Task.sleep(for: .seconds(15))) != nil { text.yield(": keep-alive\n\n") }
                }
                defer { forward.cancel(); keepAlive.cancel() }
                try await writer.write(ByteBuffer(string: ": CounterGate events\n\n"))
                // The stream ends when the gateway begins to stop, so an open page does not hold up the shutdown.
                try await withGracefulShutdownHandler {
                    for await chunk in texts { try await writer.write(ByteBuffer(string: chunk)) }
                } onGracefulShutdown: {
                    text.finish()
                }
                try await writer.finish(nil)
            })
        }
        // Attendance.
        api.on(.get, "/attendance/punches", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let query = request.uri.queryParameters
            let from = try day(query["from"].map(String.init), name: "from") ?? CivilDate(clock.now())
            let to = try day(query["to"].map(String.init), name: "to") ?? from
            guard from <= to, to.dayNumber - from.dayNumber <= 92 else { throw APIProblem.badRequest("from..to: at most 93 days, from not after to") }
            let punches = try await store.punches(from: HallTime.start(of: from), to: HallTime.start(of: to.adding(days: 1)))
            return try json(punches.map(PunchBody.init))
        }
        api.on(.get, "/attendance/day", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let date = try day(request.uri.queryParameters["date"].map(String.init), name: "date") ?? CivilDate(clock.now())
            return try json(try await AttendanceViews.day(date, config: config, store: store))
        }
        api.on(.get, "/attendance/month", "read-attendance") { request, context in
            _ = try context.require(.readAttendance)
            let text = request.uri.queryParameters["month"].map(String.init) ?? String(CivilDate(clock.now()).description.prefix(7))
            let parts = text.split(separator: "-")
            guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
                throw APIProblem.badRequest("month: expected YYYY-MM, found \(text)")
            }
            do { return try json(try await AttendanceViews.month(year: year, month: month, config: config, store: store)) } catch let error as WorkingDayCalendarError {
                throw APIProblem.unprocessable(error.description)
            }
        }
        // Sign-in.
        api.on(.post, "/signin", "submit-sign-in (kiosk)") { request, context in
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
        api.on(.get, "/signin/pending", "review-sign-ins") { _, context in
            _ = try context.require(.reviewSignIns)
            var answer: [SignInBody] = []
            for item in try await store.pendingSignIns() {
                answer.append(SignInBody(item, name: try await store.staff(id: item.signIn.staffID)?.name))
            }
            return try json(answer)
        }
        api.on(.post, "/signin/review", "review-sign-ins") { request, context in
            _ = try context.require(.reviewSignIns)
            let body = try await decodeJSON(ReviewRequest.self, from: request, context: context)
            return try await review(body)
        }
        // Staff.
        api.on(.get, "/staff", "read-staff") { _, context in
            _ = try context.require(.readStaff)
            return try json(try await store.staff().map { StaffBody($0) })
        }
        api.on(.get, "/staff/{id}", "read-staff") { _, context in
            _ = try context.require(.readStaff)
            let id = try context.parameters.require("id")
            guard let person = try await store.staff(id: id) else { throw APIProblem.notFound("no staff member \(id)") }
            return try json(StaffBody(person, cards: try await store.cards(ofStaff: id)))
        }
        api.on(.post, "/staff/{id}/cards", "manage-staff") { request, context in
            let caller = try context.require(.manageStaff)
            let id = try context.parameters.require("id")
            let body = try await decodeJSON(CardRequest.self, from: request, context: context)
            guard let format = CardFormat(rawValue: body.format ?? "decimal") else {
                throw APIProblem.unprocessable("format: expected one of " + CardFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let card: CardNumber
            switch format.parse(body.card) {
            case .success(let parsed): card = parsed
            case .failure(let error): throw APIProblem.unprocessable("card: \(error)")
            }
            guard let person = try await store.staff(id: id) else { throw APIProblem.notFound("no staff member \(id)") }
            try await store.setCard(card.canonical, staffID: id, actor: "api:\(caller.name)", at: clock.now())
            return try json(StaffBody(person, cards: try await store.cards(ofStaff: id)))
        }
        // What the reconciliation after sign-in mode found, for the duty chief.
        api.on(.get, "/attendance/conflicts", "read-attendance") { _, context in
            _ = try context.require(.readAttendance)
            var answer: [ConflictBody] = []
            for conflict in try await store.openAttendanceConflicts() {
                answer.append(ConflictBody(conflict, name: try await store.staff(id: conflict.staffID)?.name))
            }
            return try json(answer)
        }
        api.on(.post, "/attendance/conflicts/{id}/resolve", "review-sign-ins") { request, context in
            _ = try context.require(.reviewSignIns)
            guard let id = Int64(try context.parameters.require("id")) else { throw APIProblem.badRequest("the conflict id is a number") }
            let body = try await decodeJSON(ResolveRequest.self, from: request, context: context)
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
        // The hall's mode.
        api.on(.get, "/mode", "read-mode") { _, context in
            _ = try context.require(.readMode)
            return try json(try await mode())
        }
        // The duty chief's order: a terminal role into sign-in mode by hand (a terminal that answers but reads nobody),
        // or back to normal. Only the running gateway owns the mode.
        api.on(.post, "/mode/{role}", "review-sign-ins") { request, context in
            _ = try context.require(.reviewSignIns)
            let role = try context.parameters.require("role")
            let body = try await decodeJSON(ModeOrderRequest.self, from: request, context: context)
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
        return api.routes
    }

    // MARK: Handlers

    /// A job the API queued, retried or cancelled, as a `job` event (the spooler sends the events of printing).
    func announce(_ job: PrintJob) {
        events.publish(.job(id: job.id, state: job.state.rawValue, printer: job.printerRole))
    }

    func issue(_ body: NoticeRequest, key: String?) async throws -> Response {
        guard let key, !key.isEmpty, key.count <= 200 else {
            throw APIProblem.badRequest("send an Idempotency-Key header (a new random value per notice, the same on a retry) so that a retried request prints once")
        }
        guard let kind = NoticeKind(token: body.kind) else {
            throw APIProblem.unprocessable("kind: \(body.kind) is not a notice kind; expected one of " + NoticeKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let draft = try body.draft(kind: kind, today: CivilDate(clock.now()))  // the same draft the preview shows
        let replay = try await store.printJob(idempotencyKey: key) != nil
        do {
            let issued = try await notices.issueAndPrint(draft, printerRole: body.printerRole, idempotencyKey: key)
            if !replay { announce(issued.job) }
            return try json(IssuedBody(notice: NoticeBody(issued.notice), job: PrintJobBody(issued.job)), status: replay ? .ok : .created)
        } catch let error as NoticeDeskError {
            throw APIProblem.unprocessable(error.description)
        } catch StoreError.notice(let problems) {
            throw APIProblem.unprocessable(problems.description)
        } catch StoreError.calendar(let error) {
            throw APIProblem.unprocessable(error.description)
        } catch StoreError.idempotencyKeyReused(let key, let existing) {
            throw APIProblem.conflict(StoreError.idempotencyKeyReused(key: key, existing: existing).description)
        }
    }

    func listNotices(_ query: Parameters) async throws -> Response {
        let year: Int
        if let text = query["year"] {
            guard let parsed = Int(text) else { throw APIProblem.badRequest("year: expected a number") }
            year = parsed
        } else {
            year = CivilDate(clock.now()).year
        }
        var notices = try await store.notices(year: year)
        if let text = query["window"] {
            guard let window = Int(text) else { throw APIProblem.badRequest("window: expected a number") }
            notices = notices.filter { $0.notice.draft.window == window }
        }
        if let date = try day(query["date"].map(String.init), name: "date") {
            notices = notices.filter { CivilDate($0.notice.issuedAt) == date }
        }
        if let text = query["kind"] {
            guard let kind = NoticeKind(token: String(text)) else { throw APIProblem.badRequest("kind: \(text) is not a notice kind") }
            notices = notices.filter { $0.notice.draft.kind == kind }
        }
        return try json(notices.map(NoticeBody.init))
    }

    /// A quarter's notices for the archive (归档), as CSV (UTF-8 with a byte order mark, so that spreadsheet
    /// programs read the Chinese right), voided ones included with their reason.
    func exportQuarter(_ query: Parameters) async throws -> Response {
        guard let year = query["year"].flatMap({ Int($0) }), let quarter = query["quarter"].flatMap({ Int($0) }), (1...4).contains(quarter) else {
            throw APIProblem.badRequest("year and quarter (1-4) are required, e.g. ?year=2026&quarter=4")
        }
        let months = (quarter - 1) * 3 + 1...(quarter * 3)
        let notices = try await store.notices(year: year).filter { months.contains(CivilDate($0.notice.issuedAt).month) }
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var csv = "\u{FEFF}编号,种类,申请人,申请事项,窗口,经办人,受理日期,承诺办结日期,签发时间,作废,作废原因\r\n"
        for stored in notices {
            let body = NoticeBody(stored)
            csv += [body.number, body.title, body.applicant, body.item, String(body.window), body.clerk, body.receivedOn,
                    body.promisedCompletion ?? "", body.issuedAt, body.voided ? "是" : "否", body.voidReason ?? ""].map(field).joined(separator: ",") + "\r\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"notices-\(year)-Q\(quarter).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    func review(_ body: ReviewRequest) async throws -> Response {
        guard body.action == "confirm" || body.action == "reject" else { throw APIProblem.unprocessable("action: expected confirm or reject") }
        if body.action == "reject", (body.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw APIProblem.unprocessable("reason: a rejection needs a reason the person can read")
        }
        guard let reviewer = try await store.staff(id: body.by) else { throw APIProblem.unprocessable("by: no staff member \(body.by)") }
        guard reviewer.roles.contains(.dutyChief) else { throw APIProblem.forbidden(SignInReviewError.notDutyChief(body.by).description) }
        let ids: [Int64]
        if body.all == true {
            ids = try await store.pendingSignIns().filter { $0.signIn.staffID != body.by }.map(\.id)
        } else if let chosen = body.ids, !chosen.isEmpty {
            ids = chosen
        } else {
            throw APIProblem.unprocessable("ids: name the sign-ins, or send all: true")
        }
        var done: [Int64] = [], refused: [ReviewAnswer.Refused] = []
        for id in ids {
            do {
                _ = try await store.review(signIn: id, by: body.by, at: clock.now(), rejectReason: body.action == "reject" ? body.reason : nil)
                done.append(id)
            } catch {
                refused.append(.init(id: id, detail: "\(error)"))
            }
        }
        return try json(ReviewAnswer(done: done, refused: refused))
    }

    func mode() async throws -> ModeBody {
        let stored = try await store.attendanceModes()
        let roles = Set(config.devices.filter { $0.kind == .terminal }.map(\.role)).union(stored.keys).sorted().map { role in
            let state = stored[role]
            let inSignIn = state?.mode == "sign-in"
            return ModeBody.Role(role: role, mode: inSignIn ? "sign-in" : "normal", since: inSignIn ? state.map { APITime.string($0.since) } : nil,
                                 reason: inSignIn ? state?.reason : nil,
                                 byDutyChief: inSignIn && ModeChangeReason.isDutyChiefOrder(state?.reason ?? ""))
        }
        return ModeBody(signInMode: roles.contains { $0.mode == "sign-in" }, roles: roles)
    }

    func day(_ text: String?, name: String) throws -> CivilDate? {
        guard let text else { return nil }
        guard let date = CivilDate(text) else { throw APIProblem.badRequest("\(name): expected YYYY-MM-DD, found \(text)") }
        return date
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}

extension APIProblem {
    /// A refused sign-in: the English detail for the log and the window software, the Chinese message for the kiosk.
    /// Locked is 423, a repeat 409, someone else 403, the rest 422.
    static func signInRefused(_ refusal: SignInRefusal) -> APIProblem {
        let (status, slug, title): (HTTPResponse.Status, String, String) = switch refusal {
        case .locked: (.init(code: 423, reasonPhrase: "Locked"), "sign-in-locked", "Sign-in locked (已锁定)")
        case .alreadySignedIn: (.conflict, "already-signed-in", "Already signed in (已签到)")
        case .notYourself: (.forbidden, "not-yourself", "Only in person (须本人签到)")
        case .unknownStaff, .notInSignInMode, .noPIN, .wrongPIN: (.unprocessableContent, "sign-in-refused", "Sign-in refused (签到未成功)")
        }
        return APIProblem(status: status, slug: slug, title: title, detail: refusal.description, chinese: refusal.chinese)
    }
}
