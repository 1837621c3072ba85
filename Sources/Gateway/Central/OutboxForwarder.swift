// The hall's side of the county's centre (`[central]`): sends the outbox in batches over HTTPS with the hall's token,
// keeps trying with the shared backoff while the centre cannot be reached (for days if need be: the outbox is in the
// store), and lets a record go only when the centre says it committed it. docs/central.md.
import AsyncHTTPClient
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Why a batch did not go through.
enum ForwardFailure: Error, CustomStringConvertible {
    case unreachable(String)
    /// Refused by the centre (its HTTP status), or not sent at all (status 0: the hall's own side, such as its token).
    case refused(status: Int, message: String)
    case answer(String)

    var description: String {
        switch self {
        case .unreachable(let reason): return "the centre cannot be reached: \(reason)"
        case .refused(0, let message): return "not sent: \(message)"
        case .refused(let status, let message): return "the centre refused the batch (HTTP \(status)): \(message)"
        case .answer(let reason): return "the centre's answer is not understood: \(reason)"
        }
    }
}

public struct OutboxForwarder: Sendable {
    public let central: HallConfiguration.Central
    public let store: HallStore
    public let clock: any HallClock
    public let logger: Logger

    /// The hall's token is read from `[central] token_file` before each batch: a missing or empty file is a failure like
    /// an unreachable centre (retried with the backoff), and a new token takes effect without a restart.
    public init(central: HallConfiguration.Central, store: HallStore, clock: any HallClock, logger: Logger) {
        self.central = central
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    static func tlsConfiguration(_ central: HallConfiguration.Central) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let ca = central.caFile {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw StartupError(description: "[central] ca_file \(ca) cannot be read; it must be the PEM certificate of the CA that signed the centre's certificate")
            }
            tls.additionalTrustRoots = [.file(ca)]
        }
        return tls
    }

    /// Forwards until cancelled.
    public func run() async {
        let tls: TLSConfiguration
        do { tls = try Self.tlsConfiguration(central) } catch {
            logger.critical("forwarding to the centre cannot start: \(error)")
            return
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        await forward(with: client)
        try? await client.shutdown()
    }

    func forward(with client: HTTPClient) async {
        var backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(60))
        var lastSent: ContinuousClock.Instant? = nil
        var lastLag = ContinuousClock.now - .seconds(60)
        var failing = false
        // The centre's last receipt, while its acknowledgement is written beside the next batch's journey: the next
        // batch is read after it. Acknowledgements are written one after another, in order.
        var committed: (stream: String, seq: Int64)? = nil
        var acknowledging: Task<Void, any Error>? = nil
        func settle() async {
            if let acknowledging { _ = try? await acknowledging.value }
            acknowledging = nil
        }
        while !Task.isCancelled {
            do {
                let (stream, after, records) = try await store.outboxBatch(after: committed?.seq, limit: central.batchSize)
                if let held = committed, held.stream != stream { committed = nil; continue }  // a new stream: read it afresh
                let heartbeatDue = lastSent.map { ContinuousClock.now - $0 >= .seconds(central.heartbeatSeconds) } ?? true
                if records.isEmpty && !heartbeatDue && !failing {
                    await settle()
                    if ContinuousClock.now - lastLag >= .seconds(5) { lastLag = .now; await recordLag() }
                    // The outbox's look for new records (a cheap read by primary key), not a synchronisation.
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                guard !stream.isEmpty else { return }  // forwarding was never switched on: nothing to do
                let waitingAfter = records.count < central.batchSize ? 0 : max(0, try await store.newestOutboxSequence() - (records.last?.seq ?? 0))
                let batch = ForwardBatch(hall: central.hallID, stream: stream, after: after, records: records.map {
                    ForwardedRecord(seq: $0.seq, kind: $0.kind, key: $0.key, occurredAt: $0.occurredAt, recordedAt: $0.recordedAt, body: $0.body)
                }, caughtUp: records.count < central.batchSize, hallClock: Int64(clock.now().timeIntervalSince1970), waiting: waitingAfter)
                let receipt = try await send(batch, with: client)
                await settle()
                let store = self.store, clock = self.clock
                acknowledging = Task { try await store.acknowledgeOutbox(stream: receipt.stream, through: receipt.committed, at: clock.now()) }
                committed = (receipt.stream, receipt.committed)
                if failing {
                    logger.info("forwarding to the centre works again", metadata: ["committed": "\(receipt.committed)"])
                }
                failing = false
                backoff.reset()
                lastSent = .now
                Gauge(label: "countergate_central_last_contact_timestamp_seconds").record(clock.now().timeIntervalSince1970)
                Counter(label: "countergate_central_records_forwarded_total").increment(by: records.count)
                if records.count < central.batchSize || ContinuousClock.now - lastLag >= .seconds(5) {
                    await settle()
                    lastLag = .now
                    await recordLag()
                }
            } catch is CancellationError {
                await settle()
                return
            } catch {
                await settle()
                committed = nil  // read again from what the store has acknowledged
                let wait = backoff.next()
                failing = true
                Counter(label: "countergate_central_failures_total").increment()
                try? await store.noteOutboxFailure("\(error)")
                logger.warning("forwarding to the centre failed; the records stay in the outbox and are sent again",
                               metadata: ["error": "\(error)", "retry_in": "\(wait)", "centre": "\(central.url)"])
                await recordLag()
                do { try await Task.sleep(for: wait) } catch { return }  // the shared backoff
            }
        }
        await settle()
    }

    /// Sends one batch; the centre's receipt, or why not. A 409 (the centre has the stream up to an earlier record) is a
    /// receipt too: the hall then sends from there.
    func send(_ batch: ForwardBatch, with client: HTTPClient) async throws -> ForwardReceipt {
        var request = HTTPClientRequest(url: central.url.trimmingSuffix("/") + "/api/v1/batches")
        request.method = .POST
        let token: String
        do { token = try HallConfiguration.readCentralToken(central) } catch {
            throw ForwardFailure.refused(status: 0, message: "\(error)")
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(batch)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(120))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ForwardFailure.unreachable("\(error)")
        }
        let data = Data(buffer: body)
        switch response.status.code {
        case 200, 409:
            guard let receipt = try? JSONDecoder().decode(ForwardReceipt.self, from: data), receipt.stream == batch.stream else {
                throw ForwardFailure.answer(String(decoding: data.prefix(300), as: UTF8.self))
            }
            if response.status.code == 409 {
                // The centre is behind records this hall already let go of (the centre's database restored from an older
                // copy): they cannot be sent again from here, and sending on would leave a hole at the centre.
                throw ForwardFailure.refused(status: 409, message: "the centre has this hall's stream \(batch.stream) only up to \(receipt.committed), "
                    + "but this hall gave up its records up to \(batch.after) when the centre acknowledged them; the centre's database lost them "
                    + "(restored from an older copy?): bring them back at the centre from its own backup, or from this hall's (docs/central.md)")
            }
            return receipt
        default:
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"] ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw ForwardFailure.refused(status: Int(response.status.code), message: message)
        }
    }

    /// The outbox's lag as metrics: rows waiting and the age of the oldest.
    func recordLag() async {
        guard let status = try? await store.outboxStatus(at: clock.now()) else { return }
        Gauge(label: "countergate_central_outbox_waiting_rows").record(Double(status.waiting))
        Gauge(label: "countergate_central_outbox_oldest_seconds").record(status.oldestWaiting.map { max(0, clock.now().timeIntervalSince($0)) } ?? 0)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// Runs the forwarder under the gateway's service group (only with `[central]`).
struct OutboxForwarderService: Service {
    let forwarder: OutboxForwarder

    func run() async throws {
        let forwarder = self.forwarder
        await runUntilShutdown { await forwarder.run() }
    }
}
