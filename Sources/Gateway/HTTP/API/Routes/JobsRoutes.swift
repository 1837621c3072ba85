// /api/v1, one resource: print jobs: list, show, retry, cancel, reprint. Each route states the permission it needs (HallRequestContext.require).
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
    /// The print jobs routes.
    func registerJobs(on api: APIRouteBuilder) {
        let jobsRoutes = api.group("/jobs")
        // Print jobs.
        jobsRoutes.on(.get, "", "read-jobs") { request, context in
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
        jobsRoutes.on(.get, "/{id}", "read-jobs") { _, context in
            _ = try context.require(.readJobs)
            return try await job(id: try context.parameters.require("id"))
        }
        for action in ["retry", "cancel"] {
            jobsRoutes.on(.post, "/{id}/\(action)", "manage-jobs") { _, context in
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
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct PrintJobBody: Encodable, Sendable {
    let id: Int64
    let printerRole: String
    let state: String
    let kind: String
    let reprint: Bool
    let copies: Int
    let attempts: Int
    let lastError: String?
    let createdAt: String
    let printedAt: String?
    let printedOn: String?

    init(_ job: PrintJob) {
        id = job.id
        printerRole = job.printerRole
        state = job.state.rawValue
        kind = job.kind.rawValue
        reprint = job.reprint
        copies = job.copies
        attempts = job.attempts
        lastError = job.lastError
        createdAt = APITime.string(job.createdAt)
        printedAt = job.printedAt.map(APITime.string)
        printedOn = job.printedOn
    }
}
