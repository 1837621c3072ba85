// /api/v1, one resource: notices: issue, preview, list, export, show, reprint, void. Each route states the permission it needs (HallRequestContext.require).
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
    /// The notices routes.
    func registerNotices(on api: APIRouteBuilder) {
        let noticesRoutes = api.group("/notices")
        // Notices.
        noticesRoutes.on(.post, "", "print-notice (clerk of the notice's window)") { request, context in
            _ = try context.requireCaller()
            let body = try await decodeJSON(NoticeRequest.self, from: request, context: context)
            _ = try context.require(.printNotice(window: body.window))
            return try await issue(body, key: request.headers[.idempotencyKey] ?? body.idempotencyKey)
        }
        // The clerk's page previews the notice while it is filled in (HallAPI+Pages.swift).
        noticesRoutes.on(.post, "/preview", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            return try await preview(try await decodeJSON(NoticeRequest.self, from: request, context: context))
        }
        noticesRoutes.on(.get, "", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            return try await listNotices(request.uri.queryParameters)
        }
        noticesRoutes.on(.get, "/export", "manage-notices") { request, context in
            _ = try context.require(.manageNotices)
            return try await exportQuarter(request.uri.queryParameters)
        }
        // The window's items (事项目录) and the waits between a supplementary notice and its acceptance.
        noticesRoutes.on(.get, "/waits", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            let (from, to) = try dayRange(request, from: { $0.firstOfMonth }, to: { _, today in today })
            let waits = try await ItemCatalogueDesk(config: config, store: store, clock: clock).waits(from: from, to: to)
            return try json(waits)
        }
        api.on(.get, "/catalogue", "read-notices") { request, context in
            _ = try context.require(.readNotices)
            let query = request.uri.queryParameters
            var window: Int?
            if let text = query["window"] {
                guard let n = Int(text) else { throw APIProblem.badRequest("window: expected a number, found \(text)") }
                window = n
            }
            guard let catalogue = try await store.catalogueItems(window: window) else {
                throw APIProblem.notFound(ItemCatalogueDeskError.noCatalogue.description)
            }
            return try json(CatalogueBody(version: catalogue.version.version, importedAt: APITime.string(catalogue.version.importedAt),
                                          source: catalogue.version.source, items: catalogue.items.map(CatalogueItemBody.init)))
        }
        noticesRoutes.on(.get, "/{number}", "read-notices") { _, context in
            _ = try context.require(.readNotices)
            let number = try noticeNumber(context)
            guard let notice = try await store.notice(number: number) else { throw APIProblem.notFound("no notice numbered \(number)") }
            return try json(NoticeBody(notice))
        }
        // The notice on A4 as a PDF (both copies), as a page printer prints it: the clerk's page links to it.
        // A print-ready official copy: as a reprint, only for who may print the notice's window, never for a void
        // notice, and kept in the audit log.
        noticesRoutes.on(.get, "/{number}/pdf", "print-notice (clerk of the notice's window)") { _, context in
            _ = try context.require(.readNotices)
            let number = try noticeNumber(context)
            guard let notice = try await store.notice(number: number) else { throw APIProblem.notFound("no notice numbered \(number)") }
            let caller = try context.require(.printNotice(window: notice.notice.draft.window))
            guard !notice.voided else {
                throw APIProblem.conflict("notice \(number) is void (\(notice.voidReason ?? "")); a void notice has no printable copy")
                    .withChinese("通知书\(number)已作废,不能下载打印件")
            }
            let response = try await noticePDF(notice)
            _ = try await store.audit(at: clock.now(), actor: "api:\(caller.name)", action: "notice.pdf", subject: number, detail: "A4 PDF downloaded")
            return response
        }
        noticesRoutes.on(.post, "/{number}/reprint", "print-notice (clerk of the notice's window)") { request, context in
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
        noticesRoutes.on(.post, "/{number}/void", "manage-notices") { request, context in
            _ = try context.require(.manageNotices)
            let number = try noticeNumber(context)
            let body = try await decodeJSON(VoidRequest.self, from: request, context: context)
            do {
                return try json(NoticeBody(try await notices.void(number: number, reason: body.reason, by: body.by)))
            } catch let error as NoticeDeskError {
                switch error {
                case .unknownVoider, .noVoidReason: throw APIProblem.unprocessable(error.description)
                case .mayNotVoid: throw APIProblem.forbidden(error.description)
                case .unknownNotice: throw APIProblem.notFound(error.description)
                default: throw APIProblem.conflict(error.description)
                }
            }
        }
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

/// A notice to issue and print (POST /api/v1/notices).
struct NoticeRequest: Decodable, Sendable {
    var kind: String
    var applicant: String
    var item: String
    var window: Int
    var clerk: String
    var receivedOn: String?
    var materialsReceived: [String]?
    var materialsMissing: [String]?
    var promisedWorkingDays: Int?
    var rejectionReason: String?
    var rejectionBasis: String?
    var departments: [String]?
    var redirectTo: String?
    var nextStep: String?
    /// Fill the period, materials and joint departments from the window's item catalogue (事项目录); `item` names it.
    var fromCatalogue: Bool?
    /// The supplementary-materials notice this acceptance follows (the same application, now complete), by number.
    var follows: String?
    /// The printer role; default: the window's printer.
    var printerRole: String?
    /// The idempotency key, when not sent as the Idempotency-Key header.
    var idempotencyKey: String?
}

struct NoticeBody: Encodable, Sendable {
    let number: String
    let kind: String
    let title: String
    let applicant: String
    let item: String
    let window: Int
    let clerk: String
    let receivedOn: String
    let promisedCompletion: String?
    /// The promised date was counted on weekends alone, across a year with no holiday arrangement loaded (暂定).
    let promisedCompletionProvisional: Bool
    let materialsReceived: [String]
    let materialsMissing: [String]
    let issuedAt: String
    let voided: Bool
    let voidReason: String?
    /// The item catalogue's version the notice was filled from; nil when typed.
    let catalogueVersion: Int?
    /// The supplementary-materials notice this acceptance follows.
    let follows: String?

    init(_ stored: StoredNotice) {
        let notice = stored.notice, draft = stored.notice.draft
        number = notice.number
        kind = draft.kind.rawValue
        title = draft.kind.title
        applicant = draft.applicant
        item = draft.item
        window = draft.window
        clerk = draft.clerk
        receivedOn = draft.receivedOn.description
        promisedCompletion = notice.promisedCompletion?.description
        promisedCompletionProvisional = notice.promisedCompletionProvisional
        materialsReceived = draft.materialsReceived
        materialsMissing = draft.materialsMissing
        issuedAt = APITime.string(notice.issuedAt)
        voided = stored.voided
        voidReason = stored.voidReason
        catalogueVersion = draft.catalogueVersion
        follows = draft.follows
    }
}

/// The item catalogue in use (GET /api/v1/catalogue).
struct CatalogueBody: Encodable, Sendable {
    let version: Int
    let importedAt: String
    let source: String
    let items: [CatalogueItemBody]
}

struct CatalogueItemBody: Encodable, Sendable {
    let window: Int
    let name: String
    let promisedWorkingDays: Int
    let materials: [String]
    let departments: [String]
    let joint: Bool

    init(_ item: CatalogueItem) {
        window = item.window
        name = item.name
        promisedWorkingDays = item.promisedWorkingDays
        materials = item.materials
        departments = item.departments
        joint = item.isJoint
    }
}

struct IssuedBody: Encodable, Sendable {
    let notice: NoticeBody
    let job: PrintJobBody
}

struct VoidRequest: Decodable, Sendable {
    /// The window lead or duty chief who voids it (staff id).
    var by: String
    var reason: String
}

struct ReprintRequest: Decodable, Sendable {
    var printerRole: String?
}
