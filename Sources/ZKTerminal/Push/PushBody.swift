// Bodies of the push protocol: bytes in GB18030 (Chinese firmware) or UTF-8, split into lines, each decoded on its own
// so that one undecodable line never spoils its batch.
import DeviceKit
import Foundation

/// The text encodings push terminals use.
public enum PushTextEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    case utf8 = "utf-8"
    /// GB18030, a superset of GBK and GB2312: what Chinese firmware writes.
    case gb18030

    /// The encoding a `charset=` parameter names, if it is one of ours.
    public init?(charset: String) {
        switch charset.trimmingCharacters(in: .whitespaces).lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936", "gb-18030": self = .gb18030
        default: return nil
        }
    }

    /// Encodes text for a terminal (GB18030 carries all of Unicode, so this fails only for text Swift cannot hold).
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: return Array(text.utf8)
        case .gb18030: return GB18030.encode(text) ?? Array(text.utf8)
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        switch self {
        case .utf8: return String(validating: bytes, as: UTF8.self)
        case .gb18030: return GB18030.decode(bytes)
        }
    }
}

/// One line of a body, as sent.
public struct PushBodyLine: Sendable, Hashable {
    /// 1-based, counting the empty lines too (as an editor would show the body).
    public let number: Int
    /// The line's bytes without its line break.
    public let bytes: [UInt8]
    /// The decoded text, or why it cannot be decoded.
    public let text: Result<String, PushDecodeError>
}

public enum PushBody {
    /// The longest line accepted: a fingerprint template line is a few KiB of base64; 64 KiB leaves room for the
    /// largest template the pull codec accepts (16 KiB, 22 KiB as base64) and then some.
    public static let maximumLineBytes = 64 * 1024

    /// The encoding of a body: the `charset=` of its Content-Type when it names one we know; otherwise UTF-8 when the
    /// whole body is valid UTF-8, else GB18030 (Chinese firmware sends GBK/GB18030 without saying so).
    public static func encoding(of body: some Collection<UInt8>, contentType: String?) -> PushTextEncoding {
        if let contentType, let range = contentType.lowercased().range(of: "charset=") {
            let value = contentType[range.upperBound...].split(separator: ";").first.map(String.init) ?? ""
            if let declared = PushTextEncoding(charset: value.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))) { return declared }
        }
        if body.allSatisfy({ $0 < 0x80 }) { return .utf8 }
        return String(validating: Array(body), as: UTF8.self) != nil ? .utf8 : .gb18030
    }

    /// Splits a body into its non-empty lines (LF or CRLF; trailing NUL padding dropped) and decodes each in
    /// `encoding`, falling back to the other encoding for a line that does not decode. A line that decodes in neither,
    /// or is too long, carries its error and its bytes.
    public static func lines(_ body: [UInt8], encoding: PushTextEncoding) -> [PushBodyLine] {
        var lines: [PushBodyLine] = []
        var start = 0
        var number = 0
        let other: PushTextEncoding = encoding == .utf8 ? .gb18030 : .utf8
        func take(_ end: Int) {
            number += 1
            var slice = body[start..<end]
            while let last = slice.last, last == 0x0D || last == 0 { slice = slice.dropLast() }
            while let first = slice.first, first == 0 { slice = slice.dropFirst() }
            guard !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return }
            let text: Result<String, PushDecodeError>
            if slice.count > maximumLineBytes {
                text = .failure(.lineTooLong(bytes: slice.count, limit: maximumLineBytes))
            } else if let decoded = encoding.decode(slice) ?? other.decode(slice) {
                text = .success(decoded)
            } else {
                text = .failure(.notText)
            }
            lines.append(PushBodyLine(number: number, bytes: Array(slice), text: text))
        }
        for (i, byte) in body.enumerated() where byte == 0x0A {
            take(i)
            start = i + 1
        }
        if start < body.count { take(body.count) }
        return lines
    }
}

/// The small parsers the push records share: tab-separated `key=value` fields, times, numbers.
enum PushFields {
    /// `PIN=1\tName=张三` into pairs, in order. Firmware that separates with spaces is read when every token looks like
    /// `Key=value` (names with spaces then cannot be told apart, which is why tabs are the rule).
    static func pairs(_ text: Substring, record: String) -> [(key: String, value: String)] {
        let parts: [Substring]
        if text.contains("\t") {
            parts = text.split(separator: "\t", omittingEmptySubsequences: true)
        } else {
            parts = text.split(separator: " ", omittingEmptySubsequences: true)
        }
        return parts.compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            return (String(part[..<equals]).trimmingCharacters(in: .whitespaces), String(part[part.index(after: equals)...]))
        }
    }

    /// The value of `key` (matched without regard to case), if present.
    static func value(_ key: String, in pairs: [(key: String, value: String)]) -> String? {
        pairs.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
    }

    static func required(_ key: String, in pairs: [(key: String, value: String)], record: String) throws(PushDecodeError) -> String {
        guard let value = value(key, in: pairs) else { throw .missingKey(record: record, key: key) }
        return value
    }

    /// `text` without leading and trailing spaces and tabs (byte-wise: uploads have thousands of fields, and
    /// Foundation's trimming goes through NSString).
    static func trimmed(_ text: Substring) -> Substring {
        var utf8 = text.utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
        return Substring(utf8)
    }

    static func trimmed(_ text: String) -> String { String(trimmed(Substring(text))) }

    /// A whole number in `range`; `field` names it in the error.
    static func integer(_ text: some StringProtocol, field: String, range: ClosedRange<Int>) throws(PushDecodeError) -> Int {
        let digits = trimmed(Substring(text))
        guard !digits.isEmpty, digits.utf8.count <= 12, let value = Int(digits) else { throw .invalidNumber(field: field, value: String(text)) }
        guard range.contains(value) else { throw .outOfRange(field: field, value: value, range: range) }
        return value
    }

    /// `YYYY-MM-DD HH:MM:SS` exactly (one space; `T` tolerated), a time that exists.
    static func time(_ text: some StringProtocol, field: String) throws(PushDecodeError) -> ZKLocalTime {
        let utf8 = trimmed(Substring(text)).utf8
        guard utf8.count == 19 else { throw .invalidTime(field: field, value: String(text)) }
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for (i, byte) in utf8.enumerated() { raw[i] = byte }
        }
        let ok = withUnsafeBytes(of: &bytes) { raw in
            raw[4] == 0x2D && raw[7] == 0x2D && (raw[10] == 0x20 || raw[10] == 0x54) && raw[13] == 0x3A && raw[16] == 0x3A
        }
        guard ok else { throw .invalidTime(field: field, value: String(text)) }
        func number(_ from: Int, _ count: Int) -> Int? {
            withUnsafeBytes(of: &bytes) { raw in
                var n = 0
                for i in from..<(from + count) {
                    let byte = raw[i]
                    guard byte >= 0x30 && byte <= 0x39 else { return nil }
                    n = n * 10 + Int(byte - 0x30)
                }
                return n
            }
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2) else { throw .invalidTime(field: field, value: String(text)) }
        let time = ZKLocalTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard time.isValidDate else { throw .invalidTime(field: field, value: String(text)) }
        return time
    }

    /// `YYYY-MM-DD HH:MM:SS` (digit by digit: a simulated terminal writes thousands of these a second).
    static func format(_ time: ZKLocalTime) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(19)
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = max(0, value)
            while divisor > 0 {
                bytes.append(UInt8(0x30 + (rest / divisor) % 10))
                rest %= divisor * 10
                divisor /= 10
            }
        }
        put(time.year, 4); bytes.append(0x2D); put(time.month, 2); bytes.append(0x2D); put(time.day, 2); bytes.append(0x20)
        put(time.hour, 2); bytes.append(0x3A); put(time.minute, 2); bytes.append(0x3A); put(time.second, 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Refuses a value that would change a record's shape on the terminal: tabs, line breaks and other controls.
    static func checkSendable(_ value: some StringProtocol, field: String) throws(PushDecodeError) {
        let control: Bool
        if value.utf8.allSatisfy({ $0 < 0x80 }) {
            control = value.utf8.contains { $0 < 0x20 || $0 == 0x7F }
        } else {
            control = value.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        if control { throw .forbiddenCharacter(field: field, value: String(value)) }
    }

    /// A user id (PIN): 1-24 characters (the width terminals keep), no controls, no `=` (it would split the field).
    static func pin(_ text: some StringProtocol, field: String = "user id (PIN)") throws(PushDecodeError) -> String {
        let pin = String(trimmed(Substring(text)))
        guard !pin.isEmpty else { throw .emptyField(field) }
        guard pin.utf8.count <= 24 else { throw .invalidValue(field: field, value: pin, expected: "at most 24 bytes") }
        try checkSendable(pin, field: field)
        guard !pin.contains("=") else { throw .invalidValue(field: field, value: pin, expected: "no \"=\"") }
        return pin
    }
}
