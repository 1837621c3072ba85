// The centre's configuration file: the shipped example reads as written, defaults apply, and the errors name the key
// (plain HTTP beyond loopback, a certificate without its key, a typo).
import CounterTOML
import CountyCentre
import Foundation
import Testing

@Suite struct CentreConfigurationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func errors(_ text: String) -> [ConfigError] {
        do { _ = try CentreConfiguration.parse(text: text, file: "centre.toml", baseDirectory: "/etc/countergate"); return [] } catch let e as ConfigErrors {
            return e.errors
        } catch { return [] }
    }

    @Test func theShippedExampleReadsAsWritten() throws {
        let config = try CentreConfiguration.load(path: Self.root.appendingPathComponent("docs/centre.example.toml").path)
        #expect(config.usesTLS && config.bind == "0.0.0.0" && config.port == 8443 && config.countyName == "太谷区")
        #expect(config.postgres.host == "127.0.0.1" && config.postgres.port == 5432 && config.postgres.passwordFile == "/etc/countergate/pg.password")
        #expect(config.viewTokenFile == "/etc/countergate/centre-view.token" && config.maximumBatch == 10_000)
    }

    @Test func defaultsAndRelativePaths() throws {
        let config = try CentreConfiguration.parse(text: "[centre]\nview_token_file = \"view.token\"\n", file: "centre.toml", baseDirectory: "/srv/centre")
        #expect(config.bind == "127.0.0.1" && config.port == 8443 && !config.usesTLS)
        #expect(config.viewTokenFile == "/srv/centre/view.token")
        #expect(config.postgres.user == "countergate" && config.postgres.database == "countergate" && !config.postgres.tls)
    }

    @Test func theErrorsNameTheKey() {
        #expect(errors("[centre]\nbind = \"0.0.0.0\"\nview_token_file = \"v\"\n").contains { $0.key == "centre.bind" && $0.message.contains("in clear") })
        #expect(errors("[centre]\ncertificate_file = \"c.pem\"\nview_token_file = \"v\"\n").contains { $0.message.contains("go together") })
        #expect(errors("[centre]\n").contains { $0.key == "centre.view_token_file" })
        #expect(errors("[centre]\nview_token_file = \"v\"\n[postgres]\nprot = 5432\n").contains { $0.message.contains("port") })
        #expect(errors("[centre]\nview_token_file = \"v\"\nport = 70000\n").contains { $0.key == "centre.port" })
    }
}
