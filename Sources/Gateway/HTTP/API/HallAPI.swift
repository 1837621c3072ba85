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
import Notices
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

/// Registers the API's routes and remembers them, so a test can compare them with the OpenAPI document. A resource
/// registers its routes in a group of its own (Hummingbird's route groups): `api.group("/notices")`.
final class APIRouteBuilder {
    let group: RouterGroup<HallRequestContext>
    /// The group's path in OpenAPI form (`/notices`); empty for the API's root.
    let prefix: String
    private let root: APIRouteBuilder?
    private var recorded: [APIRouteDescription] = []
    /// Every route registered through this builder and its groups.
    var routes: [APIRouteDescription] { root?.routes ?? recorded }

    init(group: RouterGroup<HallRequestContext>) {
        self.group = group
        prefix = ""
        root = nil
    }

    private init(group: RouterGroup<HallRequestContext>, prefix: String, root: APIRouteBuilder) {
        self.group = group
        self.prefix = prefix
        self.root = root
    }

    /// A group for one resource's routes: `path` in OpenAPI form (`/notices`), prepended to theirs.
    func group(_ path: String) -> APIRouteBuilder {
        APIRouteBuilder(group: group.group(RouterPath(Self.hummingbird(path))), prefix: prefix + path, root: root ?? self)
    }

    /// `path` in OpenAPI form, relative to the group (`/{number}`, or "" for the group's own path); Hummingbird gets `:number`.
    func on(_ method: HTTPRequest.Method, _ path: String, _ permission: String,
            use handler: @escaping @Sendable (Request, HallRequestContext) async throws -> Response) {
        record(APIRouteDescription(method: method.rawValue, path: prefix + path, permission: permission))
        group.on(RouterPath(Self.hummingbird(path)), method: method, use: handler)
    }

    private func record(_ route: APIRouteDescription) {
        if let root { root.record(route) } else { recorded.append(route) }
    }

    private static func hummingbird(_ path: String) -> String {
        path.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
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
    var catalogues: ItemCatalogueDesk { ItemCatalogueDesk(config: config, store: store, clock: clock) }

    /// Adds every route to `group` (already behind the bearer-token middleware); returns what was added.
    @discardableResult
    public func register(on group: RouterGroup<HallRequestContext>) -> [APIRouteDescription] {
        let api = APIRouteBuilder(group: group)
        // One file a resource: Routes/<Resource>Routes.swift.
        registerNotices(on: api)
        registerJobs(on: api)
        registerDevices(on: api)
        registerEvents(on: api)
        registerAttendance(on: api)
        registerSignIn(on: api)
        registerStaff(on: api)
        registerConflicts(on: api)
        registerLeave(on: api)
        registerMode(on: api)
        registerCalendar(on: api)
        registerCentral(on: api)
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
        var draft = try body.draft(kind: kind, today: CivilDate(clock.now()))  // the same draft the preview shows
        let replay = try await store.printJob(idempotencyKey: key) != nil
        do {
            if body.fromCatalogue == true { draft = try await catalogues.fill(draft, idempotencyKey: key) }
            let issued = try await notices.issueAndPrint(draft, printerRole: body.printerRole, idempotencyKey: key)
            if !replay { announce(issued.job) }
            return try json(IssuedBody(notice: NoticeBody(issued.notice), job: PrintJobBody(issued.job)), status: replay ? .ok : .created)
        } catch let error as NoticeDeskError {
            throw APIProblem.unprocessable(error.description)
        } catch let error as ItemCatalogueDeskError {
            if case .followsAlreadyAccepted = error { throw APIProblem.conflict(error.description).withChinese(error.clerkMessage) }
            throw APIProblem.unprocessable(field: error.field, error.description).withChinese(error.clerkMessage)
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

    /// A notice as the A4 PDF a page printer prints (both copies, the font embedded), for download.
    /// A font that cannot be used is a 503 naming the file and what to install.
    func noticePDF(_ stored: StoredNotice) async throws -> Response {
        let bytes: [UInt8]
        do { bytes = try await NoticeRendering.pdf(stored, config: config, store: store) } catch let error as FontError {
            throw APIProblem.unavailable(error.description)
        } catch let error as NoticePDFError {
            throw APIProblem.unavailable(error.description)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/pdf"
        let ascii = "notice-\(stored.notice.year)-\(stored.notice.sequence).pdf"
        let encoded = (stored.notice.number + ".pdf").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        headers[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A quarter's notices for the archive (归档), as CSV (UTF-8 with a byte order mark, so that spreadsheet
    /// programs read the Chinese right), voided ones included with their reason.
    func exportQuarter(_ query: Parameters) async throws -> Response {
        guard let year = query["year"].flatMap({ Int($0) }), let quarter = query["quarter"].flatMap({ Int($0) }), (1...4).contains(quarter) else {
            throw APIProblem.badRequest("year and quarter (1-4) are required, e.g. ?year=2026&quarter=4")
        }
        let months = (quarter - 1) * 3 + 1...(quarter * 3)
        let notices = try await store.notices(year: year).filter { months.contains(CivilDate($0.notice.issuedAt).month) }
        let csv = NoticeArchiveCSV.text(notices.map {
            NoticeArchiveCSV.Row(notice: $0.notice, voided: $0.voided, voidReason: $0.voidReason, issuedAt: APITime.string($0.notice.issuedAt))
        })
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

    /// A body's `by` (the duty chief acting) must be the token's own person when the token was given to one: a token
    /// never acts as somebody else. (A token given to nobody still names its person in `by`.)
    func checkActing(_ caller: APICaller, by: String) throws {
        if let own = caller.staffID, own != by {
            throw APIProblem.forbidden("the token \"\(caller.name)\" speaks for \(own) and cannot act as \(by); send by: \(own), or use \(by)'s own token")
        }
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

/// Times in answers: ISO 8601 with the hall's offset (+08:00).
enum APITime {
    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = HallTime.chinaStandardTime
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
