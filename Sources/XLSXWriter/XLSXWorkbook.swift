// XLSXWorkbook.swift
//
// A small, dependency-free writer for XLSX (Office Open XML SpreadsheetML)
// workbooks, written for CounterGate's monthly attendance export
// (月度考勤汇总). Foundation only; the output opens in Excel and LibreOffice.
//
// What it produces:
//   * a ZIP container written by hand ("stored" entries, no compression,
//     table-driven CRC-32, UTF-8 name flag, fixed DOS timestamp), so the same
//     input always yields exactly the same bytes;
//   * the minimal package parts: [Content_Types].xml, _rels/.rels,
//     xl/workbook.xml, xl/_rels/workbook.xml.rels, xl/styles.xml (a default and
//     a bold style), xl/sharedStrings.xml and one xl/worksheets/sheetN.xml per
//     sheet (with optional column widths and frozen header rows).
//
// What it does not do: formulas, dates, number formats, merged cells, ZIP64
// (the whole file must stay below 4 GiB; addSheet refuses anything larger).
//
// Everything is validated in `addSheet`, which either adds the whole sheet or
// throws and leaves the workbook unchanged; `data()` cannot fail.

import Foundation

// MARK: - Public API

/// The content of one cell.
public enum XLSXCell: Sendable, Hashable {
    /// Plain text. Characters that XML 1.0 cannot carry (most C0 control
    /// characters, U+FFFE, U+FFFF) are dropped; everything else round-trips.
    case text(String)
    /// A number. Must be finite (NaN and ±infinity have no XLSX form).
    case number(Double)
    /// An integer. Excel stores every number as a Double, so magnitudes above
    /// 2^53 (9_007_199_254_740_992) lose precision; use `.text` for IDs.
    case integer(Int)
    /// No cell is written.
    case empty
    /// Bold text, meant for header cells.
    case bold(String)
}

/// Why `XLSXWorkbook.addSheet` refused its input.
public enum XLSXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with a sheet name (Excel's own rules).
    public enum SheetNameProblem: Sendable, Equatable {
        case empty
        /// Longer than 31 characters (counted in UTF-16 units, as Excel does).
        case tooLong
        /// Contains one of `[ ] : * ? / \` or a control character.
        case forbiddenCharacter(Character)
        /// Starts or ends with an apostrophe.
        case apostropheAtEdge
        /// "History" is reserved by Excel.
        case reserved
        /// Same as an existing sheet's name, ignoring case.
        case duplicate
    }

    case invalidSheetName(String, SheetNameProblem)
    /// More than 1_048_576 rows.
    case tooManyRows(sheet: String, count: Int)
    /// A row (1-based) with more than 16_384 cells, or more than 16_384 widths.
    case tooManyColumns(sheet: String, row: Int, count: Int)
    /// A text longer than 32_767 UTF-16 units (Excel's cell limit).
    case textTooLong(sheet: String, cell: String, length: Int)
    /// A `.number` that is NaN or infinite.
    case nonFiniteNumber(sheet: String, cell: String)
    /// A column width (column is 1-based) that is not in 0 < width <= 255.
    case invalidColumnWidth(sheet: String, column: Int, width: Double)
    /// A negative frozen-row count, or one that leaves no row below it.
    case invalidFrozenHeaderRows(sheet: String, count: Int)
    /// The file would exceed what a ZIP without ZIP64 can hold (4 GiB, 65_535 parts).
    case workbookTooLarge

    public var description: String {
        switch self {
        case let .invalidSheetName(name, problem):
            let reason: String
            switch problem {
            case .empty: reason = "it is empty"
            case .tooLong: reason = "it is longer than \(Limits.sheetNameLength) characters"
            case let .forbiddenCharacter(character):
                let shown = character.unicodeScalars
                    .map { "U+" + String($0.value, radix: 16, uppercase: true) }
                    .joined(separator: " ")
                reason = "it contains the forbidden character \(shown)"
            case .apostropheAtEdge: reason = "it starts or ends with an apostrophe"
            case .reserved: reason = "\"History\" is reserved by Excel"
            case .duplicate: reason = "another sheet already has this name (case-insensitive)"
            }
            return "Invalid sheet name \"\(name)\": \(reason)."
        case let .tooManyRows(sheet, count):
            return "Sheet \"\(sheet)\" has \(count) rows; Excel allows \(Limits.rows)."
        case let .tooManyColumns(sheet, row, count):
            return "Sheet \"\(sheet)\", row \(row): \(count) columns; Excel allows \(Limits.columns)."
        case let .textTooLong(sheet, cell, length):
            return "Sheet \"\(sheet)\", cell \(cell): text of \(length) characters; Excel allows \(Limits.cellTextLength)."
        case let .nonFiniteNumber(sheet, cell):
            return "Sheet \"\(sheet)\", cell \(cell): NaN or infinity cannot be stored in XLSX."
        case let .invalidColumnWidth(sheet, column, width):
            return "Sheet \"\(sheet)\", column \(column): width \(width) is not in 0 < width <= \(Limits.columnWidth)."
        case let .invalidFrozenHeaderRows(sheet, count):
            return "Sheet \"\(sheet)\": cannot freeze \(count) header rows."
        case .workbookTooLarge:
            return "The workbook is too large for an XLSX file without ZIP64 (4 GiB, 65535 parts)."
        }
    }
}

/// An XLSX workbook built in memory, sheet by sheet.
///
///     var book = XLSXWorkbook()
///     try book.addSheet(named: "2024年5月",
///                       rows: [[.bold("姓名"), .bold("应出勤天数")],
///                              [.text("张三"), .integer(22)]],
///                       columnWidths: [12, 14], frozenHeaderRows: 1)
///     let bytes = book.data()
public struct XLSXWorkbook: Sendable {
    /// A sheet already rendered to its worksheet XML.
    private struct Sheet: Sendable {
        let name: String
        let xml: Data
    }

    private var sheets: [Sheet] = []
    /// Shared-string table: each entry is the escaped XML text, in first-use order.
    /// Keys are the bytes, not `String`, so canonically-equivalent but
    /// differently-encoded texts (e.g. NFC and NFD) both keep their own form.
    private var sharedStrings: [Data] = []
    private var sharedStringIndex: [Data: Int] = [:]
    /// Number of cells that reference the shared-string table.
    private var sharedStringReferences = 0
    /// Conservative running estimate of the finished file's size.
    private var estimatedSize = Limits.fixedOverhead

    public init() {}

    /// The names of the sheets added so far, in order.
    public var sheetNames: [String] { sheets.map(\.name) }

    /// Appends a sheet.
    ///
    /// - Parameters:
    ///   - name: the tab name; Excel's rules apply (see `XLSXError.SheetNameProblem`).
    ///   - rows: the cells, row by row from A1; rows may have different lengths.
    ///     `.empty` cells and rows with nothing in them are simply not written.
    ///   - columnWidths: widths of columns A, B, … in Excel's character units
    ///     (0 < width <= 255); columns beyond the array keep the default width.
    ///   - frozenHeaderRows: how many top rows stay visible while scrolling (0 = none).
    /// - Throws: `XLSXError`; the workbook is then unchanged.
    public mutating func addSheet(
        named name: String,
        rows: [[XLSXCell]],
        columnWidths: [Double] = [],
        frozenHeaderRows: Int = 0
    ) throws(XLSXError) {
        try Self.validateSheetName(name, existing: sheets.map(\.name))
        guard rows.count <= Limits.rows else {
            throw .tooManyRows(sheet: name, count: rows.count)
        }
        guard frozenHeaderRows >= 0, frozenHeaderRows < Limits.rows else {
            throw .invalidFrozenHeaderRows(sheet: name, count: frozenHeaderRows)
        }
        guard columnWidths.count <= Limits.columns else {
            throw .tooManyColumns(sheet: name, row: 0, count: columnWidths.count)
        }
        for (index, width) in columnWidths.enumerated()
        where !(width.isFinite && width > 0 && width <= Limits.columnWidth) {
            throw .invalidColumnWidth(sheet: name, column: index + 1, width: width)
        }
        guard sheets.count + 1 + Limits.fixedPartCount <= Limits.zipEntries else {
            throw .workbookTooLarge
        }

        // Work on copies of the string table so a throw leaves `self` untouched.
        var strings = sharedStrings
        var stringIndex = sharedStringIndex
        var references = sharedStringReferences
        var addedStringBytes = 0

        var sheetData = ""
        var firstRow = Int.max, lastRow = 0, firstColumn = Int.max, lastColumn = 0

        for (rowOffset, row) in rows.enumerated() {
            let rowNumber = rowOffset + 1
            guard row.count <= Limits.columns else {
                throw .tooManyColumns(sheet: name, row: rowNumber, count: row.count)
            }
            var rowXML = ""
            for (columnOffset, cell) in row.enumerated() {
                let columnNumber = columnOffset + 1
                let reference = Self.columnLetters(columnNumber) + String(rowNumber)
                switch cell {
                case .empty:
                    continue
                case let .integer(value):
                    rowXML += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                case let .number(value):
                    guard value.isFinite else {
                        throw .nonFiniteNumber(sheet: name, cell: reference)
                    }
                    rowXML += "<c r=\"\(reference)\"><v>\(Self.numberText(value))</v></c>"
                case let .text(text), let .bold(text):
                    let cleaned = Self.droppingInvalidXMLCharacters(text)
                    let length = cleaned.utf16.count
                    guard length <= Limits.cellTextLength else {
                        throw .textTooLong(sheet: name, cell: reference, length: length)
                    }
                    let escaped = Data(Self.xmlEscaped(Self.xstringEscaped(cleaned)).utf8)
                    let index: Int
                    if let known = stringIndex[escaped] {
                        index = known
                    } else {
                        index = strings.count
                        strings.append(escaped)
                        stringIndex[escaped] = index
                        addedStringBytes += escaped.count + Limits.sharedStringOverhead
                    }
                    references += 1
                    let style = if case .bold = cell { " s=\"\(Style.bold)\"" } else { "" }
                    rowXML += "<c r=\"\(reference)\" t=\"s\"\(style)><v>\(index)</v></c>"
                }
                firstColumn = min(firstColumn, columnNumber)
                lastColumn = max(lastColumn, columnNumber)
            }
            if !rowXML.isEmpty {
                sheetData += "<row r=\"\(rowNumber)\">" + rowXML + "</row>"
                firstRow = min(firstRow, rowNumber)
                lastRow = max(lastRow, rowNumber)
            }
        }

        let dimension = lastRow == 0
            ? "A1"
            : Self.columnLetters(firstColumn) + String(firstRow) + ":"
                + Self.columnLetters(lastColumn) + String(lastRow)
        let xml = Data(Self.worksheetXML(
            dimension: dimension,
            sheetData: sheetData,
            columnWidths: columnWidths,
            frozenHeaderRows: frozenHeaderRows,
            isFirstSheet: sheets.isEmpty
        ).utf8)

        // Every sheet adds its XML, two ZIP headers and a few lines elsewhere.
        let newSize = estimatedSize + xml.count + addedStringBytes
            + Limits.perSheetOverhead + 3 * name.utf8.count
        guard newSize <= Limits.zipSize else { throw .workbookTooLarge }

        sheets.append(Sheet(name: name, xml: xml))
        sharedStrings = strings
        sharedStringIndex = stringIndex
        sharedStringReferences = references
        estimatedSize = newSize
    }

    /// The bytes of the .xlsx file. A workbook with no sheets gets one empty
    /// sheet named "Sheet1", because Excel refuses a workbook without sheets.
    public func data() -> Data {
        var sheets = self.sheets
        if sheets.isEmpty {
            let empty = Self.worksheetXML(dimension: "A1", sheetData: "", columnWidths: [],
                                          frozenHeaderRows: 0, isFirstSheet: true)
            sheets = [Sheet(name: "Sheet1", xml: Data(empty.utf8))]
        }

        var zip = ZipWriter()
        zip.addFile("[Content_Types].xml", Data(Self.contentTypesXML(sheetCount: sheets.count).utf8))
        zip.addFile("_rels/.rels", Data(Self.rootRelationshipsXML.utf8))
        zip.addFile("xl/workbook.xml", Data(Self.workbookXML(sheetNames: sheets.map(\.name)).utf8))
        zip.addFile("xl/_rels/workbook.xml.rels",
                    Data(Self.workbookRelationshipsXML(sheetCount: sheets.count).utf8))
        zip.addFile("xl/styles.xml", Data(Self.stylesXML.utf8))
        zip.addFile("xl/sharedStrings.xml", sharedStringsXML())
        for (index, sheet) in sheets.enumerated() {
            zip.addFile("xl/worksheets/sheet\(index + 1).xml", sheet.xml)
        }
        return zip.finish()
    }

    /// Writes `data()` to `url` atomically.
    public func write(to url: URL) throws {
        try data().write(to: url, options: .atomic)
    }
}

// MARK: - Limits and styles

/// Excel's documented limits and the ZIP (non-ZIP64) limits.
enum Limits {
    static let rows = 1_048_576
    static let columns = 16_384
    static let cellTextLength = 32_767
    static let sheetNameLength = 31
    static let columnWidth = 255.0
    static let zipEntries = 0xFFFF
    static let zipSize = Int(UInt32.max)
    /// Parts written besides the worksheets.
    static let fixedPartCount = 6
    /// Generous upper bound for the fixed parts, their headers and the directory end.
    static let fixedOverhead = 16_384
    /// Upper bound for what one sheet adds outside its own XML and name.
    static let perSheetOverhead = 1_024
    /// `<si><t xml:space="preserve"></t></si>`
    static let sharedStringOverhead = 40
}

/// Indexes into `<cellXfs>` in styles.xml.
enum Style {
    static let normal = 0
    static let bold = 1
}

// MARK: - Helpers (internal so the tests can reach them)

extension XLSXWorkbook {
    /// Column number (1-based) to letters: 1 → "A", 26 → "Z", 27 → "AA",
    /// 702 → "ZZ", 703 → "AAA". Returns "" for numbers below 1.
    static func columnLetters(_ column: Int) -> String {
        guard column > 0 else { return "" }
        var remaining = column
        var letters: [Unicode.Scalar] = []
        while remaining > 0 {
            // Bijective base 26: there is no zero digit, "Z" is 26.
            let digit = (remaining - 1) % 26
            letters.append(Unicode.Scalar(UInt8(65 + digit)))  // 65 = "A"
            remaining = (remaining - 1) / 26
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: letters.reversed())
        return result
    }

    /// Whether XML 1.0 allows the scalar in a document:
    /// #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
    /// (Swift scalars are never surrogates, so D800–DFFF needs no test.)
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Drops the characters XML 1.0 cannot represent at all.
    static func droppingInvalidXMLCharacters(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: text.unicodeScalars.filter(isAllowedInXML))
        return result
    }

    /// Escapes text for use in XML element content and in attribute values
    /// (quoted with either quote). Tab, LF and CR become character references
    /// so that XML parsers' newline and attribute normalisation cannot alter
    /// them. Characters XML cannot carry are dropped.
    static func xmlEscaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t": result += "&#9;"
            case "\n": result += "&#10;"
            case "\r": result += "&#13;"
            default:
                if isAllowedInXML(scalar) { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    /// Excel reads `_xHHHH_` in cell text as an escaped UTF-16 unit, so a
    /// literal "_x0041_" would show as "A". Such sequences are protected by
    /// escaping their leading underscore as `_x005F_`.
    static func xstringEscaped(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = ""
        result.unicodeScalars.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "_", startsEscapeSequence(scalars, at: index) {
                result += "_x005F"
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// Whether `scalars[index...]` begins with `_x` + 4 hex digits + `_`.
    private static func startsEscapeSequence(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 7 <= scalars.count,
              scalars[index] == "_", scalars[index + 1] == "x", scalars[index + 6] == "_"
        else { return false }
        return scalars[(index + 2)..<(index + 6)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// Text form of a finite Double: whole numbers without ".0" where exact,
    /// otherwise Swift's shortest round-tripping form (locale-independent,
    /// e.g. "0.95", "1e-05", "1e+20", all valid xsd:double).
    static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int(value))
        }
        return value.description
    }

    /// Throws if Excel would refuse `name` next to the `existing` sheet names.
    static func validateSheetName(_ name: String, existing: [String]) throws(XLSXError) {
        guard !name.isEmpty else { throw .invalidSheetName(name, .empty) }
        guard name.utf16.count <= Limits.sheetNameLength else {
            throw .invalidSheetName(name, .tooLong)
        }
        for character in name {
            let forbidden = "[]:*?/\\".contains(character)
                || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
                || !character.unicodeScalars.allSatisfy(isAllowedInXML)
            if forbidden { throw .invalidSheetName(name, .forbiddenCharacter(character)) }
        }
        guard !name.hasPrefix("'"), !name.hasSuffix("'") else {
            throw .invalidSheetName(name, .apostropheAtEdge)
        }
        guard name.caseInsensitiveCompare("History") != .orderedSame else {
            throw .invalidSheetName(name, .reserved)
        }
        guard !existing.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw .invalidSheetName(name, .duplicate)
        }
    }
}

// MARK: - Package parts

extension XLSXWorkbook {
    private static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    private static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relationshipNamespace =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let packageRelationshipNamespace =
        "http://schemas.openxmlformats.org/package/2006/relationships"

    static func contentTypesXML(sheetCount: Int) -> String {
        let prefix = "application/vnd.openxmlformats-officedocument.spreadsheetml."
        var xml = xmlDeclaration
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"\(prefix)sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"\(prefix)styles+xml\"/>"
            + "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"\(prefix)sharedStrings+xml\"/>"
        for number in 1...max(sheetCount, 1) {
            xml += "<Override PartName=\"/xl/worksheets/sheet\(number).xml\" ContentType=\"\(prefix)worksheet+xml\"/>"
        }
        return xml + "</Types>"
    }

    static let rootRelationshipsXML = xmlDeclaration
        + "<Relationships xmlns=\"\(packageRelationshipNamespace)\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    /// Sheets are rId1…rIdN; styles and shared strings follow them.
    static func workbookRelationshipsXML(sheetCount: Int) -> String {
        var xml = xmlDeclaration + "<Relationships xmlns=\"\(packageRelationshipNamespace)\">"
        for number in 1...max(sheetCount, 1) {
            xml += "<Relationship Id=\"rId\(number)\" Type=\"\(relationshipNamespace)/worksheet\""
                + " Target=\"worksheets/sheet\(number).xml\"/>"
        }
        xml += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(relationshipNamespace)/styles\" Target=\"styles.xml\"/>"
        xml += "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(relationshipNamespace)/sharedStrings\""
            + " Target=\"sharedStrings.xml\"/>"
        return xml + "</Relationships>"
    }

    static func workbookXML(sheetNames: [String]) -> String {
        var xml = xmlDeclaration
            + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
        for (index, name) in sheetNames.enumerated() {
            xml += "<sheet name=\"\(xmlEscaped(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        return xml + "</sheets></workbook>"
    }

    /// Style 0 is the default font, style 1 the same font in bold. Excel
    /// requires the two fills (none, gray125) even when nothing uses them.
    static let stylesXML = xmlDeclaration
        + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<fonts count=\"2\">"
        + "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "</fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
        + "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"2\">"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
        + "</cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"

    func sharedStringsXML() -> Data {
        var xml = Data((Self.xmlDeclaration
            + "<sst xmlns=\"\(Self.mainNamespace)\" count=\"\(sharedStringReferences)\""
            + " uniqueCount=\"\(sharedStrings.count)\">").utf8)
        for text in sharedStrings {
            xml.append(contentsOf: "<si><t xml:space=\"preserve\">".utf8)
            xml.append(text)
            xml.append(contentsOf: "</t></si>".utf8)
        }
        xml.append(contentsOf: "</sst>".utf8)
        return xml
    }

    /// Element order follows the schema: dimension, sheetViews, sheetFormatPr, cols, sheetData.
    static func worksheetXML(
        dimension: String,
        sheetData: String,
        columnWidths: [Double],
        frozenHeaderRows: Int,
        isFirstSheet: Bool
    ) -> String {
        var xml = xmlDeclaration
            + "<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + "<dimension ref=\"\(dimension)\"/>"
            + "<sheetViews><sheetView" + (isFirstSheet ? " tabSelected=\"1\"" : "") + " workbookViewId=\"0\">"
        if frozenHeaderRows > 0 {
            let topLeft = "A\(frozenHeaderRows + 1)"
            xml += "<pane ySplit=\"\(frozenHeaderRows)\" topLeftCell=\"\(topLeft)\""
                + " activePane=\"bottomLeft\" state=\"frozen\"/>"
                + "<selection pane=\"bottomLeft\" activeCell=\"\(topLeft)\" sqref=\"\(topLeft)\"/>"
        }
        xml += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
        if !columnWidths.isEmpty {
            xml += "<cols>"
            for (index, width) in columnWidths.enumerated() {
                xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        xml += sheetData.isEmpty ? "<sheetData/>" : "<sheetData>" + sheetData + "</sheetData>"
        return xml + "</worksheet>"
    }
}

// MARK: - ZIP container

/// IEEE CRC-32 (reflected polynomial 0xEDB88320), table-driven.
enum CRC32 {
    /// table[n] is the CRC of the single byte n.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            for byte in buffer {
                crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)]
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

/// Writes a ZIP archive of "stored" (uncompressed) entries, in the order added.
/// Sizes must stay below 4 GiB; `XLSXWorkbook.addSheet` guarantees that.
struct ZipWriter {
    private struct Entry {
        let name: Data
        let crc: UInt32
        let size: UInt32
        let offset: UInt32
    }

    private var output = Data()
    private var entries: [Entry] = []

    /// Version 2.0 (needed for the UTF-8 flag to be honoured by old readers);
    /// bit 11 of the flags says names are UTF-8; 1980-01-01 00:00:00 as DOS time.
    private static let version: UInt16 = 20
    private static let utf8Flag: UInt16 = 1 << 11
    private static let storedMethod: UInt16 = 0
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    mutating func addFile(_ path: String, _ contents: Data) {
        let name = Data(path.utf8)
        let entry = Entry(name: name, crc: CRC32.checksum(contents),
                          size: UInt32(truncatingIfNeeded: contents.count),
                          offset: UInt32(truncatingIfNeeded: output.count))
        output.appendLE(UInt32(0x0403_4B50))  // local file header signature
        output.appendLE(Self.version)
        output.appendLE(Self.utf8Flag)
        output.appendLE(Self.storedMethod)
        output.appendLE(Self.dosTime)
        output.appendLE(Self.dosDate)
        output.appendLE(entry.crc)
        output.appendLE(entry.size)  // compressed size (stored: the same)
        output.appendLE(entry.size)  // uncompressed size
        output.appendLE(UInt16(truncatingIfNeeded: name.count))
        output.appendLE(UInt16(0))  // extra field length
        output.append(name)
        output.append(contents)
        entries.append(entry)
    }

    /// Appends the central directory and its end record, and returns the archive.
    func finish() -> Data {
        var archive = output
        let directoryOffset = UInt32(truncatingIfNeeded: archive.count)
        for entry in entries {
            archive.appendLE(UInt32(0x0201_4B50))  // central directory header signature
            archive.appendLE(Self.version)  // made by: MS-DOS, 2.0
            archive.appendLE(Self.version)  // needed to extract
            archive.appendLE(Self.utf8Flag)
            archive.appendLE(Self.storedMethod)
            archive.appendLE(Self.dosTime)
            archive.appendLE(Self.dosDate)
            archive.appendLE(entry.crc)
            archive.appendLE(entry.size)
            archive.appendLE(entry.size)
            archive.appendLE(UInt16(truncatingIfNeeded: entry.name.count))
            archive.appendLE(UInt16(0))  // extra field length
            archive.appendLE(UInt16(0))  // comment length
            archive.appendLE(UInt16(0))  // disk number start
            archive.appendLE(UInt16(0))  // internal attributes
            archive.appendLE(UInt32(0))  // external attributes
            archive.appendLE(entry.offset)
            archive.append(entry.name)
        }
        let directorySize = UInt32(truncatingIfNeeded: archive.count) &- directoryOffset
        let count = UInt16(truncatingIfNeeded: entries.count)
        archive.appendLE(UInt32(0x0605_4B50))  // end of central directory signature
        archive.appendLE(UInt16(0))  // this disk
        archive.appendLE(UInt16(0))  // disk with the central directory
        archive.appendLE(count)  // entries on this disk
        archive.appendLE(count)  // entries in total
        archive.appendLE(directorySize)
        archive.appendLE(directoryOffset)
        archive.appendLE(UInt16(0))  // comment length
        return archive
    }
}

extension Data {
    /// Appends an integer in little-endian byte order, as ZIP requires.
    fileprivate mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
