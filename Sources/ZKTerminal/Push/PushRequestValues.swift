// The values a push terminal puts in its request URLs (SN, table, Stamp, INFO) and the facts it reports
// (`table=options` bodies, INFO results), checked before anything else looks at them.
import CounterCore
import Foundation

/// The tables a terminal posts to `/iclock/cdata?table=…`.
public enum PushTable: Sendable, Hashable {
    case attendance
    case operations
    /// Push 2.4+ firmware posts templates as `table=BIODATA`.
    case biodata
    /// The terminal's facts (`table=options`).
    case options
    case attendancePhotos
    /// Any other table name (a name of letters and digits; what it is, the gateway does not keep).
    case other(String)

    /// The name under which stamps are kept (`ATTLOG`, `OPERLOG`, …).
    public var name: String {
        switch self {
        case .attendance: return "ATTLOG"
        case .operations: return "OPERLOG"
        case .biodata: return "BIODATA"
        case .options: return "OPTIONS"
        case .attendancePhotos: return "ATTPHOTO"
        case .other(let name): return name
        }
    }
}

public enum PushRequestValues {
    /// A terminal serial number as it may appear in `SN=` and in the configuration (`push:SERIAL`): 1 to 32 ASCII
    /// letters, digits, `-` and `_` (ZKTeco serials are 13-15 letters and digits, e.g. `A8N5211960213`).
    /// - Throws: ``PushDecodeError`` for a missing, empty, too long or otherwise unusable serial.
    public static func serialNumber(_ value: String?) throws(PushDecodeError) -> String {
        guard let value, !value.isEmpty else { throw .emptyField("serial number (SN)") }
        guard DeviceLink.isValidTerminalSerial(value) else {
            throw .invalidValue(field: "serial number (SN)", value: value, expected: "1-32 letters, digits, - or _")
        }
        return value
    }

    /// A stamp from `Stamp=`/`OpStamp=`: digits (at most 20); nil when absent, empty or `None`.
    /// - Throws: ``PushDecodeError/invalidValue(field:value:expected:)`` for anything else (the value is echoed in the
    ///   next handshake, so nothing but digits may be stored).
    public static func stamp(_ value: String?) throws(PushDecodeError) -> String? {
        guard let value, !value.isEmpty, value != "None" else { return nil }
        guard value.utf8.count <= 20, value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidValue(field: "stamp", value: value, expected: "digits (at most 20)")
        }
        return value
    }

    /// The table of an upload.
    /// - Throws: ``PushDecodeError`` for a missing name, or one that is not 1-32 ASCII letters, digits and `_`.
    public static func table(_ value: String?) throws(PushDecodeError) -> PushTable {
        guard let value, !value.isEmpty else { throw .emptyField("table") }
        guard value.utf8.count <= 32, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw .invalidValue(field: "table", value: value, expected: "a table name such as ATTLOG or OPERLOG")
        }
        switch value.uppercased() {
        case "ATTLOG", "RTLOG": return .attendance
        case "OPERLOG", "USERINFO", "FINGERTMP": return .operations
        case "BIODATA": return .biodata
        case "OPTIONS": return .options
        case "ATTPHOTO": return .attendancePhotos
        default: return .other(value.uppercased())
        }
    }

    /// Whether stamp `a` is later than `b` (numerically; stamps are counters or packed times).
    public static func stamp(_ a: String, isAfter b: String) -> Bool {
        let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
        return x.count != y.count ? x.count > y.count : x > y
    }
}

/// Facts a terminal reports about itself: `table=options` bodies (`~DeviceName=…,FWVersion=…`, comma or line
/// separated), INFO results, and the positional `INFO=` parameter of older firmware's polls.
public enum PushDeviceFacts {
    /// The positional fields of `getrequest?INFO=Ver 6.60,12,20,4000,192.168.1.201,10,…`.
    public static let infoFields = ["FWVersion", "UserCount", "FPCount", "TransactionCount", "IPAddress", "FPVersion",
                                    "FaceVersion", "FaceEnrollCount", "FaceCount", "DevSupport"]

    /// `key=value` facts from a body; keys keep their case, lose a leading `~`; values are trimmed and cut to 200
    /// characters. At most 100 facts are read.
    public static func parse(_ text: String) -> [String: String] {
        var facts: [String: String] = [:]
        for chunk in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            guard facts.count < 100, let equals = chunk.firstIndex(of: "=") else { continue }
            let key = chunk[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: "~ "))
            guard !key.isEmpty, key.utf8.count <= 64, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { continue }
            facts[key] = String(chunk[chunk.index(after: equals)...].trimmingCharacters(in: .whitespaces).prefix(200))
        }
        return facts
    }

    /// The positional `INFO=` parameter as named facts.
    public static func parse(infoParameter: String) -> [String: String] {
        var facts: [String: String] = [:]
        for (name, value) in zip(infoFields, infoParameter.split(separator: ",", omittingEmptySubsequences: false)) {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { facts[name] = String(trimmed.prefix(200)) }
        }
        return facts
    }
}
