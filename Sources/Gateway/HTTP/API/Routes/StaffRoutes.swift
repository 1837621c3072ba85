// /api/v1, one resource: staff: the list and a person. Each route states the permission it needs (HallRequestContext.require).
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
    /// The staff routes.
    func registerStaff(on api: APIRouteBuilder) {
        let staffRoutes = api.group("/staff")
        // Staff.
        staffRoutes.on(.get, "", "read-staff") { _, context in
            _ = try context.require(.readStaff)
            return try json(try await store.staff().map { StaffBody($0) })
        }
        staffRoutes.on(.get, "/{id}", "read-staff") { _, context in
            _ = try context.require(.readStaff)
            let id = try context.parameters.require("id")
            guard let person = try await store.staff(id: id) else { throw APIProblem.notFound("no staff member \(id)") }
            return try json(StaffBody(person, cards: try await store.cards(ofStaff: id)))
        }
        staffRoutes.on(.post, "/{id}/cards", "manage-staff") { request, context in
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
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct StaffBody: Encodable, Sendable {
    let id: String
    let name: String
    let window: Int?
    let department: String
    let roles: [String]
    let post: String?
    let cards: [String]?

    init(_ staff: Staff, cards: [String]? = nil) {
        id = staff.id
        name = staff.name
        window = staff.window
        department = staff.department
        roles = staff.roles.map(\.rawValue).sorted()
        post = staff.post?.rawValue
        self.cards = cards
    }
}

struct CardRequest: Decodable, Sendable {
    var card: String
    /// decimal (default), decimal-10, hex, wiegand-26.
    var format: String?
}
