// TOML 1.0 reader: turns config text into a TOMLTable, keeping the line and column of every key and value.

public enum TOMLReader {
    /// Parses a whole TOML document. Never traps: every malformed input ends in a `TOMLSyntaxError`.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var parser = Parser(text)
        return try parser.parseDocument()
    }
}

// MARK: - Tree under construction

/// Mutable table used while parsing. TOML's "define once" rules depend on how a table came to exist,
/// which the final immutable `TOMLTable` does not need to remember.
private final class TableBuilder {
    enum Kind {
        /// Created only as the parent in a header, like `a` in `[a.b]`; `[a]` may still define it once.
        case implicit
        /// Defined by a `[x]` header, an element of `[[x]]`, the root, or an inline table.
        case header
        /// Created by a dotted key like `x.y = 1`; headers and later sections may not redefine it.
        case dotted
    }

    var kind: Kind
    var position: TOMLPosition
    private(set) var keys: [String] = []
    private(set) var children: [String: Child] = [:]

    init(kind: Kind, position: TOMLPosition) {
        self.kind = kind
        self.position = position
    }

    func add(_ key: String, _ child: Child) {
        if children[key] == nil { keys.append(key) }
        children[key] = child
    }

    func build() -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(keys.count)
        for key in keys {
            guard let child = children[key] else { continue }
            let node: TOMLNode
            switch child {
            case .value(let value):
                node = value
            case .table(let table):
                node = TOMLNode(value: .table(table.build()), position: table.position)
            case .arrayOfTables(let position, let elements):
                let items = elements.map { TOMLNode(value: .table($0.build()), position: $0.position) }
                node = TOMLNode(value: .array(items), position: position)
            }
            entries.append(TOMLTable.Entry(key: key, node: node))
        }
        return TOMLTable(position: position, entries: entries)
    }
}

private enum Child {
    /// Any finished value, including static arrays and inline tables (both immutable once written).
    case value(TOMLNode)
    /// A table that later lines may still add to (subject to its `Kind`).
    case table(TableBuilder)
    /// Built by `[[x]]` headers; `elements` is never empty.
    case arrayOfTables(position: TOMLPosition, elements: [TableBuilder])

    var position: TOMLPosition {
        switch self {
        case .value(let node): node.position
        case .table(let table): table.position
        case .arrayOfTables(let position, _): position
        }
    }
}

/// One part of a (possibly dotted) key and the scalar index where it starts.
private struct KeyPart {
    let name: String
    let index: Int
}

// MARK: - Parser

private struct Parser {
    /// Bounds nesting (header parts + dotted parts + arrays/inline tables) so hostile input
    /// cannot exhaust the stack while parsing, building or freeing the tree.
    static let maxDepth = 100

    private let s: [Unicode.Scalar]
    private var i = 0
    /// Scalar index at which each line starts; positions are computed from it on demand.
    private let lineStarts: [Int]

    init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // UTF-8 byte-order mark
        s = scalars
        var starts = [0]
        for (index, c) in scalars.enumerated() where c == "\n" { starts.append(index + 1) }
        lineStarts = starts
    }

    // MARK: Document and sections

    mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLTable {
        let root = TableBuilder(kind: .header, position: TOMLPosition(line: 1, column: 1))
        var section = root
        var sectionDepth = 0
        while true {
            skipWhitespace()
            guard let c = peek() else { break }
            if c == "#" || c == "\n" || c == "\r" {
                try expectEndOfLine(after: "")
                continue
            }
            let what: String
            if c == "[" {
                let header = peek(1) == "[" ? try parseArrayTableHeader(root) : try parseTableHeader(root)
                section = header.table
                sectionDepth = header.depth
                what = header.text
            } else {
                let key = try parseKeyValue(into: section, depth: sectionDepth)
                what = "the value of key `\(key)`"
            }
            try expectEndOfLine(after: what)
        }
        return root.build()
    }

    /// `[a.b.c]`: defines table c (creating a and b implicitly when missing) and makes it the current section.
    private mutating func parseTableHeader(_ root: TableBuilder) throws(TOMLSyntaxError) -> (table: TableBuilder, depth: Int, text: String) {
        let open = i
        i += 1
        skipWhitespace()
        let key = try parseKey()
        skipWhitespace()
        let text = "[\(display(key))]"
        guard peek() == "]" else {
            throw fail("expected `]` to close table header \(text), found \(found(at: i))", at: i)
        }
        i += 1
        let at = position(open)
        let parent = try descend(root, through: key.dropLast(), header: text, at: at)
        guard let last = key.last else { throw fail("expected a key in table header", at: open) }
        switch parent.children[last.name] {
        case nil:
            let table = TableBuilder(kind: .header, position: at)
            parent.add(last.name, .table(table))
            return (table, key.count, text)
        case .table(let table):
            switch table.kind {
            case .implicit:
                // Created as a parent by an earlier header; this is its one allowed definition.
                table.kind = .header
                table.position = at
                return (table, key.count, text)
            case .header:
                throw fail("table \(text) defined twice (first at line \(table.position.line))", at: open)
            case .dotted:
                throw fail("table \(text) already defined by dotted keys at line \(table.position.line)", at: open)
            }
        case .arrayOfTables(let first, _):
            throw fail("table \(text) conflicts with array of tables [[\(display(key))]] at line \(first.line)", at: open)
        case .value(let node):
            throw fail("table \(text) conflicts with \(describeExisting(node, named: last.name))", at: open)
        }
    }

    /// `[[a.b]]`: appends a new table to array b and makes it the current section.
    private mutating func parseArrayTableHeader(_ root: TableBuilder) throws(TOMLSyntaxError) -> (table: TableBuilder, depth: Int, text: String) {
        let open = i
        i += 2
        skipWhitespace()
        let key = try parseKey()
        skipWhitespace()
        let text = "[[\(display(key))]]"
        guard peek() == "]", peek(1) == "]" else {
            throw fail("expected `]]` to close array-of-tables header \(text), found \(found(at: i))", at: i)
        }
        i += 2
        let at = position(open)
        let parent = try descend(root, through: key.dropLast(), header: text, at: at)
        guard let last = key.last else { throw fail("expected a key in array-of-tables header", at: open) }
        let element = TableBuilder(kind: .header, position: at)
        switch parent.children[last.name] {
        case nil:
            parent.add(last.name, .arrayOfTables(position: at, elements: [element]))
        case .arrayOfTables(let first, let elements):
            parent.add(last.name, .arrayOfTables(position: first, elements: elements + [element]))
        case .table(let table):
            throw fail("array of tables \(text) conflicts with table `\(display(key))` defined at line \(table.position.line)", at: open)
        case .value(let node):
            if case .array = node.value {
                throw fail("cannot append to static array `\(display(key))` (defined at line \(node.position.line)) with \(text)", at: open)
            }
            throw fail("array of tables \(text) conflicts with \(describeExisting(node, named: last.name))", at: open)
        }
        return (element, key.count, text)
    }

    /// Walks the parent parts of a header key, creating implicit tables; arrays of tables lead to their last element.
    private func descend(_ root: TableBuilder, through parts: ArraySlice<KeyPart>, header: String, at: TOMLPosition) throws(TOMLSyntaxError) -> TableBuilder {
        var table = root
        for part in parts {
            switch table.children[part.name] {
            case nil:
                let created = TableBuilder(kind: .implicit, position: at)
                table.add(part.name, .table(created))
                table = created
            case .table(let child):
                table = child
            case .arrayOfTables(_, let elements):
                guard let lastElement = elements.last else { return table }
                table = lastElement
            case .value(let node):
                throw fail("header \(header) cannot add to \(describeExisting(node, named: part.name))", at: part.index)
            }
        }
        return table
    }

    // MARK: Key/value pairs

    /// `key = value` (key may be dotted), stored in `table`. Returns the key as written, for messages.
    private mutating func parseKeyValue(into table: TableBuilder, depth: Int) throws(TOMLSyntaxError) -> String {
        let key = try parseKey()
        let name = display(key)
        let afterKey = i
        skipWhitespace()
        guard peek() == "=" else {
            // A stray character glued to a bare key (`na$me`) is most likely part of the intended name.
            if i == afterKey, let c = peek(), !isControl(c), !" \t\r\n=[]{},.#".unicodeScalars.contains(c),
               let last = key.last, last.index < s.count, isBareKeyChar(s[last.index]) {
                throw fail("invalid character \(found(at: i)) in key: bare keys may only use A-Z a-z 0-9 _ -; put other keys in quotes, like \"\(unquotedKeyWord(from: last.index))\"", at: i)
            }
            throw fail("expected `=` after key `\(name)`, found \(found(at: i))", at: i)
        }
        i += 1
        skipWhitespace()
        let value = try parseValue(context: "after `=` for key `\(name)`", depth: depth + key.count)
        try insert(key, value.value, into: table)
        return name
    }

    /// Stores a value under a possibly dotted key, creating (or re-entering) the dotted tables in between.
    private func insert(_ key: [KeyPart], _ value: TOMLValue, into start: TableBuilder) throws(TOMLSyntaxError) {
        guard let first = key.first, let last = key.last else { return }
        var table = start
        for (n, part) in key.dropLast().enumerated() {
            let prefix = display(Array(key[...n]))
            switch table.children[part.name] {
            case nil:
                let created = TableBuilder(kind: .dotted, position: position(part.index))
                table.add(part.name, .table(created))
                table = created
            case .table(let child):
                switch child.kind {
                case .dotted:
                    table = child
                case .implicit:
                    // Dotted keys define the table; a later `[header]` for it is then a redefinition.
                    child.kind = .dotted
                    table = child
                case .header:
                    throw fail("dotted key `\(display(key))` cannot add to table `\(prefix)`, which is defined by a header at line \(child.position.line); put the key under that header", at: first.index)
                }
            case .arrayOfTables(let at, _):
                throw fail("dotted key `\(display(key))` cannot add to `\(prefix)`, which is an array of tables (line \(at.line))", at: first.index)
            case .value(let node):
                throw fail("dotted key `\(display(key))` cannot add to \(describeExisting(node, named: prefix))", at: first.index)
            }
        }
        if let existing = table.children[last.name] {
            throw fail("duplicate key `\(display(key))` (first defined at line \(existing.position.line))", at: first.index)
        }
        table.add(last.name, .value(TOMLNode(value: value, position: position(last.index))))
    }

    /// "key `x` (a string, line 3)" or "inline table `x` (line 3), which cannot be extended".
    private func describeExisting(_ node: TOMLNode, named name: String) -> String {
        switch node.value {
        case .table: "inline table `\(name)` (line \(node.position.line)), which cannot be extended"
        case .array: "array `\(name)` (line \(node.position.line)), which is a value, not a table"
        default: "key `\(name)`, which is already a \(node.value.typeName) (line \(node.position.line))"
        }
    }

    /// A bare, quoted or dotted key: `a`, `"a b"`, `'c'`, `a . "b" . c`.
    private mutating func parseKey() throws(TOMLSyntaxError) -> [KeyPart] {
        var parts = [try parseSimpleKey()]
        while true {
            let save = i
            skipWhitespace()
            guard peek() == "." else {
                i = save
                return parts
            }
            i += 1
            skipWhitespace()
            parts.append(try parseSimpleKey())
            if parts.count > Self.maxDepth {
                throw fail("key has more than \(Self.maxDepth) dotted parts", at: parts[0].index)
            }
        }
    }

    private mutating func parseSimpleKey() throws(TOMLSyntaxError) -> KeyPart {
        let start = i
        switch peek() {
        case "\"":
            if peek(1) == "\"", peek(2) == "\"" {
                throw fail("a multi-line string cannot be used as a key", at: start)
            }
            return KeyPart(name: try parseBasicString(), index: start)
        case "'":
            if peek(1) == "'", peek(2) == "'" {
                throw fail("a multi-line string cannot be used as a key", at: start)
            }
            return KeyPart(name: try parseLiteralString(), index: start)
        default:
            var name = String.UnicodeScalarView()
            while let c = peek(), isBareKeyChar(c) {
                name.append(c)
                i += 1
            }
            guard name.isEmpty else { return KeyPart(name: String(name), index: start) }
            if let c = peek(), !isControl(c), !" \t\r\n=[]{},.#".unicodeScalars.contains(c) {
                // Not TOML punctuation, so most likely part of a name, e.g. a Chinese key written without quotes.
                throw fail("invalid character \(found(at: i)) in key: bare keys may only use A-Z a-z 0-9 _ -; put other keys in quotes, like \"\(unquotedKeyWord(from: start))\"", at: i)
            }
            throw fail("expected a key, found \(found(at: i))", at: i)
        }
    }

    // MARK: Values

    private mutating func parseValue(context: String, depth: Int) throws(TOMLSyntaxError) -> TOMLNode {
        let start = i
        guard let c = peek() else {
            throw fail("expected a value \(context), found end of file", at: i)
        }
        let value: TOMLValue
        switch c {
        case "\"":
            value = .string(peek(1) == "\"" && peek(2) == "\"" ? try parseMultilineBasicString() : try parseBasicString())
        case "'":
            value = .string(peek(1) == "'" && peek(2) == "'" ? try parseMultilineLiteralString() : try parseLiteralString())
        case "[", "{":
            if depth >= Self.maxDepth {
                throw fail("values nested too deeply (more than \(Self.maxDepth) levels)", at: start)
            }
            value = c == "[" ? try parseArray(depth: depth + 1) : try parseInlineTable(depth: depth + 1)
        case "0"..."9", "+", "-":
            if isDigit(peek(1)), isDigit(peek(2)), isDigit(peek(3)), peek(4) == "-", isDigit(c) {
                value = try parseDateOrDateTime()
            } else if isDigit(c), isDigit(peek(1)), peek(2) == ":" {
                value = try parseLocalTime()
            } else {
                value = try parseNumber()
            }
        case "a"..."z", "A"..."Z", "_":
            let word = token(from: start)
            switch word {
            case "true": value = .boolean(true)
            case "false": value = .boolean(false)
            case "inf": value = .float(.infinity)
            case "nan": value = .float(.nan)
            default:
                throw fail("invalid value `\(word)` \(context) (strings must be in quotes; booleans are `true` or `false`)", at: start)
            }
            i += word.unicodeScalars.count
        default:
            throw fail("expected a value \(context), found \(found(at: i))", at: i)
        }
        return TOMLNode(value: value, position: position(start))
    }

    /// `[ v, v, ... ]`, may span lines, contain comments and end with a comma.
    private mutating func parseArray(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let open = i
        i += 1
        var items: [TOMLNode] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            guard let c = peek() else {
                throw fail("unterminated array: missing `]`", at: open)
            }
            if c == "]" {
                i += 1
                return .array(items)
            }
            items.append(try parseValue(context: "in array", depth: depth))
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case nil:
                throw fail("unterminated array: missing `]`", at: open)
            case ",":
                i += 1
            case "]":
                i += 1
                return .array(items)
            default:
                throw fail("expected `,` or `]` after array element, found \(found(at: i)) (array starts at \(position(open)))", at: i)
            }
        }
    }

    /// `{ k = v, k = v }` on one line, no trailing comma.
    private mutating func parseInlineTable(depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let open = i
        i += 1
        let table = TableBuilder(kind: .header, position: position(open))
        skipWhitespace()
        if peek() == "}" {
            i += 1
            return .table(table.build())
        }
        while true {
            skipWhitespace()
            switch peek() {
            case nil:
                throw fail("unterminated inline table: missing `}`", at: open)
            case "\n", "\r":
                throw fail("expected a key in inline table, found end of line (inline tables must be on one line)", at: i)
            case "}":
                throw fail("trailing comma is not allowed in an inline table", at: i)
            default:
                break
            }
            _ = try parseKeyValue(into: table, depth: depth)
            skipWhitespace()
            switch peek() {
            case nil:
                throw fail("unterminated inline table: missing `}`", at: open)
            case ",":
                i += 1
            case "}":
                i += 1
                return .table(table.build())
            case "\n", "\r":
                throw fail("expected `}` to close inline table, found end of line (inline tables must be on one line)", at: i)
            default:
                throw fail("expected `,` or `}` in inline table, found \(found(at: i))", at: i)
            }
        }
    }

    // MARK: Strings

    /// `"..."` with escapes, on one line.
    private mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        let open = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw fail("unterminated string: missing closing `\"`", at: open)
            }
            switch c {
            case "\"":
                i += 1
                return String(out)
            case "\n", "\r":
                throw fail("unterminated string: missing closing `\"` before end of line", at: open)
            case "\\":
                out.append(try parseEscape(stringStart: open))
            default:
                try checkNotControl(c, in: "a string")
                out.append(c)
                i += 1
            }
        }
    }

    /// `'...'`, verbatim, on one line.
    private mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        let open = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw fail("unterminated string: missing closing `'`", at: open)
            }
            switch c {
            case "'":
                i += 1
                return String(out)
            case "\n", "\r":
                throw fail("unterminated string: missing closing `'` before end of line", at: open)
            default:
                try checkNotControl(c, in: "a string")
                out.append(c)
                i += 1
            }
        }
    }

    /// `"""..."""`: escapes, newlines kept (CRLF read as LF), a backslash at line end joins lines.
    private mutating func parseMultilineBasicString() throws(TOMLSyntaxError) -> String {
        let open = i
        i += 3
        skipNewlineAfterOpeningDelimiter()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw fail("unterminated multi-line string: missing closing `\"\"\"`", at: open)
            }
            switch c {
            case "\"":
                if closeMultiline(quote: "\"", into: &out) { return String(out) }
            case "\\":
                // Line-ending backslash: `\`, optional spaces/tabs, newline → drop all following whitespace.
                var k = i + 1
                while k < s.count, s[k] == " " || s[k] == "\t" { k += 1 }
                if k < s.count, s[k] == "\n" || (s[k] == "\r" && k + 1 < s.count && s[k + 1] == "\n") {
                    i = k
                    while let w = peek() {
                        if w == " " || w == "\t" || w == "\n" {
                            i += 1
                        } else if w == "\r", peek(1) == "\n" {
                            i += 2
                        } else {
                            break
                        }
                    }
                } else {
                    out.append(try parseEscape(stringStart: open))
                }
            case "\n":
                out.append("\n")
                i += 1
            case "\r":
                guard peek(1) == "\n" else {
                    throw fail("carriage return must be followed by a line feed", at: i)
                }
                out.append("\n")
                i += 2
            default:
                try checkNotControl(c, in: "a string")
                out.append(c)
                i += 1
            }
        }
    }

    /// `'''...'''`: verbatim, newlines kept (CRLF read as LF).
    private mutating func parseMultilineLiteralString() throws(TOMLSyntaxError) -> String {
        let open = i
        i += 3
        skipNewlineAfterOpeningDelimiter()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw fail("unterminated multi-line string: missing closing `'''`", at: open)
            }
            switch c {
            case "'":
                if closeMultiline(quote: "'", into: &out) { return String(out) }
            case "\n":
                out.append("\n")
                i += 1
            case "\r":
                guard peek(1) == "\n" else {
                    throw fail("carriage return must be followed by a line feed", at: i)
                }
                out.append("\n")
                i += 2
            default:
                try checkNotControl(c, in: "a string")
                out.append(c)
                i += 1
            }
        }
    }

    private mutating func skipNewlineAfterOpeningDelimiter() {
        if peek() == "\n" {
            i += 1
        } else if peek() == "\r", peek(1) == "\n" {
            i += 2
        }
    }

    /// At a quote inside a multi-line string. Three quotes close it, and up to two more just before
    /// the closing three belong to the content (`""""x"""""` is `"x""`). Returns true when closed.
    private mutating func closeMultiline(quote: Unicode.Scalar, into out: inout String.UnicodeScalarView) -> Bool {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run < 3 {
            for _ in 0..<run { out.append(quote) }
            i += run
            return false
        }
        let extra = min(run, 5) - 3  // a sixth quote is left behind and reported as garbage after the value
        for _ in 0..<extra { out.append(quote) }
        i += 3 + extra
        return true
    }

    /// At a backslash in a basic string: returns the escaped scalar and moves past the escape.
    private mutating func parseEscape(stringStart: Int) throws(TOMLSyntaxError) -> Unicode.Scalar {
        let start = i
        i += 1
        guard let c = peek() else {
            throw fail("unterminated string: missing closing `\"`", at: stringStart)
        }
        i += 1
        switch c {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let count = c == "u" ? 4 : 8
            var code: UInt32 = 0
            for _ in 0..<count {
                guard let h = peek(), let digit = hexValue(h) else {
                    throw fail("invalid escape: `\\\(c)` must be followed by \(count) hex digits", at: start)
                }
                code = code << 4 | digit
                i += 1
            }
            guard let scalar = Unicode.Scalar(code) else {
                let text = String(s[start..<i].map(Character.init))
                throw fail("invalid escape `\(text)`: not a Unicode scalar value", at: start)
            }
            return scalar
        default:
            let shown = isControl(c) || c == "\n" || c == "\r" ? "\\" : "\\\(c)"
            throw fail("invalid escape `\(shown)` (allowed: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", at: start)
        }
    }

    private func checkNotControl(_ c: Unicode.Scalar, in place: String) throws(TOMLSyntaxError) {
        if isControl(c) {
            throw fail("control character \(hex(c)) is not allowed in \(place); use an escape like \\u\(hex4(c))", at: i)
        }
    }

    // MARK: Numbers

    /// Integers (decimal, 0x, 0o, 0b) and floats (incl. exponent, inf, nan, with optional sign).
    private mutating func parseNumber() throws(TOMLSyntaxError) -> TOMLValue {
        let start = i
        let text = token(from: start)
        i += text.unicodeScalars.count
        func invalid(_ why: String) -> TOMLSyntaxError {
            fail("invalid number `\(text)`: \(why)", at: start)
        }
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = String(first)
            body = body.dropFirst()
        }
        if body == "inf" { return .float(sign == "-" ? -.infinity : .infinity) }
        if body == "nan" { return .float(sign == "-" ? -.nan : .nan) }

        let radix: Int? = body.hasPrefix("0x") ? 16 : body.hasPrefix("0o") ? 8 : body.hasPrefix("0b") ? 2 : nil
        if let radix {
            guard sign.isEmpty else { throw invalid("a sign is not allowed on hexadecimal, octal or binary integers") }
            let digits = body.dropFirst(2)
            guard groupedDigits(digits, radix: radix) else {
                throw invalid(digits.isEmpty ? "missing digits" : "expected base-\(radix) digits, with `_` only between digits")
            }
            guard let magnitude = UInt64(digits.filter { $0 != "_" }, radix: radix), magnitude <= UInt64(Int64.max) else {
                throw fail("integer `\(text)` does not fit in 64 bits", at: start)
            }
            return .integer(Int64(magnitude))
        }

        guard let firstDigit = body.first, firstDigit.isASCII, firstDigit.isNumber else {
            throw invalid("expected a digit")
        }
        let isFloat = body.contains(".") || body.contains("e") || body.contains("E")
        // Split "int[.frac][e[sign]exp]" and check each part's digit grouping.
        var mantissa = body
        var exponent: Substring?
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = body[..<e]
            exponent = body[body.index(after: e)...]
        }
        var integerPart = mantissa
        var fraction: Substring?
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        guard groupedDigits(integerPart, radix: 10) else {
            throw invalid("expected digits, with `_` only between digits")
        }
        if integerPart.count > 1, integerPart.first == "0" {
            throw invalid("leading zeros are not allowed")
        }
        if let fraction, !groupedDigits(fraction, radix: 10) {
            throw invalid("a decimal point must be followed by digits")
        }
        if var exponent {
            if let first = exponent.first, first == "+" || first == "-" { exponent = exponent.dropFirst() }
            guard groupedDigits(exponent, radix: 10) else { throw invalid("expected digits in the exponent") }
        }
        let plain = sign + body.filter { $0 != "_" }
        if isFloat {
            guard let value = Double(plain), value.isFinite else {
                throw fail("float `\(text)` is out of range", at: start)
            }
            return .float(value)
        }
        guard let value = Int64(plain) else {
            throw fail("integer `\(text)` does not fit in 64 bits", at: start)
        }
        return .integer(value)
    }

    /// Non-empty digits of `radix`, where `_` may appear only between two digits.
    private func groupedDigits(_ text: Substring, radix: Int) -> Bool {
        var previousWasDigit = false
        for ch in text {
            if ch == "_" {
                guard previousWasDigit else { return false }
                previousWasDigit = false
            } else {
                guard let digit = ch.hexDigitValue, digit < radix, ch.isASCII else { return false }
                previousWasDigit = true
            }
        }
        return previousWasDigit
    }

    // MARK: Dates and times

    /// `YYYY-MM-DD` → local date; with `T`/space + time (and optional offset) → date-time source text.
    private mutating func parseDateOrDateTime() throws(TOMLSyntaxError) -> TOMLValue {
        let start = i
        let bad = fail("invalid date or date-time `\(token(from: start, allowSpaceTime: true))`: expected YYYY-MM-DD, optionally followed by T and HH:MM:SS", at: start)
        guard let year = digits(4), peek() == "-" else { throw bad }
        i += 1
        guard let month = digits(2), peek() == "-" else { throw bad }
        i += 1
        guard let day = digits(2) else { throw bad }
        let dateText = String(s[start..<i].map(Character.init))
        guard (1...12).contains(month) else {
            throw fail("invalid date `\(dateText)`: month must be 01 to 12", at: start)
        }
        let monthLength = daysIn(month: month, year: year)
        guard (1...monthLength).contains(day) else {
            throw fail("invalid date `\(dateText)`: day must be 01 to \(monthLength) in that month", at: start)
        }
        let hasTime = peek() == "T" || peek() == "t" || (peek() == " " && isDigit(peek(1)) && isDigit(peek(2)) && peek(3) == ":")
        if !hasTime {
            try checkEndOfDateTime(start: start)
            return .localDate(TOMLLocalDate(year: year, month: month, day: day))
        }
        i += 1
        try parseTimeOfDay(start: start)
        // Optional offset: Z or ±HH:MM.
        if peek() == "Z" || peek() == "z" {
            i += 1
        } else if peek() == "+" || peek() == "-" {
            i += 1
            guard let hours = digits(2), peek() == ":" else { throw bad }
            i += 1
            guard let minutes = digits(2), hours < 24, minutes < 60 else {
                throw fail("invalid time offset in `\(String(s[start..<i].map(Character.init)))`", at: start)
            }
        }
        try checkEndOfDateTime(start: start)
        return .dateTime(String(s[start..<i].map(Character.init)))
    }

    /// `HH:MM:SS[.fraction]` → source text.
    private mutating func parseLocalTime() throws(TOMLSyntaxError) -> TOMLValue {
        let start = i
        try parseTimeOfDay(start: start)
        try checkEndOfDateTime(start: start)
        return .dateTime(String(s[start..<i].map(Character.init)))
    }

    private mutating func parseTimeOfDay(start: Int) throws(TOMLSyntaxError) {
        let timeStart = i
        let bad = fail("invalid time in `\(token(from: start, allowSpaceTime: true))`: expected HH:MM:SS (seconds are required)", at: start)
        guard let hour = digits(2), peek() == ":" else { throw bad }
        i += 1
        guard let minute = digits(2), peek() == ":" else { throw bad }
        i += 1
        guard let second = digits(2) else { throw bad }
        if peek() == "." {
            i += 1
            guard isDigit(peek()) else { throw bad }
            while isDigit(peek()) { i += 1 }
        }
        guard hour < 24, minute < 60, second <= 60 else {  // 60: leap second, as RFC 3339 allows
            throw fail("invalid time `\(String(s[timeStart..<i].map(Character.init)))`: hour, minute or second out of range", at: start)
        }
    }

    /// A date or time must not run straight into more letters or digits (`2026-02-145`, `07:32:00x`).
    private func checkEndOfDateTime(start: Int) throws(TOMLSyntaxError) {
        if let c = peek(), isTokenChar(c) || c == ":" {
            throw fail("invalid date or time `\(token(from: start, allowSpaceTime: true))`", at: start)
        }
    }

    /// Reads exactly `count` ASCII digits as a number, or returns nil without moving.
    private mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for k in 0..<count {
            guard let c = peek(k), isDigit(c) else { return nil }
            value = value * 10 + Int(c.value - 48)
        }
        i += count
        return value
    }

    private func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: Whitespace, comments, line ends

    private mutating func skipWhitespace() {
        while let c = peek(), c == " " || c == "\t" { i += 1 }
    }

    /// Spaces, tabs, an optional comment, then a newline or the end of the file.
    private mutating func expectEndOfLine(after what: String) throws(TOMLSyntaxError) {
        skipWhitespace()
        if peek() == "#" { try skipComment() }
        switch peek() {
        case nil:
            return
        case "\n", "\r":
            try consumeNewline()
        default:
            let after = what.isEmpty ? "" : " after \(what)"
            throw fail("expected end of line\(after), found \(found(at: i))", at: i)
        }
    }

    private mutating func skipComment() throws(TOMLSyntaxError) {
        i += 1
        while let c = peek(), c != "\n" {
            if c == "\r", peek(1) == "\n" { return }
            try checkNotControl(c, in: "a comment")
            i += 1
        }
    }

    private mutating func consumeNewline() throws(TOMLSyntaxError) {
        if peek() == "\n" {
            i += 1
        } else if peek() == "\r", peek(1) == "\n" {
            i += 2
        } else {
            throw fail("carriage return must be followed by a line feed", at: i)
        }
    }

    /// Inside arrays: any mix of whitespace, newlines and comments.
    private mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLSyntaxError) {
        while let c = peek() {
            switch c {
            case " ", "\t": i += 1
            case "\n", "\r": try consumeNewline()
            case "#": try skipComment()
            default: return
            }
        }
    }

    // MARK: Positions and messages

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let k = i + offset
        return k >= 0 && k < s.count ? s[k] : nil
    }

    /// 1-based line and column (in Unicode scalars) of a scalar index; the end of input is a valid index.
    private func position(_ index: Int) -> TOMLPosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return TOMLPosition(line: low + 1, column: index - lineStarts[low] + 1)
    }

    private func fail(_ message: String, at index: Int) -> TOMLSyntaxError {
        TOMLSyntaxError(position: position(index), message: message)
    }

    /// Run of number/date-like characters starting at `start`, for reading numbers and quoting bad input.
    private func token(from start: Int, allowSpaceTime: Bool = false) -> String {
        var k = start
        var out = String.UnicodeScalarView()
        while k < s.count, out.count < 40 {
            let c = s[k]
            if isTokenChar(c) || c == ":" || (allowSpaceTime && c == " " && k + 3 < s.count && isDigit(s[k + 1]) && isDigit(s[k + 2]) && s[k + 3] == ":") {
                out.append(c)
                k += 1
            } else {
                break
            }
        }
        return String(out)
    }

    /// What the parser ran into, for "found ..." in messages.
    private func found(at index: Int) -> String {
        guard index < s.count else { return "end of file" }
        let c = s[index]
        switch c {
        case "\n": return "end of line"
        case "\r": return index + 1 < s.count && s[index + 1] == "\n" ? "end of line" : "a carriage return"
        case "\t": return "a tab"
        case " ": return "a space"
        case "#": return "a comment"
        default:
            if isControl(c) { return "control character \(hex(c))" }
            if isBareKeyChar(c) {
                var word = String.UnicodeScalarView()
                var k = index
                while k < s.count, isBareKeyChar(s[k]), word.count < 20 {
                    word.append(s[k])
                    k += 1
                }
                return "`\(String(word))`"
            }
            return "`\(Character(c))`"
        }
    }

    /// The key-like run of characters a person probably meant as one key (`名称`, `na$me`), for quoting hints.
    private func unquotedKeyWord(from start: Int) -> String {
        var word = String.UnicodeScalarView()
        var k = start
        while k < s.count, word.count < 30, !" \t\r\n=.#[]\"'\\".unicodeScalars.contains(s[k]), !isControl(s[k]) {
            word.append(s[k])
            k += 1
        }
        return String(word)
    }

    /// A key as it would be written: bare parts as-is, others quoted.
    private func display(_ key: [KeyPart]) -> String {
        display(key[...])
    }

    private func display(_ key: ArraySlice<KeyPart>) -> String {
        key.map { part in
            if !part.name.isEmpty, part.name.unicodeScalars.allSatisfy(isBareKeyChar) { return part.name }
            var quoted = "\""
            for c in part.name.unicodeScalars {
                switch c {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                default: quoted += isControl(c) || c == "\n" || c == "\r" ? "\\u\(hex4(c))" : String(c)
                }
            }
            return quoted + "\""
        }.joined(separator: ".")
    }
}

// MARK: - Character classes

private func isDigit(_ c: Unicode.Scalar?) -> Bool {
    guard let c else { return false }
    return c >= "0" && c <= "9"
}

private func isBareKeyChar(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
}

/// Characters that can continue a number or date token (`+`/`-` appear in signs, exponents and dates).
private func isTokenChar(_ c: Unicode.Scalar) -> Bool {
    isBareKeyChar(c) || c == "+" || c == "."
}

/// Control characters TOML forbids unescaped (tab is allowed; newlines are handled by callers).
private func isControl(_ c: Unicode.Scalar) -> Bool {
    (c.value < 0x20 && c != "\t") || c.value == 0x7F
}

private func hexValue(_ c: Unicode.Scalar) -> UInt32? {
    switch c {
    case "0"..."9": c.value - 48
    case "a"..."f": c.value - 87
    case "A"..."F": c.value - 55
    default: nil
    }
}

private func hex4(_ c: Unicode.Scalar) -> String {
    let digits = String(c.value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

private func hex(_ c: Unicode.Scalar) -> String { "U+" + hex4(c) }
