// HTTPS with a configured certificate (a self-signed one made by openssl here), and plain HTTP refused on the LAN.
import CounterConfig
import CounterCore
import CounterGateTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
@testable import Gateway

@Suite struct HTTPSTests {
    static let openssl: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A certificate for localhost and 127.0.0.1 with its key, in a new folder.
    static func selfSigned() async throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("gateway.crt").path
        let key = directory.appendingPathComponent("gateway.key").path
        let made = try await ChildProcess.run(try #require(openssl), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        try #require(made.status == 0, "openssl failed: \(made.stderr)")
        return (certificate, key)
    }

    @Test(.enabled(if: openssl != nil, "needs the openssl command (Debian package openssl) to make a self-signed certificate"))
    func healthzOverHTTPSWithATrustedCertificate() async throws {
        let files = try await Self.selfSigned()
        let hall = try APITestHall { config in
            config.http.tlsCertificate = files.certificate
            config.http.tlsKey = files.key
        }
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: HallRoutes.router(config: hall.config, store: hall.store, clock: hall.clock),
            server: try HallHTTPServer.builder(for: hall.config.http),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { listening.yield(port) }
            },
            logger: Logger(label: "https-test"))
        let services = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "https-test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            var next = ports.makeAsyncIterator()
            let port = try #require(await next.next())

            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificate))
            let answer = try await TestClient.withClient(host: "127.0.0.1", port: port,
                                                         configuration: .init(tlsConfiguration: trusting, serverName: "localhost")) { client in
                try await client.get("/healthz")
            }
            #expect(answer.status == .ok)
            #expect(String(buffer: answer.body ?? ByteBuffer()).contains("\"status\":\"ok\""))

            // The certificate is really checked: the handshake of a client that does not trust it fails on verification.
            let untrusted = await Self.handshake(port: port, configuration: TLSConfiguration.makeClientConfiguration())
            guard case .failure(let refused) = untrusted else { Issue.record("a client that does not trust the certificate completed the handshake"); return }
            #expect(refused is NIOSSLError)
            #expect("\(refused)".contains("CERTIFICATE_VERIFY_FAILED"), "\(refused)")
            let trusted = await Self.handshake(port: port, configuration: trusting)
            #expect((try? trusted.get()) != nil, "\(trusted)")
            // Plain HTTP to the HTTPS port is not answered as HTTP.
            await #expect(throws: (any Error).self) {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in try await client.get("/healthz") }
            }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// A TLS handshake with the server and nothing else: its outcome, as the client's NIOSSL reports it.
    static func handshake(port: Int, configuration: TLSConfiguration) async -> Result<Void, any Error> {
        do {
            let context = try NIOSSLContext(configuration: configuration)
            let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            let handshake = eventLoop.makePromise(of: Void.self)
            let channel: any Channel
            do {
                channel = try await ClientBootstrap(group: eventLoop)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                            try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: handshake))
                        }
                    }
                    .connect(host: "127.0.0.1", port: port).get()
            } catch {
                handshake.fail(error)  // a promise is always completed (NIO checks)
                throw error
            }
            let outcome: Result<Void, any Error>
            do { try await handshake.futureResult.get(); outcome = .success(()) } catch { outcome = .failure(error) }
            try? await channel.close()
            return outcome
        } catch {
            return .failure(error)
        }
    }

    @Test func aLANAddressWithoutTLSIsRefusedAtStart() throws {
        var http = try HallConfiguration.defaults().http
        http.bind = "0.0.0.0"
        #expect(throws: StartupError.self) { _ = try HallHTTPServer.builder(for: http) }
        do { _ = try HallHTTPServer.builder(for: http) } catch {
            let text = "\(error)"
            #expect(text.contains("binding 0.0.0.0 (not loopback) without TLS"))
            #expect(text.contains("tls_certificate and tls_key"))
            #expect(text.contains("allow_plain_http = true"))
        }
        http.bind = "192.168.10.5"
        #expect(throws: StartupError.self) { _ = try HallHTTPServer.builder(for: http) }
        http.allowPlainHTTP = true
        _ = try HallHTTPServer.builder(for: http)
        for loopback in ["127.0.0.1", "127.8.9.10", "::1"] {
            var local = try HallConfiguration.defaults().http
            local.bind = loopback
            _ = try HallHTTPServer.builder(for: local)
        }
    }

    @Test(.enabled(if: openssl != nil, "needs the openssl command (Debian package openssl) to make a self-signed certificate"))
    func unusableCertificateFilesAreNamed() async throws {
        let files = try await Self.selfSigned()
        let other = try await Self.selfSigned()
        var http = try HallConfiguration.defaults().http
        http.bind = "0.0.0.0"
        http.tlsCertificate = files.certificate
        http.tlsKey = files.key
        _ = try HallHTTPServer.builder(for: http)

        func refusal(_ certificate: String, _ key: String) -> String {
            var broken = http
            broken.tlsCertificate = certificate
            broken.tlsKey = key
            do { _ = try HallHTTPServer.builder(for: broken); return "accepted" } catch { return "\(error)" }
        }
        #expect(refusal("/nonexistent/gateway.crt", files.key).contains("cannot read the TLS certificate /nonexistent/gateway.crt ([http] tls_certificate): no such file"))
        #expect(refusal(files.certificate, "/nonexistent/gateway.key").contains("cannot read the TLS private key /nonexistent/gateway.key ([http] tls_key): no such file"))
        #expect(refusal(files.key, files.key).contains("[http] tls_certificate"))
        #expect(refusal(files.certificate, files.certificate).contains("[http] tls_key"))
        #expect(refusal(files.certificate, other.key).contains("cannot be used together"))
    }
}

/// Completes its promise once with the handshake's outcome: done, the first error, or the connection closing first.
final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>
    private var settled = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    private func settle(_ result: Result<Void, any Error>) {
        guard !settled else { return }
        settled = true
        promise.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { settle(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }
}
