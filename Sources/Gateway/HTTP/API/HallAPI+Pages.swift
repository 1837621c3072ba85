// What the pages need besides the rest of the API: POST /notices/preview (a notice as it would print, while the clerk
// fills in the form), GET /jobs/{id} (one print job, which the clerk's page follows until it has printed), and notice
// numbers in paths decoded (the page reprints by number).
import CounterCore
import CounterStore
import Foundation
import Hummingbird

/// What the preview answers: the paper as plain text, the number it would get, and what the clerk must still fill in.
struct NoticePreviewBody: Encodable, Sendable {
    struct Problem: Encodable, Sendable {
        /// The request field at fault (`applicant`, `materialsReceived`).
        let field: String
        /// For the clerk (Chinese).
        let message: String
    }
    /// The next number, marked (预览): not allocated until the notice is issued.
    let number: String
    let title: String
    let promisedCompletion: String?
    /// The years with no holiday arrangement loaded that the promised date is counted across on weekends alone: the
    /// date is provisional (暂定) when this is not empty.
    let provisionalForYears: [Int]
    /// The notice line for line as the window's printer lays it out, both copies.
    let text: String
    /// Empty when the notice can be issued as it is.
    let problems: [Problem]
    /// What the item catalogue filled in (with `fromCatalogue`), for the form to show; nil or empty otherwise.
    let catalogueVersion: Int?
    let promisedWorkingDays: Int?
    let materialsReceived: [String]
    let materialsMissing: [String]
    let departments: [String]
}

extension NoticeRequest {
    /// The draft this request describes; `receivedOn` defaults to `today`.
    func draft(kind: NoticeKind, today: CivilDate) throws -> NoticeDraft {
        var received = today
        if let text = receivedOn {
            guard let date = CivilDate(text) else { throw APIProblem.unprocessable(field: "receivedOn", "receivedOn: expected YYYY-MM-DD, found \(text)") }
            received = date
        }
        var draft = NoticeDraft(kind: kind, applicant: applicant, item: item, window: window, clerk: clerk, receivedOn: received,
                                materialsReceived: materialsReceived ?? [], materialsMissing: materialsMissing ?? [],
                                promisedWorkingDays: promisedWorkingDays, rejectionReason: rejectionReason, rejectionBasis: rejectionBasis,
                                departments: departments ?? [], redirectTo: redirectTo, nextStep: nextStep)
        if let follows, !follows.trimmingCharacters(in: .whitespaces).isEmpty { draft.follows = follows.trimmingCharacters(in: .whitespaces) }
        return draft
    }
}

extension HallAPI {
    /// The preview of a notice request: stores nothing, takes no number. A form that cannot be issued yet still gets
    /// its preview (200), with the problems listed; only a body that is not a notice request at all is refused.
    func preview(_ body: NoticeRequest) async throws -> Response {
        guard let kind = NoticeKind(token: body.kind) else {
            throw APIProblem.unprocessable(field: "kind", "kind: \(body.kind) is not a notice kind; expected one of "
                + NoticeKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var draft = try body.draft(kind: kind, today: CivilDate(clock.now()))
        var catalogueProblems: [NoticeFieldProblem] = []
        if body.fromCatalogue == true {
            do { draft = try await catalogues.fill(draft) } catch let error as ItemCatalogueDeskError {
                catalogueProblems.append(NoticeFieldProblem(field: "item", message: error.clerkMessage))
            }
        }
        do { try await catalogues.checkFollows(draft) } catch let error as ItemCatalogueDeskError {
            catalogueProblems.append(NoticeFieldProblem(field: "follows", message: error.clerkMessage))
        }
        let preview = try await notices.preview(draft, printerRole: body.printerRole)
        return try json(NoticePreviewBody(number: preview.number, title: kind.title, promisedCompletion: preview.promisedCompletion?.description,
                                          provisionalForYears: preview.provisionalForYears,
                                          text: preview.text, problems: (catalogueProblems + preview.problems).map { .init(field: $0.field, message: $0.message) },
                                          catalogueVersion: draft.catalogueVersion, promisedWorkingDays: draft.promisedWorkingDays,
                                          materialsReceived: draft.materialsReceived, materialsMissing: draft.materialsMissing,
                                          departments: draft.departments))
    }

    /// The `{number}` of a notice route, percent-decoded: a notice number is Chinese (太谷政务〔2026〕第000123号), which
    /// every client, a browser first, sends percent-encoded in a path, and the router hands over as it came.
    func noticeNumber(_ context: HallRequestContext) throws -> String {
        let raw = try context.parameters.require("number")
        guard let number = raw.removingPercentEncoding else { throw APIProblem.badRequest("the notice number \(raw) is not valid percent-encoding") }
        return number
    }

    /// One print job by its id.
    func job(id text: String) async throws -> Response {
        guard let id = Int64(text) else { throw APIProblem.badRequest("the job id is a number, found \(text)") }
        guard let job = try await store.printJob(id: id) else { throw APIProblem.notFound("no print job \(id)") }
        return try json(PrintJobBody(job))
    }
}
