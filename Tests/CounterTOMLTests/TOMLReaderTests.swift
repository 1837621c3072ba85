// Tests for the TOML reader: structure, source positions, every value kind, and error messages.

import Testing
@testable import CounterTOML

// MARK: - Helpers

/// Follows table keys from `table`; nil when any step is missing or not a table.
private func lookup(_ table: TOMLTable, _ path: String...) -> TOMLNode? {
    var current = table
    var result: TOMLNode?
    for (n, key) in path.enumerated() {
        guard let node = current[key] else { return nil }
        result = node
        if n < path.count - 1 {
            guard case .table(let next) = node.value else { return nil }
            current = next
        }
    }
    return result
}

private func tableOf(_ node: TOMLNode?) -> TOMLTable? {
    if case .table(let table)? = node?.value { return table }
    return nil
}

private func arrayOf(_ node: TOMLNode?) -> [TOMLNode]? {
    if case .array(let items)? = node?.value { return items }
    return nil
}

private func parseError(_ text: String) -> TOMLSyntaxError? {
    do {
        _ = try TOMLReader.parse(text)
        return nil
    } catch {
        return error
    }
}

private func at(_ line: Int, _ column: Int) -> TOMLPosition {
    TOMLPosition(line: line, column: column)
}

// MARK: - Structure and positions

@Test func positionsInMultiTableDocumentWithChineseText() throws {
    let text = """
        # 服务大厅配置
        title = "市民服务中心"

        [http]
        host = "0.0.0.0"
        port = 8080

        [hall]
        name = "一号大厅"   # 注释：大厅名称
        counters = ["窗口一", "窗口二"]
        staff = { "姓名" = "张三", id = 7 }
        """
    let doc = try TOMLReader.parse(text)
    #expect(doc.keys == ["title", "http", "hall"])
    #expect(doc.position == at(1, 1))
    #expect(lookup(doc, "title") == TOMLNode(value: .string("市民服务中心"), position: at(2, 1)))
    #expect(lookup(doc, "http")?.position == at(4, 1))
    #expect(lookup(doc, "http", "port") == TOMLNode(value: .integer(8080), position: at(6, 1)))
    #expect(lookup(doc, "hall", "name")?.value == .string("一号大厅"))
    #expect(lookup(doc, "hall", "name")?.position == at(9, 1))
    let counters = try #require(arrayOf(lookup(doc, "hall", "counters")))
    #expect(counters.map(\.position) == [at(10, 13), at(10, 20)])
    #expect(counters.map(\.value) == [.string("窗口一"), .string("窗口二")])
    // Columns count Unicode scalars: `id` comes after 5 Chinese characters on this line.
    #expect(lookup(doc, "hall", "staff", "id")?.position == at(11, 24))
    #expect(tableOf(lookup(doc, "hall", "staff"))?.position == at(11, 9))
    #expect(lookup(doc, "hall", "staff", "姓名")?.value == .string("张三"))
    #expect(tableOf(lookup(doc, "hall"))?.entries.map(\.key) == ["name", "counters", "staff"])
}

@Test func duplicateKeyNamesBothLines() {
    let error = parseError("[http]\nport = 80\nhost = \"x\"\nport = 81\n")
    #expect(error?.position == at(4, 1))
    #expect(error?.message == "duplicate key `port` (first defined at line 2)")
    #expect(error?.description == "line 4, column 1: duplicate key `port` (first defined at line 2)")
}

@Test func tableRedefinition() throws {
    let error = parseError("[http]\nport = 1\n[db]\n[http]\n")
    #expect(error?.position == at(4, 1))
    #expect(error?.message == "table [http] defined twice (first at line 1)")
    #expect(parseError("[a]\n[a.b]\n[a]\n")?.position == at(3, 1))
    #expect(parseError("[a]\nb = 1\n[a.b]\n")?.position == at(3, 1))
    #expect(parseError("[a]\nb = { c = 1 }\n[a.b.d]\n") != nil)

    // A table created implicitly by [a.b] may be defined once later.
    let doc = try TOMLReader.parse("[a.b]\nx = 1\n[a]\ny = 2\n")
    #expect(lookup(doc, "a", "b", "x")?.value == .integer(1))
    #expect(lookup(doc, "a", "y")?.value == .integer(2))
    #expect(lookup(doc, "a")?.position == at(3, 1))
    #expect(tableOf(lookup(doc, "a"))?.keys == ["b", "y"])
}

@Test func arrayOfTablesWithSubTables() throws {
    let text = """
        [[counter]]
        id = 1
        [counter.device]
        serial = "A"
        [[counter.window]]
        name = "一"
        [[counter.window]]
        name = "二"

        [[counter]]
        id = 2
        [counter.device]
        serial = "B"
        """
    let doc = try TOMLReader.parse(text)
    let counters = try #require(arrayOf(lookup(doc, "counter")))
    #expect(counters.count == 2)
    #expect(counters.map(\.position) == [at(1, 1), at(10, 1)])
    let first = try #require(tableOf(counters.first))
    let second = try #require(tableOf(counters.last))
    #expect(lookup(first, "id")?.value == .integer(1))
    #expect(lookup(first, "device", "serial")?.value == .string("A"))
    #expect(arrayOf(lookup(first, "window"))?.compactMap { tableOf($0)?["name"]?.value } == [.string("一"), .string("二")])
    // [counter.device] after the second [[counter]] goes into the last element.
    #expect(lookup(second, "id")?.value == .integer(2))
    #expect(lookup(second, "device", "serial")?.value == .string("B"))
    #expect(lookup(second, "device")?.position == at(12, 1))

    #expect(parseError("a = [1]\n[[a]]\n")?.message.contains("static array") == true)
    #expect(parseError("[a]\n[[a]]\n") != nil)
    #expect(parseError("[[a]]\n[a]\n")?.position == at(2, 1))
}

@Test func dottedKeys() throws {
    let text = """
        server.http.port = 80
        server . http . "host name" = "h"
        server.'enabled' = true
        [fruit]
        apple.color = "red"
        apple.taste.sweet = true
        [fruit.apple.texture]
        smooth = true
        """
    let doc = try TOMLReader.parse(text)
    #expect(lookup(doc, "server", "http", "port") == TOMLNode(value: .integer(80), position: at(1, 13)))
    #expect(lookup(doc, "server", "http", "host name")?.value == .string("h"))
    #expect(lookup(doc, "server", "enabled")?.value == .boolean(true))
    #expect(lookup(doc, "server")?.position == at(1, 1))
    #expect(lookup(doc, "fruit", "apple", "taste", "sweet")?.value == .boolean(true))
    #expect(lookup(doc, "fruit", "apple", "texture", "smooth")?.value == .boolean(true))
    #expect(tableOf(lookup(doc, "fruit", "apple"))?.keys == ["color", "taste", "texture"])

    #expect(parseError("a.b = 1\na.b.c = 2\n")?.position == at(2, 1))
    #expect(parseError("[fruit]\napple.color = \"red\"\n[fruit.apple]\n")?.position == at(3, 1))
    #expect(parseError("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n")?.position == at(4, 1))
    #expect(parseError("a.b = 1\na.b = 2\n")?.message == "duplicate key `a.b` (first defined at line 1)")
}

// MARK: - Values

@Test func stringsOfEveryKind() throws {
    let text = #"""
        basic = "tab\there \"q\" back\\slash \b\f\r\n é=\u00E9 😀=\U0001F600 中文"
        literal = 'C:\Users\n\t "raw"'
        empty = ""
        ml = """
        Roses are red
        Violets are "blue" ""ok"" \
            joined"""
        ml_quotes = """"x"""""
        ml_lit = '''
        first line
        \n stays 'quoted' ''two'' '''
        lit_quotes = ''''x'''''
        "quoted key" = 1
        'literal key' = 2
        "" = 3
        """#
    let doc = try TOMLReader.parse(text)
    #expect(doc["basic"]?.value == .string("tab\there \"q\" back\\slash \u{08}\u{0C}\r\n é=é 😀=😀 中文"))
    #expect(doc["literal"]?.value == .string(#"C:\Users\n\t "raw""#))
    #expect(doc["empty"]?.value == .string(""))
    #expect(doc["ml"]?.value == .string("Roses are red\nViolets are \"blue\" \"\"ok\"\" joined"))
    #expect(doc["ml_quotes"]?.value == .string("\"x\"\""))
    #expect(doc["ml_lit"]?.value == .string("first line\n\\n stays 'quoted' ''two'' "))
    #expect(doc["lit_quotes"]?.value == .string("'x''"))
    #expect(doc["quoted key"]?.value == .integer(1))
    #expect(doc["literal key"]?.value == .integer(2))
    #expect(doc[""]?.value == .integer(3))
    #expect(doc["ml"]?.position == at(4, 1))

    let badEscape = parseError(#"s = "a\qb""#)
    #expect(badEscape?.position == at(1, 7))
    #expect(badEscape?.message.contains("invalid escape `\\q`") == true)
    #expect(parseError(#"s = "\uD800""#) != nil)
    #expect(parseError(#"s = "\u12""#) != nil)
    #expect(parseError("s = \"a\u{01}b\"") != nil)
    #expect(parseError("s = \"\"\"abc") != nil)
    #expect(parseError("s = '''abc''") != nil)
}

@Test func integersFloatsAndBooleans() throws {
    let text = """
        a = +99
        b = 42
        c = 0
        d = -17
        e = 1_000_000
        f = 0xDEAD_beef
        g = 0o755
        h = 0b1101
        min = -9223372036854775808
        max = 9223372036854775807
        pi = 3.14
        neg = -0.01
        big = 5e+22
        exp = 1e06
        small = -2E-2
        grouped = 224_617.445_991
        pinf = inf
        ninf = -inf
        yes = true
        no = false
        """
    let doc = try TOMLReader.parse(text)
    let ints: [(String, Int64)] = [
        ("a", 99), ("b", 42), ("c", 0), ("d", -17), ("e", 1_000_000), ("f", 0xDEAD_BEEF),
        ("g", 0o755), ("h", 0b1101), ("min", .min), ("max", .max),
    ]
    for (key, value) in ints {
        #expect(doc[key]?.value == .integer(value), "key \(key)")
    }
    let floats: [(String, Double)] = [
        ("pi", 3.14), ("neg", -0.01), ("big", 5e22), ("exp", 1e6), ("small", -0.02),
        ("grouped", 224_617.445_991), ("pinf", .infinity), ("ninf", -.infinity),
    ]
    for (key, value) in floats {
        #expect(doc[key]?.value == .float(value), "key \(key)")
    }
    #expect(doc["yes"]?.value == .boolean(true))
    #expect(doc["no"]?.value == .boolean(false))
    guard case .float(let nan)? = try TOMLReader.parse("x = nan")["x"]?.value else {
        Issue.record("nan is not a float")
        return
    }
    #expect(nan.isNaN)
    #expect(doc["f"]?.value.typeName == "integer")
    #expect(doc["pi"]?.value.typeName == "float")

    let overflow = parseError("n = 9223372036854775808")
    #expect(overflow?.message.contains("does not fit in 64 bits") == true)
    #expect(overflow?.position == at(1, 5))
    for bad in ["-9223372036854775809", "0x8000000000000000", "01", "1__0", "_1", "1_", "+0x1", "0x", "1.", ".5", "1e", "1e400", "1.2.3", "12abc"] {
        #expect(parseError("n = \(bad)") != nil, "\(bad) should be rejected")
    }
}

@Test func datesAndTimes() throws {
    let text = """
        day = 2026-02-14
        leap = 2024-02-29
        century = 2000-02-29
        utc = 1979-05-27T07:32:00Z
        offset = 1979-05-27T00:32:00.999999-07:00
        spaced = 1979-05-27 07:32:00
        local = 1979-05-27T07:32:00
        time = 07:32:00
        fraction = 00:32:00.999999
        """
    let doc = try TOMLReader.parse(text)
    #expect(doc["day"]?.value == .localDate(TOMLLocalDate(year: 2026, month: 2, day: 14)))
    #expect(doc["leap"]?.value == .localDate(TOMLLocalDate(year: 2024, month: 2, day: 29)))
    #expect(doc["century"]?.value == .localDate(TOMLLocalDate(year: 2000, month: 2, day: 29)))
    #expect(doc["utc"]?.value == .dateTime("1979-05-27T07:32:00Z"))
    #expect(doc["offset"]?.value == .dateTime("1979-05-27T00:32:00.999999-07:00"))
    #expect(doc["spaced"]?.value == .dateTime("1979-05-27 07:32:00"))
    #expect(doc["local"]?.value == .dateTime("1979-05-27T07:32:00"))
    #expect(doc["time"]?.value == .dateTime("07:32:00"))
    #expect(doc["fraction"]?.value == .dateTime("00:32:00.999999"))
    #expect(doc["day"]?.value.typeName == "date")
    #expect(doc["utc"]?.value.typeName == "date-time")

    let notLeap = parseError("d = 2026-02-29")
    #expect(notLeap?.position == at(1, 5))
    #expect(notLeap?.message.contains("2026-02-29") == true)
    for bad in ["1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-02-145", "2026-2-14", "07:32", "25:00:00", "1979-05-27T07:32:00+25:00", "1979-05-27T"] {
        #expect(parseError("d = \(bad)") != nil, "\(bad) should be rejected")
    }
}

@Test func crlfLineEndingsAndByteOrderMark() throws {
    let text = "\u{FEFF}# 配置\r\n[http]\r\nport = 80\r\nname = \"x\"  # comment\r\ntext = \"\"\"\r\nline1\r\nline2\"\"\"\r\nlist = [\r\n  1,\r\n  2,\r\n]\r\n"
    let doc = try TOMLReader.parse(text)
    #expect(lookup(doc, "http", "port") == TOMLNode(value: .integer(80), position: at(3, 1)))
    #expect(lookup(doc, "http", "name")?.value == .string("x"))
    #expect(lookup(doc, "http", "text")?.value == .string("line1\nline2"))
    #expect(arrayOf(lookup(doc, "http", "list"))?.map(\.position) == [at(9, 3), at(10, 3)])
    #expect(lookup(doc, "http")?.position == at(2, 1))
    #expect(parseError("a = 1\rb = 2") != nil)
}

@Test func inlineTables() throws {
    let doc = try TOMLReader.parse("point = { x = 1, y = 2 }\nempty = {}\nnested = { a = { b = 1 }, c.d = \"e\", list = [1, 2] }\n")
    #expect(lookup(doc, "point", "x")?.value == .integer(1))
    #expect(lookup(doc, "point", "y") == TOMLNode(value: .integer(2), position: at(1, 18)))
    #expect(tableOf(lookup(doc, "point"))?.position == at(1, 9))
    #expect(tableOf(lookup(doc, "empty"))?.keys == [])
    #expect(lookup(doc, "nested", "a", "b")?.value == .integer(1))
    #expect(lookup(doc, "nested", "c", "d")?.value == .string("e"))
    #expect(lookup(doc, "point")?.value.typeName == "table")

    #expect(parseError("a = { x = 1 }\na.y = 2\n")?.position == at(2, 1))
    #expect(parseError("a = { x = 1 }\n[a]\n") != nil)
    #expect(parseError("a = { x = 1, }")?.message.contains("trailing comma") == true)
    #expect(parseError("a = { x = 1,\n y = 2 }") != nil)
    #expect(parseError("a = { x = 1, x = 2 }")?.position == at(1, 14))
    #expect(parseError("a = { x = 1") != nil)
}

@Test func arrays() throws {
    let text = """
        ports = [ 80, 443, ]
        mixed = [ 1, "two", 3.0, [4], { five = 5 } ]
        lines = [
          "a",   # first
          # a comment line
          "b"
        ]
        empty = []
        """
    let doc = try TOMLReader.parse(text)
    #expect(arrayOf(doc["ports"])?.map(\.value) == [.integer(80), .integer(443)])
    let mixed = try #require(arrayOf(doc["mixed"]))
    #expect(mixed.map(\.value.typeName) == ["integer", "string", "float", "array", "table"])
    #expect(arrayOf(doc["lines"])?.map(\.position) == [at(4, 3), at(6, 3)])
    #expect(arrayOf(doc["empty"])?.isEmpty == true)
    #expect(doc["lines"]?.value.typeName == "array")
    #expect(parseError("a = [1,,2]") != nil)
    #expect(parseError("a = [1 2]")?.position == at(1, 8))
}

// MARK: - Errors people will actually make

@Test func commonMistakesReportLineColumnAndWhatWasExpected() {
    let missingValue = parseError("name = \"x\"\nport = \n")
    #expect(missingValue?.position == at(2, 8))
    #expect(missingValue?.message == "expected a value after `=` for key `port`, found end of line")

    let garbage = parseError("port = 80 80")
    #expect(garbage?.position == at(1, 11))
    #expect(garbage?.message == "expected end of line after the value of key `port`, found `80`")

    let unterminated = parseError("a = 1\nname = \"abc")
    #expect(unterminated?.position == at(2, 8))
    #expect(unterminated?.message.hasPrefix("unterminated string") == true)

    let header = parseError("[http")
    #expect(header?.position == at(1, 6))
    #expect(header?.message == "expected `]` to close table header [http], found end of file")

    let array = parseError("a = [1, 2")
    #expect(array?.position == at(1, 5))
    #expect(array?.message.hasPrefix("unterminated array") == true)

    let arrayThenKey = parseError("a = [1, 2\nb = 3")
    #expect(arrayThenKey?.position == at(2, 1))

    let noEquals = parseError("port 80")
    #expect(noEquals?.message == "expected `=` after key `port`, found `80`")

    let badKey = parseError("na$me = 1")
    #expect(badKey?.position == at(1, 3))
    #expect(badKey?.message.contains("invalid character `$` in key") == true)
    #expect(badKey?.message.contains(#"like "na$me""#) == true)

    let chineseKey = parseError("a = 1\n名称 = \"x\"")
    #expect(chineseKey?.position == at(2, 1))
    #expect(chineseKey?.message.contains(#"put other keys in quotes, like "名称""#) == true)

    let bareWord = parseError("mode = fast")
    #expect(bareWord?.message.contains("strings must be in quotes") == true)

    #expect(parseError("[]") != nil)
    #expect(parseError("[[a]") != nil)
    #expect(parseError("= 1") != nil)
    #expect(parseError("a = 1 # bad \u{7F} comment") != nil)
}

// MARK: - Robustness

/// SplitMix64: small deterministic generator, so a failing input can be reproduced.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func randomAndTruncatedInputNeverTrap() {
    let valid = """
        # 大厅
        title = "市民服务中心"   # 注释
        [http]
        port = 8080
        hosts = ["a", 'b', \"\"\"c\"\"\", '''d''']
        when = 2026-02-14T08:30:00+08:00
        day = 2024-02-29
        inline = { a.b = 1, c = [1, { d = 2 }] }
        [[counter]]
        id = 0x1F
        [counter.device]
        ratio = -1.5e3
        """
    let scalars = Array(valid.unicodeScalars)
    let alphabet = Array("[]{}=\"'.,#\n\r\t \\abc01-:+_eExnT中\u{01}".unicodeScalars)
    var rng = SplitMix64(state: 2026)
    var outcomes = (parsed: 0, failed: 0)

    func attempt(_ text: String) {
        do {
            _ = try TOMLReader.parse(text)
            outcomes.parsed += 1
        } catch {
            #expect(error.position.line >= 1 && error.position.column >= 1)
            outcomes.failed += 1
        }
    }

    for n in 0..<2_000 {
        switch n % 4 {
        case 0:  // raw random bytes, decoded leniently as UTF-8
            let bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            attempt(String(decoding: bytes, as: UTF8.self))
        case 1:  // truncation of a valid document
            attempt(String(String.UnicodeScalarView(scalars[0..<(n / 4) % (scalars.count + 1)])))
        case 2:  // valid document with random characters swapped in
            var mutated = scalars
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                mutated[Int.random(in: 0..<mutated.count, using: &rng)] = alphabet.randomElement(using: &rng) ?? "x"
            }
            attempt(String(String.UnicodeScalarView(mutated)))
        default:  // random soup of TOML punctuation
            let soup = (0..<Int.random(in: 0...60, using: &rng)).compactMap { _ in alphabet.randomElement(using: &rng) }
            attempt(String(String.UnicodeScalarView(soup)))
        }
    }
    #expect(outcomes.parsed + outcomes.failed == 2_000)
    #expect(outcomes.parsed > 0)

    // Deep nesting is refused instead of exhausting the stack.
    #expect(parseError("a = " + String(repeating: "[", count: 100_000)) != nil)
    #expect(parseError("a = " + String(repeating: "{ b = ", count: 100_000)) != nil)
    #expect(parseError("[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]") != nil)
}
