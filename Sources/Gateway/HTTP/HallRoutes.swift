// The gateway's HTTP surface: liveness, readiness, metrics, the status page and the pages (open), and the API under
// /api/v1 (bearer tokens).
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

/// What `GET /api/v1/whoami` answers: the caller as its token says.
struct WhoAmI: Codable, Sendable {
    let name: String
    let role: String
    /// The person the token speaks for, if any.
    let staffId: String?
}

public enum HallRoutes {
    /// The gateway's router.
    ///
    /// Every answer that is an error is problem+json (``ProblemMiddleware``); CORS headers only for the origins in
    /// `[http] cors_origins`. `/healthz`, `/readyz`, `/metrics`, `/` and `/pages` are open; everything under `/api/v1` goes
    /// through ``BearerTokenMiddleware``, and each route there states its permission with
    /// ``HallRequestContext/require(_:)``.
    /// - Parameters:
    ///   - api: adds the API's routes to the `/api/v1` group (after `whoami`).
    ///   - pages: the pages served under `/pages` (default: those installed beside the binary).
    public static func router(config: HallConfiguration, store: HallStore, clock: any HallClock, pages: HallPages = .installed(),
                              api: (RouterGroup<HallRequestContext>) -> Void = { _ in }) -> Router<HallRequestContext> {
        // HEAD is answered for every GET route (monitors and `curl -I` use it): the GET's status and headers, no body.
        let router = Router(context: HallRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Outermost first: CORS adds its headers to every answer, problems included.
        if !config.http.corsOrigins.isEmpty {
            router.add(middleware: CORSAllowlistMiddleware(origins: config.http.corsOrigins))
        }
        // Request counts and latency per route, for /metrics (swift-metrics, collected by the Prometheus registry).
        _ = GatewayMetrics.registry
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
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
        // Prometheus: devices by state, transitions, mode changes, punches, sign-ins, print jobs by state, request latency.
        router.get("metrics") { _, _ -> Response in
            try await GatewayMetrics.refresh(from: store)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: GatewayMetrics.exposition())))
        }
        router.get("/") { _, _ -> Response in
            let page = try await StatusPage.render(config: config, store: store, clock: clock)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        // The pages (clerk, kiosk, duty chief, ops): open files; their data comes from /api/v1 with their token.
        pages.register(on: router)
        let group = apiGroup(of: router, store: store, clock: clock)
        api(group)
        return router
    }

    /// The `/api/v1` group of `router`, behind ``BearerTokenMiddleware``, with `GET whoami` (any valid token).
    static func apiGroup(of router: Router<HallRequestContext>, store: HallStore, clock: any HallClock) -> RouterGroup<HallRequestContext> {
        // A second ProblemMiddleware inside the token's: a route's failure is logged with the caller (api.token).
        let group = router.group("api/v1")
            .add(middleware: BearerTokenMiddleware(store: store, clock: clock))
            .add(middleware: ProblemMiddleware())
        group.get("whoami") { _, context -> Response in
            let caller = try context.requireCaller()
            return json(WhoAmI(name: caller.name, role: caller.role.text, staffId: caller.staffID), status: .ok)
        }
        return group
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
