// TOML value model: values, tables and syntax errors, each carrying the source position it came from.

/// A 1-based place in the source text. Columns count Unicode scalars, so a Chinese character is one column.
public struct TOMLPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// A TOML local date such as `2026-02-14` (already checked to be a real calendar day).
public struct TOMLLocalDate: Sendable, Equatable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}

public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case localDate(TOMLLocalDate)
    /// Offset date-times, local date-times and local times, kept as their source text.
    case dateTime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The TOML name of this kind of value, for error messages ("expected integer, found string").
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .localDate: "date"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A value together with where it was written.
public struct TOMLNode: Sendable, Equatable {
    public let value: TOMLValue
    /// Where the value starts; for table entries where its key starts; for `[table]` headers the header.
    public let position: TOMLPosition

    public init(value: TOMLValue, position: TOMLPosition) {
        self.value = value
        self.position = position
    }
}

/// A table whose entries keep their source order.
public struct TOMLTable: Sendable, Equatable {
    /// One key and its node. A named struct (rather than a tuple) so the storage is Equatable.
    struct Entry: Sendable, Equatable {
        let key: String
        let node: TOMLNode
    }

    /// The `[x]` / `[[x]]` header, 1:1 for the root, or the `{` of an inline table.
    public let position: TOMLPosition
    private let storage: [Entry]
    /// Key → index into `storage`; derived from `storage`, so not part of equality.
    private let index: [String: Int]

    init(position: TOMLPosition, entries: [Entry]) {
        self.position = position
        self.storage = entries
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() where index[entry.key] == nil {
            index[entry.key] = offset
        }
        self.index = index
    }

    /// Keys in source order.
    public var keys: [String] { storage.map(\.key) }

    /// Direct child, or nil.
    public subscript(key: String) -> TOMLNode? {
        guard let offset = index[key] else { return nil }
        return storage[offset].node
    }

    /// Entries in source order.
    public var entries: [(key: String, node: TOMLNode)] { storage.map { ($0.key, $0.node) } }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.position == rhs.position && lhs.storage == rhs.storage
    }
}

/// A syntax or structure error, positioned where the person should look.
public struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let position: TOMLPosition
    public let message: String

    public init(position: TOMLPosition, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}
