// A configuration problem, located by file, line and key, saying what was expected.
import Foundation

public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, as the operator named it.
    public let file: String
    /// The line of the problem (0 when the problem is the file as a whole).
    public let line: Int
    /// The full key, e.g. `http.port` or `window[2].number`.
    public let key: String?
    public let message: String

    public init(file: String, line: Int, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        if let key { return "\(place): key `\(key)`: \(message)" }
        return "\(place): \(message)"
    }
}

/// Several configuration problems found in one pass; the gateway starts on none of them.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public let errors: [ConfigError]

    public init(errors: [ConfigError]) { self.errors = errors }

    public var description: String {
        "the configuration was not accepted (\(errors.count) problem\(errors.count == 1 ? "" : "s")):\n"
            + errors.map { "  " + $0.description }.joined(separator: "\n")
    }
}
