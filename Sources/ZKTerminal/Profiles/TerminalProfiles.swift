// Loads the fingerprint terminal model files (drivers/terminals/*.toml): the protocol the model speaks, its fingerprint
// algorithm, and how many users, fingerprints and records it holds.
import CounterCore
import CounterTOML
import Foundation

/// One terminal model, as its profile file describes it.
public struct TerminalProfile: Sendable, Hashable {
    /// How the model talks to the gateway.
    public enum TerminalProtocol: String, Sendable, Hashable, CaseIterable {
        /// The gateway dials it on port 4370 (TCP or UDP): `tcp://HOST:4370`.
        case pull
        /// It calls the gateway's `/iclock/` listener (ADMS): `push:SERIAL`.
        case push
    }

    /// The file name without `.toml`.
    public let id: String
    public let file: String
    public let name: String
    public let terminalProtocol: TerminalProtocol
    /// The fingerprint algorithm version (ZKFinger 9 or 10): templates of one version cannot be restored onto a model of
    /// the other.
    public let fingerprintVersion: Int
    /// How many users, fingerprint templates and attendance records the model holds.
    public let users: Int
    public let fingerprints: Int
    public let records: Int

    /// The profile a terminal the gateway reads gets when its model is not known: a generic ZK pull terminal.
    public static let genericPull = "zk-generic"
    /// The profile a terminal that calls the gateway gets when its model is not known (a new push candidate).
    public static let genericPush = "zk-push"

    /// Whether this model reaches the gateway the way `link` says (a push model at `tcp://…` is a configuration slip).
    public func agrees(with link: DeviceLink) -> Bool {
        switch (terminalProtocol, link) {
        case (.pull, .pullTerminal), (.push, .pushTerminal): return true
        default: return false
        }
    }

    /// Why a backup of `users` users and `fingerprints` templates does not fit on this model, or nil.
    public func capacityProblem(users: Int, fingerprints: Int) -> String? {
        guard users > self.users || fingerprints > self.fingerprints else { return nil }
        return "the backup holds \(users) users and \(fingerprints) fingerprint templates, more than \(name) holds "
            + "(\(self.users) users, \(self.fingerprints) templates: drivers/terminals/\(id).toml)"
    }
}

/// Reads terminal profiles. Every problem is reported with its file, line and key, and nothing is loaded when there is
/// one. A file's name (without `.toml`) is the profile's id; `inherits = "<id>"` takes every setting the file does not
/// set from that profile, except `name`.
///
/// Keys: `name` (required), `inherits`, `protocol` (`pull` or `push`, required), `fingerprint_version` (9 or 10,
/// default 10), `users`, `fingerprints`, `records` (capacities, required).
public enum TerminalProfiles {
    /// Loads every `*.toml` file directly in `directory`.
    /// - Throws: `ConfigErrors` naming file, line and key of each problem.
    public static func load(directory: String) throws -> [TerminalProfile] {
        try parse(files: try ProfileFiles.read(directory: directory, family: "terminal", recursive: false))
    }

    /// Reads profiles from texts (`path` names the file in errors; its last component without `.toml` is the id).
    public static func parse(files: [(path: String, text: String)]) throws -> [TerminalProfile] {
        try ProfileFiles.profiles(Draft.self, files: files, family: "terminal")
    }

    /// What one file sets; nil for what it leaves to its parent.
    struct Draft: ResolvableProfileDraft {
        let id: String
        let file: String
        var name: String?
        var inherits: String?
        var inheritsLine = 0
        var terminalProtocol: TerminalProfile.TerminalProtocol?
        var fingerprintVersion: Int?
        var users: Int?
        var fingerprints: Int?
        var records: Int?

        init(id: String, file: String, reader: TableReader) {
            self.id = id
            self.file = file
            name = reader.string("name")
            inherits = reader.string("inherits")
            inheritsLine = reader.table["inherits"]?.position.line ?? 0
            if let node = reader.table["protocol"], let text = reader.string("protocol") {
                terminalProtocol = TerminalProfile.TerminalProtocol(rawValue: text)
                if terminalProtocol == nil { reader.fail("protocol", at: node.position.line, "`\(text)` is not one of: pull, push") }
            }
            if let node = reader.table["fingerprint_version"], let version = reader.int("fingerprint_version", default: nil, range: 1...99) {
                if [9, 10].contains(version) { fingerprintVersion = version } else {
                    reader.fail("fingerprint_version", at: node.position.line, "\(version) is not a ZKFinger version CounterGate knows; expected 9 or 10")
                }
            }
            users = reader.int("users", default: nil, range: 1...10_000_000)
            fingerprints = reader.int("fingerprints", default: nil, range: 1...10_000_000)
            records = reader.int("records", default: nil, range: 1...100_000_000)
        }

        func resolve(chain: [Draft], errors: inout [ConfigError]) -> TerminalProfile? {
            func first<T>(_ path: KeyPath<Draft, T?>) -> T? { chain.lazy.compactMap { $0[keyPath: path] }.first }
            guard let name else {
                errors.append(ConfigError(file: file, line: 0, key: "name", message: "is missing; expected the terminal model's name"))
                return nil
            }
            guard let terminalProtocol = first(\.terminalProtocol) else {
                errors.append(ConfigError(file: file, line: 0, key: "protocol", message: "is missing; expected pull (the gateway dials it) or push (it calls the gateway)"))
                return nil
            }
            guard let users = first(\.users), let fingerprints = first(\.fingerprints), let records = first(\.records) else {
                errors.append(ConfigError(file: file, line: 0, key: "users", message: "users, fingerprints and records (the model's capacity) are required"))
                return nil
            }
            return TerminalProfile(id: id, file: file, name: name, terminalProtocol: terminalProtocol, fingerprintVersion: first(\.fingerprintVersion) ?? 10,
                                   users: users, fingerprints: fingerprints, records: records)
        }
    }
}
