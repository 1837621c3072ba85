// The HTTP routes over a real server bound to loopback (HummingbirdTesting's live client).
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Testing
@testable import Gateway

@Suite struct HallRoutesTests {
    func makeApp() async throws -> (some ApplicationProtocol, HallStore) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-routes-\(UUID().uuidString)")
        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = directory.path
        config.devices = [try HallConfiguration.Device(id: "entrance-terminal", kind: .terminal, role: "entrance-terminal", profile: "zk-generic",
                                                   address: "tcp://127.0.0.1:9", serialNumber: nil, windows: [1, 2, 3])]
        let store = try GatewayRuntime.openStore(config)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_771_038_000))  // Sat 2026-02-14 11:00, a make-up working day
        try await GatewayRuntime.syncConfiguration(config, store: store, clock: clock)
        try await DemoHall.seedIfEmpty(store: store, config: config, clock: clock)
        let router = HallRoutes.router(config: config, store: store, clock: clock)
        return (Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))), store)
    }

    @Test func healthAndReadiness() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.status == "ok")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.checks["store"] == "ok (journal wal)")
            }
        }
    }

    @Test("HEAD answers as GET does, without the body: open routes, pages, and the API (which still wants its token)")
    func headIsAnsweredLikeGet() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.live) { client in
            for uri in ["/healthz", "/readyz", "/", "/metrics", "/pages/clerk"] {
                let type = try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "GET \(uri)")
                    return response.headers[.contentType]
                }
                try await client.execute(uri: uri, method: .head) { response in
                    #expect(response.status == .ok, "HEAD \(uri)")
                    #expect(response.headers[.contentType] == type, "HEAD \(uri)")
                    #expect(response.body.readableBytes == 0, "HEAD \(uri)")
                }
            }
            try await client.execute(uri: "/healthz", method: .head) { response in
                #expect(Int(response.headers[.contentLength] ?? "") ?? 0 > 0, "the length the GET would have")
            }
            try await client.execute(uri: "/api/v1/whoami", method: .head) { response in
                #expect(response.status == .unauthorized)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/no-such-page", method: .head) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func statusPageShowsTheHallInChinese() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("调休上班(春节)"))
                #expect(page.contains("王建国(A岗)"))
                #expect(page.contains("太谷政务〔2026〕第000001号"))
                #expect(page.contains("<td>考勤机</td><td>entrance-terminal</td><td>entrance-terminal</td><td>未知</td><td>空闲</td>"))
            }
        }
    }

    @Test("/metrics serves the Prometheus text format with the device and mode metrics once they exist")
    func metrics() async throws {
        let (app, _) = try await makeApp()
        _ = GatewayMetrics.registry
        Gauge(label: "countergate_device_online", dimensions: [("device", "routes-test"), ("kind", "printer")]).record(1)
        try await app.test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE countergate_device_online gauge"))
                #expect(text.contains("countergate_device_online{device=\"routes-test\",kind=\"printer\"} 1"), "\(text)")
                #expect(text.contains("countergate_devices{kind=\"terminal\",power=\"unknown\"} 1"), "\(text)")
                #expect(text.contains("countergate_print_jobs{state=\"queued\"} 0"))
                #expect(text.contains("countergate_sign_ins_pending 0"))
                #expect(text.contains("countergate_punches_stored 0"))
            }
            // The request itself was timed: the second scrape shows the first.
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("# TYPE http_server_request_duration histogram"), "\(String(buffer: response.body).prefix(3000))")
            }
        }
    }
}
