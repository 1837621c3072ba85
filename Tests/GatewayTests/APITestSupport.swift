// What the API tests share: a hall with a store in a temporary folder, its router with test-only routes, and a log
// that keeps every line.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
@testable import Gateway

struct APITestHall {
    var config: HallConfiguration
    let store: HallStore
    let clock: ManualClock

    init(configure: (inout HallConfiguration) throws -> Void = { _ in }) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-api-\(UUID().uuidString)")
        var config = try HallConfiguration.defaults()
        config.store.dataDirectory = directory.path
        try configure(&config)
        self.config = config
        store = try GatewayRuntime.openStore(config)
        clock = ManualClock(Date(timeIntervalSince1970: 1_795_660_200))  // Thu 2026-11-26 08:30 +08:00
    }

    /// A token of `role`, created as ops would.
    func token(_ role: APIRole, name: String = "test client") async throws -> (id: Int64, token: String) {
        try await store.createToken(name: name, role: role, actor: "cli", at: clock.now())
    }

    /// The gateway's router with `routes` added to `/api/v1` the way the API's routes are.
    func app(logger: Logger? = nil, routes: @escaping (RouterGroup<HallRequestContext>) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = HallRoutes.router(config: config, store: store, clock: clock, api: routes)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

/// The problem document of an answer.
func problem(_ response: TestResponse) throws -> APIProblem.Document {
    try JSONDecoder().decode(APIProblem.Document.self, from: Data(buffer: response.body))
}

/// Every log line, with its metadata, for tests that look for what must never be logged.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    var count: Int { lines.withLock { $0.count } }

    /// A logger at trace level writing here.
    func logger(_ label: String = "api-test") -> Logger {
        Logger(label: label) { label in CapturingLogHandler(label: label, sink: self) }
    }
}

struct CapturingLogHandler: LogHandler {
    let label: String
    let sink: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error=\($0)" } ?? ""
        sink.append("\(event.level) \(label) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))\(error)")
    }
}
