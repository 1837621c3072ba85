// Why a piece of the push protocol's text (ADMS / iclock over HTTP) cannot be read or written: one typed error for
// every decoder and encoder of the push codec.
import Foundation

/// A line, value or body of the push protocol that is not what the protocol allows, said so that ops can tell what the
/// terminal sent (the raw text is kept beside it in quarantine).
public enum PushDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bytes that are neither UTF-8 nor GB18030 text.
    case notText
    /// A line longer than the codec accepts.
    case lineTooLong(bytes: Int, limit: Int)
    /// Fewer fields than the record needs.
    case tooFewFields(what: String, found: Int, needed: Int)
    /// A field that must not be empty is.
    case emptyField(String)
    /// A time that is not `YYYY-MM-DD HH:MM:SS`, or a day that does not exist.
    case invalidTime(field: String, value: String)
    /// A field that must be a whole number is not.
    case invalidNumber(field: String, value: String)
    /// A number outside what the field can hold.
    case outOfRange(field: String, value: Int, range: ClosedRange<Int>)
    /// A `key=value` record without a key it needs.
    case missingKey(record: String, key: String)
    /// Template data that is not base64, or decodes to nothing or too much.
    case invalidTemplate(String)
    /// The declared size of a template does not match its data.
    case sizeMismatch(declared: Int, actual: Int)
    /// An OPERLOG line of a kind the protocol does not have.
    case unknownRecord(String)
    /// A value that is not allowed where it is (a serial number with a slash, a stamp with letters).
    case invalidValue(field: String, value: String, expected: String)
    /// A command line or command text the codec cannot read.
    case malformedCommand(String)
    /// A value to be sent that holds a tab, line break or other control character: it would change the record's
    /// meaning on the terminal (a name with a tab would become a second field).
    case forbiddenCharacter(field: String, value: String)
    /// A handshake answer that does not start `GET OPTION FROM:`.
    case notAnOptionsAnswer(String)

    public var description: String {
        switch self {
        case .notText:
            return "the bytes are neither UTF-8 nor GB18030 text"
        case .lineTooLong(let bytes, let limit):
            return "the line is \(bytes) bytes long; at most \(limit) are accepted"
        case .tooFewFields(let what, let found, let needed):
            return "\(what) has \(found) field(s); at least \(needed) are needed"
        case .emptyField(let field):
            return "\(field) is empty"
        case .invalidTime(let field, let value):
            return "\(field) \"\(Self.shown(value))\" is not a time (YYYY-MM-DD HH:MM:SS, a day that exists)"
        case .invalidNumber(let field, let value):
            return "\(field) \"\(Self.shown(value))\" is not a whole number"
        case .outOfRange(let field, let value, let range):
            return "\(field) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
        case .missingKey(let record, let key):
            return "\(record) has no \(key)="
        case .invalidTemplate(let why):
            return "the fingerprint template \(why)"
        case .sizeMismatch(let declared, let actual):
            return "the template's Size=\(declared) does not match its data (\(actual))"
        case .unknownRecord(let start):
            return "\"\(Self.shown(start))\" is no OPERLOG record (OPLOG, USER, FP, BIODATA, USERPIC, FACE)"
        case .invalidValue(let field, let value, let expected):
            return "\(field) \"\(Self.shown(value))\" is not allowed: expected \(expected)"
        case .malformedCommand(let text):
            return "\"\(Self.shown(text))\" is not a command line of the push protocol"
        case .forbiddenCharacter(let field, let value):
            return "\(field) \"\(Self.shown(value))\" holds a tab, line break or control character, which the terminal would misread"
        case .notAnOptionsAnswer(let start):
            return "the answer starts \"\(Self.shown(start))\", not \"GET OPTION FROM:\""
        }
    }

    /// A value as it can be shown in a message: control characters made visible, long values cut.
    static func shown(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars.prefix(80) {
            switch scalar {
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            default:
                if scalar.properties.generalCategory == .control {
                    out += String(format: "\\u{%X}", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return value.unicodeScalars.count > 80 ? out + "…" : out
    }
}
