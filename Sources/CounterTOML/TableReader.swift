// Typed, located reads from a TOML table; keys nobody asked for are reported, never ignored.
import Foundation

/// Reads values out of one TOML table for one part of the configuration. Every key read is remembered, so
/// ``finish()`` can report the keys that mean nothing to us (a typo must not be silently ignored).
public final class TableReader {
    public let table: TOMLTable
    public let path: String
    public let file: String
    public private(set) var errors: [ConfigError] = []
    private var consumed: Set<String> = []
    private var children: [TableReader] = []

    public init(_ table: TOMLTable, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    public func fullKey(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func fail(_ key: String?, at line: Int, _ message: String) {
        errors.append(ConfigError(file: file, line: line, key: key.map(fullKey), message: message))
    }

    private func node(_ key: String) -> TOMLNode? {
        consumed.insert(key)
        return table[key]
    }

    private func mismatch(_ key: String, _ node: TOMLNode, expected: String) {
        fail(key, at: node.position.line, "expected \(expected), found \(node.value.typeName) \(node.value.sample)")
    }

    public func string(_ key: String, default fallback: String? = nil, expected: String = "a string",
                check: ((String) -> String?)? = nil) -> String? {
        guard let node = node(key) else { return fallback }
        guard case .string(let s) = node.value else { mismatch(key, node, expected: expected); return fallback }
        if let check, let problem = check(s) { fail(key, at: node.position.line, problem); return fallback }
        return s
    }

    public func requiredString(_ key: String, expected: String = "a string") -> String? {
        guard table[key] != nil else {
            fail(key, at: table.position.line, "is missing; expected \(expected)")
            consumed.insert(key)
            return nil
        }
        return string(key, expected: expected)
    }

    public func int(_ key: String, default fallback: Int?, range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let node = node(key) else {
            if required { fail(key, at: table.position.line, "is missing; expected an integer from \(range.lowerBound) to \(range.upperBound)") }
            return fallback
        }
        guard case .integer(let n) = node.value, let value = Int(exactly: n), range.contains(value) else {
            mismatch(key, node, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return value
    }

    public func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let node = node(key) else { return fallback }
        guard case .boolean(let b) = node.value else { mismatch(key, node, expected: "true or false"); return fallback }
        return b
    }

    public func date(_ key: String) -> TOMLLocalDate? {
        guard let node = node(key) else {
            fail(key, at: table.position.line, "is missing; expected a date like 2026-02-14")
            return nil
        }
        guard case .localDate(let d) = node.value else {
            mismatch(key, node, expected: "a date like 2026-02-14 (no quotes)")
            return nil
        }
        return d
    }

    public func stringArray(_ key: String, default fallback: [String]) -> [String] {
        guard let node = node(key) else { return fallback }
        guard case .array(let items) = node.value else { mismatch(key, node, expected: "an array of strings"); return fallback }
        var result: [String] = []
        for item in items {
            guard case .string(let s) = item.value else { mismatch(key, item, expected: "a string in the array"); continue }
            result.append(s)
        }
        return result
    }

    public func intArray(_ key: String, default fallback: [Int]?) -> [Int]? {
        guard let node = node(key) else { return fallback }
        guard case .array(let items) = node.value else { mismatch(key, node, expected: "an array of integers"); return fallback }
        var result: [Int] = []
        for item in items {
            guard case .integer(let n) = item.value, let v = Int(exactly: n) else { mismatch(key, item, expected: "an integer in the array"); continue }
            result.append(v)
        }
        return result
    }

    /// A sub-table (`[http]`); an absent one reads as empty, so its defaults apply.
    public func table(_ key: String) -> TableReader {
        let child: TableReader
        if let node = node(key) {
            if case .table(let t) = node.value {
                child = TableReader(t, path: fullKey(key), file: file)
            } else {
                mismatch(key, node, expected: "a table [\(fullKey(key))]")
                child = TableReader(TOMLTable.empty, path: fullKey(key), file: file)
            }
        } else {
            child = TableReader(TOMLTable.empty, path: fullKey(key), file: file)
        }
        children.append(child)
        return child
    }

    /// An array of tables (`[[window]]`).
    public func tables(_ key: String) -> [TableReader] {
        guard let node = node(key) else { return [] }
        guard case .array(let items) = node.value else { mismatch(key, node, expected: "an array of tables [[\(fullKey(key))]]"); return [] }
        var result: [TableReader] = []
        for (i, item) in items.enumerated() {
            guard case .table(let t) = item.value else { mismatch(key, item, expected: "a table"); continue }
            let child = TableReader(t, path: "\(fullKey(key))[\(i + 1)]", file: file)
            children.append(child)
            result.append(child)
        }
        return result
    }

    /// Reports unknown keys here and below, and returns every error found.
    public func finish(knownKeys: [String]? = nil) -> [ConfigError] {
        var all = errors
        for entry in table.entries where !consumed.contains(entry.key) {
            let known = consumedKeysSorted
            var message = "is not a setting CounterGate knows"
            if let guess = known.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
               editDistance(guess, entry.key) <= 2 {
                message += "; did you mean `\(fullKey(guess))`?"
            } else if !known.isEmpty {
                message += "; expected one of: " + known.joined(separator: ", ")
            }
            all.append(ConfigError(file: file, line: entry.node.position.line, key: fullKey(entry.key), message: message))
        }
        for child in children { all += child.finish() }
        return all.sorted { ($0.line, $0.key ?? "") < ($1.line, $1.key ?? "") }
    }

    private var consumedKeysSorted: [String] { consumed.sorted() }
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}

extension TOMLValue {
    /// A short rendering of the value for error messages.
    public var sample: String {
        switch self {
        case .string(let s): return "\"" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
        case .integer(let n): return String(n)
        case .float(let d): return String(d)
        case .boolean(let b): return String(b)
        case .localDate(let d): return "\(d.year)-\(d.month)-\(d.day)"
        case .dateTime(let s): return s
        case .array(let items): return "[\(items.count) items]"
        case .table: return "{…}"
        }
    }
}

extension TOMLTable {
    // Parsing the empty text cannot fail.
    public static let empty: TOMLTable = try! TOMLReader.parse("")
}
