// /api/v1, one resource: forwarding to the county's centre ([central], docs/central.md): what waits, since when, the
// last contact and the last error. The ops page shows it.
import CounterConfig
import CounterStore
import Foundation
import Hummingbird

extension HallAPI {
    /// The central route.
    func registerCentral(on api: APIRouteBuilder) {
        api.on(.get, "/central", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await centralStatus())
        }
    }

    func centralStatus() async throws -> CentralBody {
        let now = clock.now()
        let status = try await store.outboxStatus(at: now)
        return CentralBody(
            configured: config.central != nil, url: config.central?.url, hallId: status?.hallID ?? config.central?.hallID,
            acknowledged: status?.acknowledged, waiting: status?.waiting,
            oldestWaitingSeconds: status?.oldestWaiting.map { max(0, Int(now.timeIntervalSince($0))) },
            lastContact: status?.lastContact.map { ISO8601DateFormatter().string(from: $0) }, lastError: status?.lastError)
    }
}

/// GET /api/v1/central.
struct CentralBody: Encodable, Sendable {
    /// `[central]` is in the configuration.
    let configured: Bool
    let url: String?
    let hallId: String?
    /// The highest sequence the centre has committed; nil when forwarding never started.
    let acknowledged: Int64?
    let waiting: Int64?
    let oldestWaitingSeconds: Int?
    let lastContact: String?
    let lastError: String?
}
