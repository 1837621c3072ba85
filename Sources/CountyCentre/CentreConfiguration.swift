// The centre's configuration file (TOML): where it listens, its TLS certificate, its PostgreSQL, its viewers' token.
// docs/central.md, "The centre".
import CounterTOML
import Foundation

public struct CentreConfiguration: Sendable, Equatable {
    public struct Postgres: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 5432
        public var user = "countergate"
        public var database = "countergate"
        /// The password's file; nil: no password (a local trust or peer login).
        public var passwordFile: String?
        /// Require TLS to PostgreSQL (a database on another machine).
        public var tls = false
    }

    /// The county's name, for the exports' titles.
    public var countyName = "全县"
    /// The address the centre listens on.
    public var bind = "127.0.0.1"
    public var port = 8443
    /// The centre's certificate and key (PEM). Without them it speaks plain HTTP, which it does only on loopback.
    public var certificateFile: String?
    public var keyFile: String?
    /// The token of the county's viewers (the inspection office, ops): the views and exports ask for it.
    public var viewTokenFile: String
    public var postgres = Postgres()
    /// Records per batch the centre takes.
    public var maximumBatch = 10_000
    /// The file this was read from.
    public var sourceFile: String?

    public var usesTLS: Bool { certificateFile != nil }

    public static func load(path: String) throws -> CentreConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: nil, message: "cannot be read (\(error.localizedDescription)); check the path")])
        }
        var config = try parse(text: text, file: path, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        config.sourceFile = path
        return config
    }

    public static func parse(text: String, file: String, baseDirectory: String) throws -> CentreConfiguration {
        let root: TOMLTable
        do { root = try TOMLReader.parse(text) } catch {
            throw ConfigErrors(errors: [ConfigError(file: file, line: error.position.line, key: nil, message: "\(error.message) (column \(error.position.column))")])
        }
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path) }
        let reader = TableReader(root, path: "", file: file)
        let centre = reader.table("centre")
        var config = CentreConfiguration(viewTokenFile: "")
        config.countyName = centre.string("county", default: "全县", expected: "the county's name, e.g. \"太谷区\"") ?? "全县"
        config.bind = centre.string("bind", default: "127.0.0.1", expected: "an IP address such as 127.0.0.1") ?? "127.0.0.1"
        config.port = centre.int("port", default: 8443, range: 0...65535) ?? 8443
        config.certificateFile = centre.string("certificate_file", expected: "a PEM certificate file").map(resolve)
        config.keyFile = centre.string("key_file", expected: "a PEM private key file").map(resolve)
        config.viewTokenFile = centre.requiredString("view_token_file", expected: "the file with the viewers' token, e.g. \"/etc/countergate/centre-view.token\"").map(resolve) ?? ""
        config.maximumBatch = centre.int("maximum_batch", default: 10_000, range: 1...100_000) ?? 10_000
        if (config.certificateFile == nil) != (config.keyFile == nil) {
            centre.fail("certificate_file", at: centre.table.position.line, "certificate_file and key_file go together: give both for HTTPS, or neither")
        }
        if config.certificateFile == nil, !(config.bind.hasPrefix("127.") || config.bind == "::1") {
            centre.fail("bind", at: centre.table["bind"]?.position.line ?? centre.table.position.line,
                        "plain HTTP on \(config.bind) would carry the halls' tokens in clear; give certificate_file and key_file, or bind to 127.0.0.1")
        }
        let pg = reader.table("postgres")
        config.postgres.host = pg.string("host", default: "127.0.0.1", expected: "a host name or address") ?? "127.0.0.1"
        config.postgres.port = pg.int("port", default: 5432, range: 1...65535) ?? 5432
        config.postgres.user = pg.string("user", default: "countergate") ?? "countergate"
        config.postgres.database = pg.string("database", default: "countergate") ?? "countergate"
        config.postgres.passwordFile = pg.string("password_file", expected: "a file with the password").map(resolve)
        config.postgres.tls = pg.bool("tls", default: false)
        let errors = reader.finish()
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        return config
    }

    /// Reads a token or password file (white space around it removed); the error names the file and the key.
    static func secret(_ path: String, key: String) throws -> String {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: key, message: "cannot be read (\(error.localizedDescription))")])
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: key, message: "is empty")]) }
        return secret
    }
}
