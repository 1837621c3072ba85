// The Internet Printing Protocol's binary messages (RFC 8010), as much as printing a job through CUPS needs:
// Print-Job, Get-Printer-Attributes, Get-Job-Attributes and Cancel-Job requests, and their responses. Pure: no I/O.

/// One IPP request or response: version 2.0, an operation (request) or status (response) code, a request id, and
/// attributes in groups. Encoding and decoding are exact inverses for the value types used here.
public struct IPPMessage: Sendable, Hashable {
    /// Delimiter tags that open an attribute group.
    public enum Group: UInt8, Sendable, Hashable {
        case operation = 0x01
        case job = 0x02
        case printer = 0x04
        case unsupported = 0x05
    }

    /// Value tags this codec reads and writes; other tags are kept as raw bytes.
    public enum ValueTag: UInt8, Sendable, Hashable {
        case integer = 0x21
        case boolean = 0x22
        case enumeration = 0x23
        case octetString = 0x30
        case textWithoutLanguage = 0x41
        case nameWithoutLanguage = 0x42
        case keyword = 0x44
        case uri = 0x45
        case charset = 0x47
        case naturalLanguage = 0x48
        case mimeMediaType = 0x49
    }

    /// One value of an attribute, with its tag.
    public struct Value: Sendable, Hashable {
        public let tag: UInt8
        public let bytes: [UInt8]

        public init(tag: UInt8, bytes: [UInt8]) {
            self.tag = tag
            self.bytes = bytes
        }

        public static func string(_ tag: ValueTag, _ text: String) -> Value { Value(tag: tag.rawValue, bytes: Array(text.utf8)) }
        public static func integer(_ value: Int32, tag: ValueTag = .integer) -> Value {
            let v = UInt32(bitPattern: value)
            return Value(tag: tag.rawValue, bytes: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)])
        }

        /// The value as a signed 32-bit integer (integer and enum tags), or nil.
        public var integer: Int32? {
            guard bytes.count == 4 else { return nil }
            return Int32(bitPattern: UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
        }

        /// The value as a boolean, or nil.
        public var boolean: Bool? { bytes.count == 1 ? bytes[0] != 0 : nil }

        /// The value as text (keywords, names, URIs, text).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// A named attribute with one or more values, in a group.
    public struct Attribute: Sendable, Hashable {
        public let group: Group
        public let name: String
        public let values: [Value]

        public init(_ group: Group, _ name: String, _ values: [Value]) {
            self.group = group
            self.name = name
            self.values = values
        }
    }

    /// Operation ids (requests).
    public enum Operation: UInt16, Sendable {
        case printJob = 0x0002
        case cancelJob = 0x0008
        case getJobAttributes = 0x0009
        case getPrinterAttributes = 0x000B
    }

    /// The operation id of a request, or the status code of a response (0x0000 successful-ok).
    public let code: UInt16
    public let requestID: UInt32
    public let attributes: [Attribute]

    public init(code: UInt16, requestID: UInt32, attributes: [Attribute]) {
        self.code = code
        self.requestID = requestID
        self.attributes = attributes
    }

    /// A request with the operation attributes every request starts with (charset utf-8, language zh-cn), then
    /// `operation` attributes.
    public static func request(_ operation: Operation, id: UInt32, _ attributes: [(String, Value)]) -> IPPMessage {
        var all: [Attribute] = [
            Attribute(.operation, "attributes-charset", [.string(.charset, "utf-8")]),
            Attribute(.operation, "attributes-natural-language", [.string(.naturalLanguage, "zh-cn")]),
        ]
        all += attributes.map { Attribute(.operation, $0.0, [$0.1]) }
        return IPPMessage(code: operation.rawValue, requestID: id, attributes: all)
    }

    /// The first attribute named `name` (in any group).
    public subscript(name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// Whether a response's status is successful (0x0000-0x00FF).
    public var isSuccess: Bool { code <= 0x00FF }

    /// The message's bytes, ready for an HTTP body (a Print-Job's document follows them).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [2, 0, UInt8(code >> 8), UInt8(code & 0xFF),
                            UInt8(requestID >> 24), UInt8(requestID >> 16 & 0xFF), UInt8(requestID >> 8 & 0xFF), UInt8(requestID & 0xFF)]
        var group: Group?
        for attribute in attributes {
            if attribute.group != group {
                out.append(attribute.group.rawValue)
                group = attribute.group
            }
            for (i, value) in attribute.values.enumerated() {
                let name = i == 0 ? Array(attribute.name.utf8) : []
                out.append(value.tag)
                out += [UInt8(name.count >> 8 & 0xFF), UInt8(name.count & 0xFF)] + name
                out += [UInt8(value.bytes.count >> 8 & 0xFF), UInt8(value.bytes.count & 0xFF)] + value.bytes
            }
        }
        out.append(0x03)  // end-of-attributes-tag
        return out
    }

    /// Decodes a message; nil when the bytes are not a whole IPP message (a truncated or garbled reply).
    public init?(decoding bytes: [UInt8]) {
        guard bytes.count >= 9 else { return nil }
        code = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        requestID = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        var at = 8
        var group: Group?
        var list: [Attribute] = []
        var name = ""
        var values: [Value] = []
        func flush() {
            if let group, !name.isEmpty { list.append(Attribute(group, name, values)) }
            name = ""
            values = []
        }
        while at < bytes.count {
            let tag = bytes[at]
            if tag == 0x03 { flush(); attributes = list; return }
            if tag <= 0x0F {
                flush()
                group = Group(rawValue: tag) ?? .unsupported
                at += 1
                continue
            }
            guard at + 3 <= bytes.count else { return nil }
            let nameLength = Int(bytes[at + 1]) << 8 | Int(bytes[at + 2])
            guard at + 3 + nameLength + 2 <= bytes.count else { return nil }
            let nameBytes = bytes[(at + 3)..<(at + 3 + nameLength)]
            let valueAt = at + 3 + nameLength
            let valueLength = Int(bytes[valueAt]) << 8 | Int(bytes[valueAt + 1])
            guard valueAt + 2 + valueLength <= bytes.count else { return nil }
            let value = Value(tag: tag, bytes: Array(bytes[(valueAt + 2)..<(valueAt + 2 + valueLength)]))
            if nameLength > 0 {
                flush()
                name = String(decoding: nameBytes, as: UTF8.self)
            }
            values.append(value)
            at = valueAt + 2 + valueLength
        }
        return nil  // no end-of-attributes tag
    }
}

/// IPP's job states (`job-state`), as CUPS reports them.
public enum IPPJobState: Int32, Sendable, Hashable {
    case pending = 3, pendingHeld = 4, processing = 5, processingStopped = 6, canceled = 7, aborted = 8, completed = 9

    /// Whether the job is over, one way or another.
    public var isFinal: Bool { rawValue >= 7 }

    /// The state as IPP names it.
    public var keyword: String {
        switch self {
        case .pending: return "pending"
        case .pendingHeld: return "pending-held"
        case .processing: return "processing"
        case .processingStopped: return "processing-stopped"
        case .canceled: return "canceled"
        case .aborted: return "aborted"
        case .completed: return "completed"
        }
    }
}
