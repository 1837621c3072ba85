// What the gateway needs before it starts, checked in one place: `serve` runs these checks before it touches anything,
// and `countergate config check` runs the same ones, so a configuration the check accepts is one the gateway starts,
// and one it refuses fails with the message `serve` would print.
import CounterConfig
import CounterCore
import Foundation
import BadgeReaders

/// What a configuration starts, once every check passed: the devices with their profiles and addresses.
public struct GatewayStartup: Sendable {
    /// The printers with their profiles and transports (none: no print spooler runs).
    public let printers: [SpooledPrinter]
    /// The badge readers with their profiles (none: no reader service runs).
    public let readers: [(HallConfiguration.Device, ReaderProfile)]
    /// What was checked, one line each, for `config check`.
    public let checked: [String]
    /// What does not stop the start but should be looked at (a terminal model with no profile); `serve` logs them.
    public let warnings: [String]

    /// Runs every check `serve` needs before it starts, in a fixed order, and reports all problems at once.
    /// - Throws: ``StartupError`` naming every problem found, each as `serve` says it.
    public static func check(_ config: HallConfiguration) throws -> GatewayStartup {
        var problems: [String] = []
        var checked: [String] = []
        @discardableResult func attempt<T>(_ what: String, _ body: () throws -> T) -> T? {
            do {
                let value = try body()
                checked.append(what)
                return value
            } catch {
                problems.append("\(error)")
                return nil
            }
        }
        attempt("data folder \(config.store.dataDirectory) can be written") { try StoreFolder.check(config.store.dataDirectory, database: config.databasePath) }
        attempt("calendar years \(config.calendarYears.map(\.year).sorted().map(String.init).joined(separator: ", "))") { _ = try config.calendar() }
        attempt(config.http.usesTLS ? "TLS certificate and key" : "HTTP on \(config.http.bind)") { _ = try HallHTTPServer.builder(for: config.http) }
        let printers = attempt("printer profiles and addresses (\(config.devices.filter { $0.kind == .printer }.count) printers)") {
            try PrintSpooler.printers(of: config)
        }
        let readers = attempt("reader profiles (\(config.devices.filter { $0.kind == .badgeReader }.count) badge readers)") {
            try BadgeTapService.readers(of: config)
        }
        checked.append("terminals: \(config.pullTerminals.count) read by the gateway, \(config.pushTerminals.count) calling it")
        // Terminal models: a broken profile file stops the start; an unknown model is read as a generic one, with a warning.
        var warnings: [String] = []
        if config.devices.contains(where: { $0.kind == .terminal }), let profiles = attempt("terminal profiles in \(config.attendance.profilesDirectory)", {
            do { return try TerminalModels.load(config) } catch {
                throw StartupError(description: "terminal profiles in \(config.attendance.profilesDirectory) cannot be read: \(error)")
            }
        }) {
            for note in TerminalModels.notes(config, profiles: profiles) {
                if note.agrees { checked.append(note.text) } else { warnings.append(note.text + (note.fix.map { "; \($0)" } ?? "")) }
            }
        }
        guard problems.isEmpty else { throw StartupError(description: problems.joined(separator: "\n")) }
        return GatewayStartup(printers: printers ?? [], readers: readers ?? [], checked: checked, warnings: warnings)
    }
}

/// The data folder of the store: it must exist, or be creatable, and be writable by the service user.
public enum StoreFolder {
    /// Checks that `directory` is (or can be made) a folder this user can write, and that the database in it, if there is
    /// one, can be written; nothing is created.
    /// - Throws: ``StartupError`` saying which folder or file and what to do.
    public static func check(_ directory: String, database: String) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StartupError(description: "the data directory \(directory) ([store] data_dir) is a file, not a folder; "
                                   + "move the file away or set data_dir to a folder")
            }
            guard access(directory, W_OK | X_OK) == 0 else {
                throw StartupError(description: "the data directory \(directory) ([store] data_dir) cannot be written by this user; "
                                   + "give the service user write access (chown countergate \(directory))")
            }
            if files.fileExists(atPath: database), access(database, R_OK | W_OK) != 0 {
                throw StartupError(description: "the store \(database) cannot be written by this user; "
                                   + "give the service user write access (chown countergate \(database))")
            }
            return
        }
        // Not there yet: the nearest folder that exists must let us create it.
        var parent = URL(fileURLWithPath: directory).standardizedFileURL.deletingLastPathComponent()
        while !files.fileExists(atPath: parent.path, isDirectory: &isDirectory), parent.path != "/" {
            parent = parent.deletingLastPathComponent()
        }
        guard isDirectory.boolValue, access(parent.path, W_OK | X_OK) == 0 else {
            throw StartupError(description: "cannot create the data directory \(directory) ([store] data_dir): \(parent.path) "
                               + (isDirectory.boolValue ? "cannot be written by this user" : "is a file, not a folder")
                               + "; create it and give the service user write access")
        }
    }
}
