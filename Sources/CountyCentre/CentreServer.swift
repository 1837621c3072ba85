// The centre's HTTP(S) side: the halls' batches in, the county's views out. docs/central.md.
import CounterCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle

public struct CentreStartupError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

public enum CentreServer {
    /// Connects to PostgreSQL (waiting, and saying so, while it does not answer), brings the schema up to date, and
    /// serves until SIGTERM or SIGINT. `onListening` gets the port (0 in the configuration picks a free one).
    public static func run(config: CentreConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let viewToken = try CentreConfiguration.secret(config.viewTokenFile, key: "centre.view_token_file")
        let client = try makeClient(config.postgres, logger: logger)
        let tls = try config.certificateFile.map { try tlsConfiguration(certificate: $0, key: config.keyFile!) }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            try await waitForPostgres(client, config: config.postgres, logger: logger)
            let applied = try await CentreSchema.migrate(client, logger: logger)
            if !applied.isEmpty { logger.info("the centre's schema brought up to date", metadata: ["migrations": "\(applied)"]) }
            var store = CentreStore(client: client, logger: logger)
            store.skipInsertsForTest = ProcessInfo.processInfo.environment["COUNTERGATE_TEST_FAULT"] == "centre-skip-insert"
            store.slowCommitForTest = ProcessInfo.processInfo.environment["COUNTERGATE_TEST_FAULT"] == "centre-slow-commit"
            let router = routes(store: store, viewToken: viewToken, maximumBatch: config.maximumBatch, countyName: config.countyName, logger: logger)
            let server: HTTPServerBuilder = if let tls { try .tls(.http1(), tlsConfiguration: tls) } else { .http1() }
            let app = Application(
                router: router, server: server,
                configuration: .init(address: .hostname(config.bind, port: config.port), serverName: "CounterGate-Centre"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? config.port
                    logger.info("centre listening", metadata: ["address": "\(config.bind)", "port": "\(port)", "scheme": "\(tls == nil ? "http" : "https")"])
                    onListening(port)
                },
                logger: logger)
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            group.cancelAll()
        }
    }

    public static func makeClient(_ pg: CentreConfiguration.Postgres, logger: Logger) throws -> PostgresClient {
        let password = try pg.passwordFile.map { try CentreConfiguration.secret($0, key: "postgres.password_file") }
        let tls: PostgresClient.Configuration.TLS = pg.tls ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(host: pg.host, port: pg.port, username: pg.user, password: password, database: pg.database, tls: tls)
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 16
        // The pool's own chatter (connections opened and closed, a query before its run loop started) only at errors.
        var background = logger
        background.logLevel = .error
        return PostgresClient(configuration: configuration, backgroundLogger: background)
    }

    /// One connection of its own, opened and closed: fails at once when PostgreSQL is down (the pool would wait).
    static func probe(_ pg: CentreConfiguration.Postgres, logger: Logger) async throws {
        let password = try pg.passwordFile.map { try CentreConfiguration.secret($0, key: "postgres.password_file") }
        let tls: PostgresConnection.Configuration.TLS = pg.tls ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        var configuration = PostgresConnection.Configuration(host: pg.host, port: pg.port, username: pg.user, password: password, database: pg.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        var quiet = logger
        quiet.logLevel = .critical
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
        do { try await connection.query("SELECT 1", logger: quiet) } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    /// Waits until PostgreSQL answers, logging each failed try with what to check; doubles the wait up to 30 s.
    public static func waitForPostgres(_ client: PostgresClient, config pg: CentreConfiguration.Postgres, logger: Logger) async throws {
        var wait = Duration.milliseconds(250)
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await probe(pg, logger: logger)
                if attempt > 1 { logger.info("PostgreSQL answers now", metadata: ["host": "\(pg.host)", "port": "\(pg.port)", "attempts": "\(attempt)"]) }
                return
            } catch {
                logger.warning("PostgreSQL at \(pg.host):\(pg.port) does not answer yet; the centre waits for it (check it runs and that user \(pg.user) may use database \(pg.database))",
                               metadata: ["attempt": "\(attempt)", "retry_in": "\(wait)", "error": "\(String(reflecting: error).prefix(300))"])
                try await Task.sleep(for: wait)  // a retry's backoff, not a synchronisation
                wait = min(wait * 2, .seconds(30))
            }
        }
    }

    static func tlsConfiguration(certificate: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw CentreStartupError(description: "cannot read the centre's certificate \(certificate) ([centre] certificate_file): \(error); it must be a PEM file")
        }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw CentreStartupError(description: "cannot read the centre's key \(key) ([centre] key_file): \(error); it must be an unencrypted PEM key")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(["error": message], status: status)
    }

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    public static func routes(store: CentreStore, viewToken: String, maximumBatch: Int, countyName: String = "全县", logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            do {
                try await store.client.query("SELECT 1", logger: logger)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "PostgreSQL does not answer\n")))
            }
        }
        // A hall's batch. 401: no or unknown token; 403: the token is another hall's; 400: not a batch; 409: a gap
        // (the answer says what the centre has); 503: PostgreSQL failed (nothing was committed: send it again).
        router.post("/api/v1/batches") { request, _ -> Response in
            guard let token = bearer(request) else { return refusal(.unauthorized, "no token: send Authorization: Bearer <the hall's token>") }
            let hall: String?
            do { hall = try await store.hall(forToken: token) } catch {
                logger.error("cannot look up a hall's token", metadata: ["error": "\(String(reflecting: error).prefix(300))"])
                return refusal(.serviceUnavailable, "the centre's database does not answer; nothing was written, send the batch again later")
            }
            guard let hall else { return refusal(.unauthorized, "this token belongs to no registered hall; register the hall at the centre (countergate central hall add)") }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maximumBatch * 16 * 1024) } catch {
                return refusal(.contentTooLarge, "the batch is too large; send at most \(maximumBatch) records at once")
            }
            let batch: ForwardBatch
            do { batch = try JSONDecoder().decode(ForwardBatch.self, from: Data(buffer: body)) } catch {
                return refusal(.badRequest, "not a batch of records: \(String(describing: error).prefix(300))")
            }
            guard batch.hall == hall else {
                logger.warning("a batch named another hall than its token's", metadata: ["token_hall": "\(hall)", "batch_hall": "\(batch.hall)"])
                return refusal(.forbidden, "the batch names hall \(batch.hall), but its token is hall \(hall)'s; nothing was written")
            }
            if let problem = batch.problem(maximumRecords: maximumBatch) { return refusal(.badRequest, problem + "; nothing was written") }
            do {
                switch try await store.commit(batch, hall: hall) {
                case .committed(let seq):
                    return json(ForwardReceipt(stream: batch.stream, committed: seq))
                case .badBody(let reason):
                    return refusal(.badRequest, "a record's body is not a JSON object (\(reason)); nothing was written")
                case .gap(let committed):
                    return json(ForwardReceipt(stream: batch.stream, committed: committed,
                                               error: "the batch follows \(batch.after), but the centre has this stream only up to \(committed); send what follows \(committed)"),
                                status: .conflict)
                }
            } catch {
                logger.error("a batch could not be committed", metadata: ["hall": "\(hall)", "error": "\(String(reflecting: error).prefix(500))"])
                return refusal(.serviceUnavailable, "the centre could not commit the batch; nothing of it was written, send it again")
            }
        }
        // The county's views: the viewers' token.
        @Sendable func viewer(_ request: Request) -> Response? {
            bearer(request) == viewToken ? nil : refusal(.unauthorized, "the county's views need the viewers' token: Authorization: Bearer <[centre] view_token_file>")
        }
        router.get("/api/v1/halls") { request, _ -> Response in
            if let refused = viewer(request) { return refused }
            return json(try await store.halls())
        }
        router.get("/api/v1/notices") { request, _ -> Response in
            if let refused = viewer(request) { return refused }
            let q = request.uri.queryParameters
            let window = q.get("window").flatMap { Int($0) }
            let list = try await store.notices(hall: q.get("hall"), window: window, clerk: q.get("clerk"), month: q.get("month"))
            if q.get("format") == "csv" {
                var text = "hall,number,kind,window,clerk,applicant,item,received_on,promised_completion,voided\n"
                for n in list {
                    text += [n.hall, n.number, n.kind, String(n.window), n.clerk, n.applicant, n.item, n.receivedOn, n.promisedCompletion ?? "", n.voided ? "voided" : ""]
                        .map(CentreText.csvField).joined(separator: ",") + "\n"
                }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            return json(list)
        }
        router.get("/api/v1/attendance") { request, _ -> Response in
            if let refused = viewer(request) { return refused }
            let q = request.uri.queryParameters
            guard let month = q.get("month"), month.count == 7, month.dropFirst(4).first == "-" else {
                return refusal(.badRequest, "give the month as ?month=YYYY-MM")
            }
            let days = try await store.attendance(month: month)
            if q.get("format") == "csv" {
                var text = "hall,person,day,first,last,times,judged\n"
                for d in days {
                    text += [d.hall, d.person, d.day, CentreText.chinaTime(d.first, format: "HH:mm:ss"), CentreText.chinaTime(d.last, format: "HH:mm:ss"), String(d.times), d.judged ? "yes" : "not yet"].map(CentreText.csvField).joined(separator: ",") + "\n"
                }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            return json(days)
        }
        // The county's monthly sheet: each hall's published sheet, by hall, window and person.
        router.get("/api/v1/monthly-sheet") { request, _ -> Response in
            if let refused = viewer(request) { return refused }
            let q = request.uri.queryParameters
            guard let month = q.get("month"), month.count == 7, month.dropFirst(4).first == "-" else {
                return refusal(.badRequest, "give the month as ?month=YYYY-MM")
            }
            let sheet = try await store.countySheet(month: month)
            switch q.get("format") {
            case "csv":
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: sheet.csv())))
            case "xlsx":
                let data = try sheet.xlsx(county: countyName)
                return Response(status: .ok, headers: [.contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                       .contentDisposition: "attachment; filename=\"county-\(month).xlsx\""],
                                body: .init(byteBuffer: ByteBuffer(bytes: data)))
            default:
                break
            }
            return json(sheet)
        }
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: CentrePage.html)))
        }
        return router
    }
}

extension CentreServer {
    /// Runs `body` with the centre's store on a client of its own (for the command line): PostgreSQL must answer now,
    /// and the schema is brought up to date first.
    public static func withStore<T: Sendable>(_ config: CentreConfiguration, logger: Logger, _ body: @escaping @Sendable (CentreStore) async throws -> T) async throws -> T {
        let client = try makeClient(config.postgres, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            do { try await probe(config.postgres, logger: logger) } catch {
                throw CentreStartupError(description: "PostgreSQL at \(config.postgres.host):\(config.postgres.port) does not answer for user \(config.postgres.user), database \(config.postgres.database): \(String(reflecting: error).prefix(300)); check it runs ([postgres] in \(config.sourceFile ?? "the configuration"))")
            }
            try await CentreSchema.migrate(client, logger: logger)
            return try await body(CentreStore(client: client, logger: logger))
        }
    }
}
