// [http] security settings: TLS files, plain HTTP on the LAN refused unless allowed, CORS origins checked.
import CounterCore
import CounterTOML
import Foundation
import Testing
@testable import CounterConfig

@Suite struct HTTPSecurityConfigurationTests {
    func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/etc/countergate")
    }

    func errors(_ text: String) -> [ConfigError] {
        do { _ = try parse(text); return [] } catch let e as ConfigErrors { return e.errors } catch { return [] }
    }

    @Test func theDefaultsAreLoopbackPlainAndClosed() throws {
        let http = try parse("").http
        #expect(http.bind == "127.0.0.1")
        #expect(http.tlsCertificate == nil && http.tlsKey == nil && !http.usesTLS)
        #expect(!http.allowPlainHTTP)
        #expect(http.corsOrigins.isEmpty)
        #expect(http.bindsLoopback)
        #expect(http.plainHTTPRefusal == nil)
    }

    @Test func tlsFilesAndOriginsAreRead() throws {
        let http = try parse("""
            [http]
            bind = "0.0.0.0"
            port = 8443
            tls_certificate = "tls/gateway.crt"
            tls_key = "/etc/ssl/private/gateway.key"
            cors_origins = ["https://window-pc.hall.lan", "http://192.168.10.31:8000", "https://window-pc.hall.lan"]
            """).http
        #expect(http.tlsCertificate == "/etc/countergate/tls/gateway.crt")
        #expect(http.tlsKey == "/etc/ssl/private/gateway.key")
        #expect(http.usesTLS)
        #expect(http.corsOrigins == ["https://window-pc.hall.lan", "http://192.168.10.31:8000"])
        #expect(http.plainHTTPRefusal == nil)
    }

    @Test func aLANAddressWithoutTLSIsRefusedWithWhereAndWhatToDo() throws {
        let found = errors("""
            [hall]
            name = "x"
            [http]
            bind = "0.0.0.0"
            """)
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.key == "http.bind")
        #expect(found.first?.message.contains("without TLS would send API tokens across the hall's LAN in clear text") == true)
        #expect(found.first?.message.contains("tls_certificate and tls_key") == true)
        #expect(found.first?.message.contains("allow_plain_http = true") == true)
        #expect(errors("[http]\nbind = \"192.168.10.5\"\n").map(\.key) == ["http.bind"])
        #expect(errors("[http]\nbind = \"::\"\n").map(\.key) == ["http.bind"])
        let allowed = try parse("[http]\nbind = \"192.168.10.5\"\nallow_plain_http = true\n").http
        #expect(allowed.allowPlainHTTP)
        #expect(allowed.plainHTTPRefusal == nil)
    }

    @Test func halfATLSConfigurationIsAnError() {
        let certificateOnly = errors("[http]\ntls_certificate = \"a.crt\"\n")
        #expect(certificateOnly.map(\.key) == ["http.tls_certificate"])
        #expect(certificateOnly.first?.line == 2)
        #expect(certificateOnly.first?.message.contains("tls_key is not") == true)
        #expect(errors("[http]\ntls_key = \"a.key\"\n").map(\.key) == ["http.tls_key"])
        #expect(errors("[http]\nallow_plain_http = \"yes\"\n").map(\.key) == ["http.allow_plain_http"])
    }

    @Test("origins that are not origins are refused", arguments: [
        "*", "null", "https://window-pc.hall.lan/", "https://window-pc.hall.lan/app", "HTTPS://Window-PC", "ftp://files.hall.lan",
        "window-pc.hall.lan", "https://user@window-pc.hall.lan", "https://window-pc.hall.lan?x=1", "",
    ])
    func badOrigins(origin: String) {
        let found = errors("[http]\ncors_origins = [\"\(origin)\"]\n")
        #expect(found.map(\.key) == ["http.cors_origins"], "\(origin)")
        #expect(found.first?.line == 2)
    }

    /// docs/countergate.example.toml shows the [http] security keys; they must stay accepted as written.
    @Test func theExampleFileCarriesTheSecurityKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/countergate.example.toml").path
        let http = try HallConfiguration.load(path: path).http
        #expect(http.bindsLoopback && !http.usesTLS && !http.allowPlainHTTP && http.corsOrigins.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["tls_certificate", "tls_key", "allow_plain_http", "cors_origins"] { #expect(text.contains(key), "\(key)") }
        // The commented LAN lines, uncommented, are a working HTTPS configuration.
        let lan = text.replacingOccurrences(of: "# bind = ", with: "bind = ").replacingOccurrences(of: "bind = \"127.0.0.1\"", with: "")
            .replacingOccurrences(of: "# tls_", with: "tls_")
        let served = try HallConfiguration.parse(text: lan, file: path, baseDirectory: root.path).http
        #expect(served.bind == "192.168.10.2" && served.usesTLS && served.plainHTTPRefusal == nil)
    }

    @Test func loopbackIsOnlyThisMachine() {
        for address in ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1"] {
            #expect(isLoopbackAddress(address), "\(address)")
        }
        for address in ["0.0.0.0", "::", "10.0.0.1", "192.168.10.5", "::ffff:10.0.0.1", "128.0.0.1", "localhost", ""] {
            #expect(!isLoopbackAddress(address), "\(address)")
        }
    }
}
