// Commands the server gives a push terminal in answer to its poll (`GET /iclock/getrequest`): lines
// `C:<id>:<command>`, and the command texts themselves.
import Foundation

/// What the gateway can ask a push terminal to do.
public enum PushCommand: Sendable, Hashable {
    /// Add or change a user (`DATA UPDATE USERINFO …`).
    case updateUser(PushUserRecord)
    /// Delete a user with their fingerprints (`DATA DELETE USERINFO PIN=…`).
    case deleteUser(pin: String)
    /// Store a fingerprint template (`DATA UPDATE FINGERTMP …`); the user must exist on the terminal.
    case updateTemplate(PushTemplateRecord)
    /// Delete one finger of a user, or all of them (`DATA DELETE FINGERTMP PIN=…[\tFID=…]`).
    case deleteTemplate(pin: String, finger: Int?)
    /// Upload the punches in `[from, to]` again (`DATA QUERY ATTLOG StartTime=…\tEndTime=…`): fills a gap after an
    /// outage; the terminal posts them as ATTLOG uploads.
    case queryAttendance(from: ZKLocalTime, to: ZKLocalTime)
    /// Upload users (one, or all) as OPERLOG `USER` lines (`DATA QUERY USERINFO [PIN=…]`).
    case queryUsers(pin: String?)
    /// Look for new data and upload it now (`CHECK`).
    case check
    /// Report the terminal's facts (`INFO`): firmware, counts, IP, in the result.
    case info
    /// Restart the terminal (`REBOOT`).
    case reboot
    /// Change one of the terminal's options (`SET OPTION Key=Value`).
    case setOption(key: String, value: String)

    /// The command text.
    /// - Throws: ``PushDecodeError/forbiddenCharacter(field:value:)`` for a value with a tab, line break or other control
    ///   character, and ``PushDecodeError/invalidValue(field:value:expected:)`` for an option key that is not a name.
    public func text() throws(PushDecodeError) -> String {
        switch self {
        case .updateUser(let user): return "DATA UPDATE USERINFO " + (try user.fields())
        case .deleteUser(let pin): return "DATA DELETE USERINFO PIN=" + (try PushFields.pin(pin))
        case .updateTemplate(let template): return "DATA UPDATE FINGERTMP " + (try template.fields())
        case .deleteTemplate(let pin, let finger):
            let pin = try PushFields.pin(pin)
            guard let finger else { return "DATA DELETE FINGERTMP PIN=\(pin)" }
            guard (0...9).contains(finger) else { throw .outOfRange(field: "finger (FID)", value: finger, range: 0...9) }
            return "DATA DELETE FINGERTMP PIN=\(pin)\tFID=\(finger)"
        case .queryAttendance(let from, let to):
            return "DATA QUERY ATTLOG StartTime=\(from)\tEndTime=\(to)"
        case .queryUsers(let pin):
            return try pin.map { p throws(PushDecodeError) in "DATA QUERY USERINFO PIN=" + (try PushFields.pin(p)) } ?? "DATA QUERY USERINFO"
        case .check: return "CHECK"
        case .info: return "INFO"
        case .reboot: return "REBOOT"
        case .setOption(let key, let value):
            guard !key.isEmpty, key.utf8.count <= 64, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "~") }) else {
                throw .invalidValue(field: "option name", value: key, expected: "letters, digits and _ (an option of the terminal, e.g. Delay)")
            }
            try PushFields.checkSendable(value, field: "option \(key)")
            return "SET OPTION \(key)=\(value)"
        }
    }

    /// What a terminal echoes in `CMD=` of its result: the command's first word (`DATA`, `CHECK`, `INFO`, `REBOOT`),
    /// `SET OPTION` for option changes.
    public var echo: String {
        switch self {
        case .updateUser, .deleteUser, .updateTemplate, .deleteTemplate, .queryAttendance, .queryUsers: return "DATA"
        case .check: return "CHECK"
        case .info: return "INFO"
        case .reboot: return "REBOOT"
        case .setOption: return "SET OPTION"
        }
    }

    /// Reads a command text (what a terminal does on receiving it; the test fake's side).
    /// - Throws: ``PushDecodeError/malformedCommand(_:)`` for a command the protocol does not have, or the record's
    ///   own error.
    public init(text: String) throws(PushDecodeError) {
        let words = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        let upper = words.map { $0.uppercased() }
        func rest(after count: Int) -> Substring {
            var remainder = Substring(text)
            for _ in 0..<count {
                remainder = remainder.drop { $0 == " " }
                remainder = remainder.drop { $0 != " " }
            }
            return remainder.drop { $0 == " " }
        }
        switch upper.first {
        case "CHECK" where upper.count == 1: self = .check
        case "INFO" where upper.count == 1: self = .info
        case "REBOOT" where upper.count == 1: self = .reboot
        case "SET" where upper.count >= 3 && upper[1] == "OPTION":
            let assignment = rest(after: 2)
            guard let equals = assignment.firstIndex(of: "=") else { throw .malformedCommand(text) }
            self = .setOption(key: String(assignment[..<equals]), value: String(assignment[assignment.index(after: equals)...]))
        case "DATA" where upper.count >= 3:
            let fields = upper.count >= 4 ? rest(after: 3) : Substring("")
            let pairs = PushFields.pairs(fields, record: upper[2])
            switch (upper[1], upper[2]) {
            case ("UPDATE", "USERINFO"): self = .updateUser(try PushUserRecord(fields: fields))
            case ("DELETE", "USERINFO"): self = .deleteUser(pin: try PushFields.pin(try PushFields.required("PIN", in: pairs, record: text)))
            case ("UPDATE", "FINGERTMP"): self = .updateTemplate(try PushTemplateRecord(fields: fields))
            case ("DELETE", "FINGERTMP"):
                let pin = try PushFields.pin(try PushFields.required("PIN", in: pairs, record: text))
                var finger: Int?
                if let fid = PushFields.value("FID", in: pairs) { finger = try PushFields.integer(fid, field: "finger (FID)", range: 0...9) }
                self = .deleteTemplate(pin: pin, finger: finger)
            case ("QUERY", "ATTLOG"):
                let from = try PushFields.time(try PushFields.required("StartTime", in: Self.timePairs(fields), record: text), field: "StartTime")
                let to = try PushFields.time(try PushFields.required("EndTime", in: Self.timePairs(fields), record: text), field: "EndTime")
                self = .queryAttendance(from: from, to: to)
            case ("QUERY", "USERINFO"):
                self = .queryUsers(pin: try PushFields.value("PIN", in: pairs).map { p throws(PushDecodeError) in try PushFields.pin(p) })
            default: throw .malformedCommand(text)
            }
        default:
            throw .malformedCommand(text)
        }
    }

    /// `StartTime=2026-03-01 08:00:00\tEndTime=…`: the times hold a space, so only tabs separate here.
    private static func timePairs(_ text: Substring) -> [(key: String, value: String)] {
        text.split(separator: "\t").compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let value: Substring = part[equals...].dropFirst()
            return (String(part[..<equals]).trimmingCharacters(in: .whitespaces), String(value))
        }
    }
}

/// One line of a poll's answer: `C:<id>:<command text>`.
public struct PushCommandLine: Sendable, Hashable {
    /// The gateway's id of the command; the terminal returns it with the result.
    public let id: Int64
    public let text: String

    public init(id: Int64, text: String) {
        self.id = id
        self.text = text
    }

    public var line: String { "C:\(id):\(text)" }

    /// The answer to a poll: `OK` when there is nothing to do, else one line per command (LF-separated, as firmware
    /// reads them; a trailing line break ends the last).
    public static func answer(_ commands: [PushCommandLine]) -> String {
        commands.isEmpty ? "OK" : commands.map(\.line).joined(separator: "\n") + "\n"
    }

    /// Reads a poll's answer (the test fake's side): `OK` is no command.
    /// - Throws: ``PushDecodeError/malformedCommand(_:)`` for a line that is not `C:<id>:<text>` with a positive id.
    public static func decode(answer: String) throws(PushDecodeError) -> [PushCommandLine] {
        var commands: [PushCommandLine] = []
        for raw in answer.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.isEmpty || line == "OK" { continue }
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "C", let id = Int64(parts[1]), id > 0, !parts[2].isEmpty else { throw .malformedCommand(line) }
            commands.append(PushCommandLine(id: id, text: String(parts[2])))
        }
        return commands
    }
}
