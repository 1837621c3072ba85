// How the gateway serves HTTP: plain on loopback, HTTPS with the configured certificate, never plain on the LAN
// unless the configuration says so.
import CounterConfig
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

public enum HallHTTPServer {
    /// The server for `[http]`: HTTP/1.1, inside TLS when a certificate and key are configured.
    /// - Throws: ``StartupError`` for a non-loopback address without TLS (unless `allow_plain_http`), and for a
    ///   certificate or key that cannot be read or do not belong together, naming the file and what to do.
    public static func builder(for http: HallConfiguration.HTTP) throws -> HTTPServerBuilder {
        if let refusal = http.plainHTTPRefusal {
            throw StartupError(description: "HTTP not started: \(refusal)")
        }
        guard let certificate = http.tlsCertificate, let key = http.tlsKey else { return .http1() }
        return try .tls(.http1(), tlsConfiguration: tlsConfiguration(certificate: certificate, key: key))
    }

    /// The scheme clients use: `https` with TLS, else `http`.
    public static func scheme(for http: HallConfiguration.HTTP) -> String { http.usesTLS ? "https" : "http" }

    /// A TLS 1.2+ server configuration from PEM files, checked now (the key must match the certificate) rather than
    /// at the first connection.
    static func tlsConfiguration(certificate: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw StartupError(description: "cannot read the TLS certificate \(certificate) ([http] tls_certificate): \(reason(error, path: certificate)); "
                + "it must be a PEM file (-----BEGIN CERTIFICATE-----, the server's certificate first, then any intermediates) readable by the service user")
        }
        guard !chain.isEmpty else {
            throw StartupError(description: "the TLS certificate file \(certificate) ([http] tls_certificate) holds no certificate; it must be a PEM file (-----BEGIN CERTIFICATE-----)")
        }
        let privateKey: NIOSSLPrivateKey
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw StartupError(description: "cannot read the TLS private key \(key) ([http] tls_key): \(reason(error, path: key)); "
                + "it must be an unencrypted PEM key (-----BEGIN PRIVATE KEY-----) readable by the service user")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw StartupError(description: "the TLS certificate \(certificate) and key \(key) cannot be used together (\(error)); "
                + "check that the key is the one the certificate was issued for")
        }
        return configuration
    }

    private static func reason(_ error: any Error, path: String) -> String {
        if !FileManager.default.fileExists(atPath: path) { return "no such file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "not readable by this user" }
        return "\(error)"
    }
}
