// The gateway's HTTP surface so far: liveness, readiness and the hall's status page.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird

/// The answer of `/healthz` and `/readyz`.
struct HealthReport: Codable, Sendable {
    let status: String
    let hall: String
    let checks: [String: String]
}

enum HallRoutes {
    static func router(config: HallConfiguration, store: HallStore, clock: any HallClock) -> Router<BasicRequestContext> {
        let router = Router()
        // Liveness: the process answers. systemd and load balancers poll this.
        router.get("healthz") { _, _ -> Response in
            json(HealthReport(status: "ok", hall: config.hall.name, checks: [:]), status: .ok)
        }
        // Readiness: the store answers.
        router.get("readyz") { _, _ -> Response in
            do {
                let mode = try store.journalMode()
                return json(HealthReport(status: "ready", hall: config.hall.name, checks: ["store": "ok (journal \(mode))"]), status: .ok)
            } catch {
                return json(HealthReport(status: "not ready", hall: config.hall.name, checks: ["store": "\(error)"]), status: .serviceUnavailable)
            }
        }
        // Prometheus: devices by state, transitions, mode changes, sign-ins (the text exposition format).
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: GatewayMetrics.exposition())))
        }
        router.get("/") { _, _ -> Response in
            let page = try await StatusPage.render(config: config, store: store, clock: clock)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        return router
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
