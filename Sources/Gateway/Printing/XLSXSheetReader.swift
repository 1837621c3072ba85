// Reads the cells of the first sheet of an .xlsx workbook (Office Open XML, ECMA-376): the zip container, the
// workbook's first sheet, shared and inline strings. Enough for the lists halls keep in Excel or WPS; no formulas are
// evaluated (their cached values are read), no styles.
import CZlib
import Foundation

/// Why a workbook could not be read.
public struct XLSXReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message + "; save the list again from Excel or WPS as .xlsx, or as CSV UTF-8" }
}

public enum XLSXSheetReader {
    /// No part of a list is larger than this once inflated: a zip bomb is refused, not inflated.
    static let partLimit = 16 << 20
    /// A list's sheet has no more columns or rows than these; a sheet beyond them is refused, not expanded.
    static let columnLimit = 64
    static let rowLimit = 20_000

    /// The first sheet's non-empty rows, each with its row number and its cells from column A (gaps as empty cells).
    public static func firstSheetRows(_ bytes: Data) throws(XLSXReadError) -> [(line: Int, cells: [String])] {
        let zip = try ZipDirectory(Array(bytes))
        let shared = try zip.has("xl/sharedStrings.xml") ? sharedStrings(try zip.text("xl/sharedStrings.xml")) : []
        let sheetPath = try firstSheetPath(zip)
        return try sheetRows(try zip.text(sheetPath), shared: shared)
    }

    /// The part of the workbook's first sheet: workbook.xml's first `<sheet r:id>` through its relationships.
    static func firstSheetPath(_ zip: ZipDirectory) throws(XLSXReadError) -> String {
        if zip.has("xl/workbook.xml"), zip.has("xl/_rels/workbook.xml.rels") {
            let workbook = XMLScan(try zip.text("xl/workbook.xml"))
            if let sheet = workbook.elements.first(where: { $0.name == "sheet" && !$0.closing }),
               let id = sheet.attributes["r:id"] {
                let rels = XMLScan(try zip.text("xl/_rels/workbook.xml.rels"))
                if let rel = rels.elements.first(where: { $0.name == "Relationship" && $0.attributes["Id"] == id }),
                   let target = rel.attributes["Target"] {
                    let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                    if zip.has(path) { return path }
                }
            }
        }
        guard let first = zip.names.filter({ $0.hasPrefix("xl/worksheets/") && $0.hasSuffix(".xml") }).sorted().first else {
            throw XLSXReadError(message: "the workbook has no sheet")
        }
        return first
    }

    static func sharedStrings(_ xml: String) -> [String] {
        var strings: [String] = []
        var current: String?
        var inText = false
        var inPhonetic = false
        for token in XMLScan(xml).tokens {
            switch token {
            case .element(let e):
                switch e.name {
                case "si":
                    if e.selfClosing { strings.append("") } else if e.closing { strings.append(current ?? ""); current = nil } else { current = "" }
                case "rPh": inPhonetic = !e.closing && !e.selfClosing
                case "t": inText = !e.closing && !e.selfClosing
                default: break
                }
            case .text(let t):
                if inText, !inPhonetic, current != nil { current! += t }
            }
        }
        return strings
    }

    static func sheetRows(_ xml: String, shared: [String]) throws(XLSXReadError) -> [(line: Int, cells: [String])] {
        var rows: [(line: Int, cells: [String])] = []
        var rowNumber = 0
        var cells: [Int: String] = [:]
        var cellColumn = 0
        var cellType = "n"
        var value = ""
        var inValue = false
        var inCell = false
        func finishRow() throws(XLSXReadError) {
            guard !cells.isEmpty, let last = cells.keys.max() else { return }
            guard last < XLSXSheetReader.columnLimit else {
                throw XLSXReadError(message: "row \(rowNumber) has a cell in column \(last + 1), beyond the \(XLSXSheetReader.columnLimit) columns an item list has; delete the cells far to the right")
            }
            guard rows.count < XLSXSheetReader.rowLimit else {
                throw XLSXReadError(message: "the sheet has more than \(XLSXSheetReader.rowLimit) rows; an item list has fewer (delete the empty rows at its end)")
            }
            rows.append((rowNumber, (0...last).map { cells[$0] ?? "" }))
            cells = [:]
        }
        var inPhonetic = false
        for token in XMLScan(xml).tokens {
            switch token {
            case .element(let e):
                switch e.name {
                case "row":
                    if e.closing { try finishRow(); continue }
                    rowNumber = e.attributes["r"].flatMap(Int.init) ?? rowNumber + 1
                    cells = [:]
                case "c":
                    if e.selfClosing { continue }  // an empty, styled cell
                    if e.closing {
                        if inCell {
                            let text: String
                            switch cellType {
                            case "s":
                                guard let i = Int(value.trimmingCharacters(in: .whitespaces)), shared.indices.contains(i) else {
                                    throw XLSXReadError(message: "row \(rowNumber): a cell names shared string \(value), which the workbook does not have")
                                }
                                text = shared[i]
                            case "b": text = value == "1" ? "TRUE" : "FALSE"
                            default: text = value
                            }
                            if !text.isEmpty { cells[cellColumn] = text }
                        }
                        inCell = false
                        continue
                    }
                    inCell = true
                    value = ""
                    cellType = e.attributes["t"] ?? "n"
                    cellColumn = e.attributes["r"].flatMap(columnIndex) ?? (cells.keys.max().map { $0 + 1 } ?? 0)
                case "v", "t":
                    inValue = inCell && !inPhonetic && !e.closing && !e.selfClosing
                case "rPh":
                    inPhonetic = !e.closing && !e.selfClosing
                    if inPhonetic { inValue = false }
                default: break
                }
            case .text(let t):
                if inValue { value += t }
            }
        }
        try finishRow()  // a last row left open by a damaged part
        return rows
    }

    /// `C12` → 2 (column C, from 0).
    static func columnIndex(_ reference: String) -> Int? {
        var n = 0
        var letters = 0
        for c in reference.unicodeScalars {
            guard c.value >= 65 && c.value <= 90 else { break }
            n = n * 26 + Int(c.value - 64)
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : n - 1
    }
}

/// The entries of a zip file, read through its central directory; entries stored or deflated.
struct ZipDirectory {
    struct Entry {
        let method: UInt16
        let compressedSize: Int
        let size: Int
        let localHeader: Int
    }

    let bytes: [UInt8]
    private(set) var entries: [String: Entry] = [:]
    var names: [String] { Array(entries.keys) }

    init(_ bytes: [UInt8]) throws(XLSXReadError) {
        self.bytes = bytes
        func u16(_ i: Int) throws(XLSXReadError) -> Int {
            guard i >= 0, i + 2 <= bytes.count else { throw XLSXReadError(message: "the file is cut short (a zip record runs past its end)") }
            return Int(bytes[i]) | Int(bytes[i + 1]) << 8
        }
        func u32(_ i: Int) throws(XLSXReadError) -> Int { try u16(i) | (try u16(i + 2)) << 16 }
        // The end-of-central-directory record is in the last 22 + 65,535 bytes.
        var end = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 22 - 65_535) {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 { end = i; break }
            i -= 1
        }
        guard end >= 0 else { throw XLSXReadError(message: "not a complete .xlsx file (no zip directory at its end)") }
        let count = try u16(end + 10)
        var at = try u32(end + 16)
        for _ in 0..<count {
            guard try u32(at) == 0x0201_4B50 else { throw XLSXReadError(message: "the zip directory is damaged") }
            let method = UInt16(try u16(at + 10))
            let compressed = try u32(at + 20)
            let size = try u32(at + 24)
            let nameLength = try u16(at + 28)
            let extra = try u16(at + 30)
            let comment = try u16(at + 32)
            let local = try u32(at + 42)
            guard at + 46 + nameLength <= bytes.count else { throw XLSXReadError(message: "the zip directory is damaged") }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(method: method, compressedSize: compressed, size: size, localHeader: local)
            at += 46 + nameLength + extra + comment
        }
    }

    func has(_ name: String) -> Bool { entries[name] != nil }

    func text(_ name: String) throws(XLSXReadError) -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    func data(_ name: String) throws(XLSXReadError) -> [UInt8] {
        guard let entry = entries[name] else { throw XLSXReadError(message: "the workbook has no \(name)") }
        let h = entry.localHeader
        guard h >= 0, h + 30 <= bytes.count, bytes[h] == 0x50, bytes[h + 1] == 0x4B, bytes[h + 2] == 0x03, bytes[h + 3] == 0x04 else {
            throw XLSXReadError(message: "\(name): its zip record is damaged")
        }
        let start = h + 30 + (Int(bytes[h + 26]) | Int(bytes[h + 27]) << 8) + (Int(bytes[h + 28]) | Int(bytes[h + 29]) << 8)
        guard entry.compressedSize >= 0, start + entry.compressedSize <= bytes.count else {
            throw XLSXReadError(message: "\(name): the file is cut short")
        }
        let raw = Array(bytes[start..<(start + entry.compressedSize)])
        switch entry.method {
        case 0: return raw
        case 8: return try Self.inflate(raw, expected: entry.size, name: name)
        default: throw XLSXReadError(message: "\(name) is compressed with method \(entry.method), which only deflate (8) and stored (0) are read as")
        }
    }

    /// Raw deflate (no zlib header), at most ``XLSXSheetReader/partLimit`` bytes out.
    static func inflate(_ input: [UInt8], expected: Int, name: String) throws(XLSXReadError) -> [UInt8] {
        guard expected <= XLSXSheetReader.partLimit else {
            throw XLSXReadError(message: "\(name) would inflate to \(expected) bytes, more than a list has (limit \(XLSXSheetReader.partLimit))")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw XLSXReadError(message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(max(expected, 1024))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                }
            } while status == Z_OK && output.count <= XLSXSheetReader.partLimit && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard output.count <= XLSXSheetReader.partLimit else { throw XLSXReadError(message: "\(name) inflates beyond \(XLSXSheetReader.partLimit) bytes") }
        guard status == Z_STREAM_END else { throw XLSXReadError(message: "\(name) is damaged (its compressed data does not end properly)") }
        return output
    }
}

/// A forgiving scan of XML into start/end tags with attributes, and text with entities decoded; enough for the parts
/// of a workbook (no DTDs; comments, processing instructions and CDATA handled).
struct XMLScan {
    struct Element {
        let name: String
        let attributes: [String: String]
        let closing: Bool
        let selfClosing: Bool
    }

    enum Token {
        case element(Element)
        case text(String)
    }

    let tokens: [Token]
    var elements: [Element] { tokens.compactMap { if case .element(let e) = $0 { return e } else { return nil } } }

    init(_ xml: String) {
        var tokens: [Token] = []
        let s = Array(xml.unicodeScalars)
        var i = 0
        var text = String.UnicodeScalarView()
        func flush() {
            if !text.isEmpty { tokens.append(.text(XMLScan.decode(String(text)))); text = String.UnicodeScalarView() }
        }
        func starts(_ p: String, at k: Int) -> Bool {
            let ps = Array(p.unicodeScalars)
            guard k + ps.count <= s.count else { return false }
            return Array(s[k..<(k + ps.count)]) == ps
        }
        func find(_ p: String, from k: Int) -> Int? {
            var j = k
            while j < s.count { if starts(p, at: j) { return j }; j += 1 }
            return nil
        }
        while i < s.count {
            if s[i] != "<" { text.append(s[i]); i += 1; continue }
            flush()
            if starts("<!--", at: i) { i = (find("-->", from: i + 4) ?? s.count) + 3; continue }
            if starts("<![CDATA[", at: i) {
                let end = find("]]>", from: i + 9) ?? s.count
                tokens.append(.text(String(String.UnicodeScalarView(s[(i + 9)..<min(end, s.count)]))))
                i = end + 3
                continue
            }
            if starts("<?", at: i) || starts("<!", at: i) { i = (find(">", from: i) ?? s.count) + 1; continue }
            // A tag: up to the '>' outside quotes.
            var j = i + 1
            var quote: Unicode.Scalar?
            while j < s.count {
                if let q = quote { if s[j] == q { quote = nil } } else if s[j] == "\"" || s[j] == "'" { quote = s[j] } else if s[j] == ">" { break }
                j += 1
            }
            let body = String(String.UnicodeScalarView(s[(i + 1)..<min(j, s.count)]))
            tokens.append(.element(XMLScan.element(body)))
            i = j + 1
        }
        flush()
        self.tokens = tokens
    }

    static func element(_ body: String) -> Element {
        var body = Substring(body)
        let closing = body.hasPrefix("/")
        if closing { body = body.dropFirst() }
        let selfClosing = body.hasSuffix("/")
        if selfClosing { body = body.dropLast() }
        let name = String(body.prefix { !$0.isWhitespace })
        var attributes: [String: String] = [:]
        var rest = body.dropFirst(name.count)
        while let eq = rest.firstIndex(of: "=") {
            let key = rest[..<eq].trimmingCharacters(in: .whitespacesAndNewlines)
            var after = rest[rest.index(after: eq)...].drop { $0.isWhitespace }
            guard let q = after.first, q == "\"" || q == "'" else { break }
            after = after.dropFirst()
            guard let close = after.firstIndex(of: q) else { break }
            attributes[key] = decode(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        // Prefixed names (x:row) are read by their local name; r:id keeps its prefix (relationships).
        let local = name.split(separator: ":").last.map(String.init) ?? name
        return Element(name: local, attributes: attributes, closing: closing, selfClosing: selfClosing)
    }

    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let entity = s[s.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "amp": replacement = "&"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                    } else if entity.hasPrefix("#") {
                        replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                    }
                }
                if let replacement { out += replacement; i = s.index(after: semi); continue }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}
