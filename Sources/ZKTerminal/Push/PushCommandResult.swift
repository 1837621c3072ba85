// Results a push terminal posts for the commands it ran (`POST /iclock/devicecmd`): `ID=..&Return=..&CMD=..` lines,
// several per body, an INFO result followed by its `key=value` lines.
import Foundation

/// What a terminal says about one command it ran.
public struct PushCommandResult: Sendable, Hashable {
    /// The id the gateway gave the command (`C:<id>:…`).
    public var id: Int64
    /// 0 done; negative codes are the terminal's errors (-1 bad parameter or no data, -2 file error, -3 access error,
    /// -1002 unknown command, -1004 table not supported).
    public var returnCode: Int
    /// The command's first word as the terminal echoes it (`DATA`, `INFO`, `CHECK`).
    public var command: String
    /// The `key=value` lines after the result line (an INFO result's facts), in order, `~` prefixes kept.
    public var content: [String]

    public init(id: Int64, returnCode: Int, command: String, content: [String] = []) {
        self.id = id
        self.returnCode = returnCode
        self.command = command
        self.content = content
    }

    public var succeeded: Bool { returnCode >= 0 }

    /// The content as a dictionary (keys without a leading `~`); the first of a repeated key wins.
    public var facts: [String: String] {
        var facts: [String: String] = [:]
        for line in content {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingCharacters(in: CharacterSet(charactersIn: "~ "))
            if facts[key] == nil { facts[key] = String(line[line.index(after: equals)...]) }
        }
        return facts
    }

    /// What a terminal's error code means, for ops.
    public static func meaning(of code: Int) -> String {
        switch code {
        case 0...: return "done"
        case -1: return "the terminal refused a parameter, or has no such data"
        case -2: return "the terminal could not read or write a file"
        case -3: return "the terminal denied access"
        case -1002: return "the terminal does not know this command"
        case -1004: return "the terminal does not support this table"
        default: return "the terminal reported error \(code)"
        }
    }
}

/// A result line the gateway could not read, with the line.
public struct PushMalformedLine: Sendable, Hashable {
    public let line: String
    public let error: PushDecodeError
}

public enum PushCommandResults {
    /// Reads a `devicecmd` body. Each `ID=` line starts a result (`ID=5&Return=0&CMD=DATA`; the multi-line form
    /// `ID=5` / `Return=0` / `CMD=Shell` is read too); the `key=value` lines after it are its content.
    /// - Returns: the results, and the lines that could not be read (an `ID=` that is not a number, a line before any
    ///   result).
    public static func decode(_ text: String) -> (results: [PushCommandResult], malformed: [PushMalformedLine]) {
        var results: [PushCommandResult] = []
        var malformed: [PushMalformedLine] = []
        var current: PushCommandResult?
        var currentValid = false
        func finish() {
            if let result = current, currentValid { results.append(result) }
            current = nil
        }
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.uppercased().hasPrefix("ID=") {
                finish()
                var pairs: [String: String] = [:]
                for part in line.split(separator: "&") {
                    guard let equals = part.firstIndex(of: "=") else { continue }
                    pairs[String(part[..<equals]).trimmingCharacters(in: .whitespaces).uppercased()] = String(part[part.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
                }
                guard let id = pairs["ID"].flatMap({ Int64($0) }), id > 0 else {
                    malformed.append(PushMalformedLine(line: line, error: .invalidNumber(field: "command id (ID)", value: pairs["ID"] ?? "")))
                    current = nil
                    continue
                }
                var result = PushCommandResult(id: id, returnCode: 0, command: pairs["CMD"] ?? "")
                currentValid = true
                if let code = pairs["RETURN"] {
                    if let value = Int(code) { result.returnCode = value } else {
                        malformed.append(PushMalformedLine(line: line, error: .invalidNumber(field: "result code (Return)", value: code)))
                        currentValid = false
                    }
                }
                current = result
            } else if current != nil {
                let upper = line.uppercased()
                if upper.hasPrefix("RETURN="), let code = Int(line.dropFirst(7).trimmingCharacters(in: .whitespaces)) {
                    current?.returnCode = code
                } else if upper.hasPrefix("CMD="), current?.command.isEmpty == true {
                    current?.command = String(line.dropFirst(4))
                } else {
                    current?.content.append(line)
                }
            } else {
                malformed.append(PushMalformedLine(line: line, error: .malformedCommand(line)))
            }
        }
        finish()
        return (results, malformed)
    }

    /// A `devicecmd` body (the test fake's side): one `ID=..&Return=..&CMD=..` line per result, its content after it.
    public static func encode(_ results: [PushCommandResult]) -> String {
        results.map { result in
            (["ID=\(result.id)&Return=\(result.returnCode)&CMD=\(result.command)"] + result.content).joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }
}
