// A TrueType font read from a .ttf file or one face of a .ttc collection: just what laying out text and embedding a
// subset need (cmap formats 4 and 12, hmtx, loca, glyf, head, hhea, maxp). Every read is bounds-checked: a damaged
// file is a FontError, never a crash.
import Foundation

/// Why a font file cannot be used for PDF notices, in words for the person who configured it.
public struct FontError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The font file.
    public let file: String
    /// What is wrong with it.
    public let problem: String
    /// What to do about it.
    public let advice: String

    public init(file: String, problem: String, advice: String = FontError.defaultAdvice) {
        self.file = file
        self.problem = problem
        self.advice = advice
    }

    /// Install a font CounterGate can embed and name it in the configuration.
    public static let defaultAdvice = "install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set [printing] pdf_font to a TrueType (glyf) Chinese font, .ttf or .ttc"

    public var description: String { "font \(file) \(problem): \(advice)" }
}

/// Big-endian reads from a byte array that throw instead of trapping when a read runs past the end.
struct FontBytes: Sendable {
    let bytes: [UInt8]
    let file: String

    var count: Int { bytes.count }

    func damaged(_ what: String) -> FontError {
        FontError(file: file, problem: "is damaged or not a font (\(what))")
    }

    func check(_ offset: Int, _ length: Int, _ what: String) throws(FontError) {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw damaged("\(what) at byte \(offset) runs past the end of the file (\(bytes.count) bytes)")
        }
    }

    func u8(_ offset: Int, _ what: String) throws(FontError) -> UInt8 {
        try check(offset, 1, what)
        return bytes[offset]
    }

    func u16(_ offset: Int, _ what: String) throws(FontError) -> UInt16 {
        try check(offset, 2, what)
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    func i16(_ offset: Int, _ what: String) throws(FontError) -> Int16 {
        Int16(bitPattern: try u16(offset, what))
    }

    func u32(_ offset: Int, _ what: String) throws(FontError) -> UInt32 {
        try check(offset, 4, what)
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    func slice(_ offset: Int, _ length: Int, _ what: String) throws(FontError) -> ArraySlice<UInt8> {
        try check(offset, length, what)
        return bytes[offset..<(offset + length)]
    }
}

/// One TrueType face, parsed enough to measure text, map characters to glyphs and cut out a subset.
///
/// Loading reads the whole file once; lookups afterwards touch only the tables they need. Fonts with CFF outlines
/// (`OTTO`, as Noto CJK's .otf/.ttc are) are refused: the subsetter copies `glyf` outlines.
public struct TrueTypeFont: Sendable {
    /// A table's place in the file.
    struct Table: Sendable, Hashable {
        let offset: Int
        let length: Int
    }

    /// The file it was read from.
    public let file: String
    /// The face within a collection (0 for a plain .ttf).
    public let faceIndex: Int
    /// The PostScript name (`name` table, id 6), or one made from the file name; letters and digits only.
    public let postScriptName: String
    /// Font units per em (`head`).
    public let unitsPerEm: Int
    /// Ascender and descender in font units (`hhea`), the descender negative.
    public let ascender: Int
    public let descender: Int
    /// The bounding box of all glyphs in font units (`head`): xMin, yMin, xMax, yMax.
    public let boundingBox: [Int]
    /// The number of glyphs (`maxp`).
    public let glyphCount: Int

    let data: FontBytes
    let tables: [String: Table]
    let longLoca: Bool
    let horizontalMetricsCount: Int
    /// Nil only for a font read without one (a subset, in the tests).
    let cmap: CharacterMap?

    /// The largest font file read (Chinese TrueType collections are 5 to 40 MB).
    static let fileLimit = 128 << 20

    /// Reads face `faceIndex` of the font file at `path`.
    /// - Throws: ``FontError`` naming the file when it is missing, unreadable, damaged, not TrueType or has no
    ///   Unicode character map.
    public init(path: String, faceIndex: Int = 0) throws(FontError) {
        // Only a regular file of a font's size is read: a FIFO, a device or a huge file named by mistake is refused.
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
                throw FontError(file: path, problem: "is not a regular file (a directory, device or pipe); name a .ttf or .ttc font file")
            }
            if let size = (attributes[.size] as? NSNumber)?.intValue, size > Self.fileLimit {
                throw FontError(file: path, problem: "is \(size / (1 << 20)) MiB, larger than any font CounterGate sets notices in (\(Self.fileLimit >> 20) MiB); name the font file itself")
            }
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw FontError(file: path, problem: exists ? "cannot be read (check its permissions)" : "does not exist")
        }
        try self.init(bytes: [UInt8](contents), file: path, faceIndex: faceIndex)
    }

    /// Parses a font from memory; `file` names it in errors.
    public init(bytes: [UInt8], file: String, faceIndex: Int = 0) throws(FontError) {
        try self.init(bytes: bytes, file: file, faceIndex: faceIndex, requireCharacterMap: true)
    }

    /// Parses a font, which may lack a character map when `requireCharacterMap` is false (a subset made for a PDF).
    init(bytes: [UInt8], file: String, faceIndex: Int, requireCharacterMap: Bool) throws(FontError) {
        let data = FontBytes(bytes: bytes, file: file)
        self.data = data
        self.file = file
        self.faceIndex = faceIndex
        var directory = 0
        let tag = try data.u32(0, "file signature")
        if tag == 0x7474_6366 {  // 'ttcf': a collection; pick the face
            let faces = Int(try data.u32(8, "collection face count"))
            guard faceIndex >= 0, faceIndex < faces else {
                throw FontError(file: file, problem: "has \(faces) faces, not face \(faceIndex)", advice: "choose a face from 0 to \(max(0, faces - 1))")
            }
            directory = Int(try data.u32(12 + 4 * faceIndex, "collection face offset"))
        }
        let version = try data.u32(directory, "font version")
        if version == 0x4F54_544F {  // 'OTTO'
            throw FontError(file: file, problem: "has PostScript (CFF) outlines, which CounterGate cannot subset",
                            advice: "use a TrueType font with glyf outlines, e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (apt-get install fonts-wqy-microhei)")
        }
        guard version == 0x0001_0000 || version == 0x7472_7565 else {  // 1.0 or 'true'
            throw FontError(file: file, problem: "is not a TrueType font (signature \(String(version, radix: 16)))")
        }
        let count = Int(try data.u16(directory + 4, "table count"))
        var tables: [String: Table] = [:]
        for i in 0..<count {
            let record = directory + 12 + 16 * i
            let tagBytes = try data.slice(record, 4, "table tag")
            let name = String(decoding: tagBytes, as: UTF8.self)
            let offset = Int(try data.u32(record + 8, "table offset")), length = Int(try data.u32(record + 12, "table length"))
            try data.check(offset, length, "table \(name)")
            tables[name] = Table(offset: offset, length: length)
        }
        for required in ["head", "hhea", "maxp", "hmtx", "loca", "glyf"] + (requireCharacterMap ? ["cmap"] : []) where tables[required] == nil {
            throw FontError(file: file, problem: required == "glyf" || required == "loca"
                            ? "has no TrueType outlines (no \(required) table)" : "has no \(required) table")
        }
        self.tables = tables
        let head = tables["head"]!, hhea = tables["hhea"]!, maxp = tables["maxp"]!
        try data.check(head.offset, 54, "head table")
        try data.check(hhea.offset, 36, "hhea table")
        try data.check(maxp.offset, 6, "maxp table")
        let upem = Int(try data.u16(head.offset + 18, "unitsPerEm"))
        guard (16...16384).contains(upem) else { throw data.damaged("unitsPerEm is \(upem)") }
        unitsPerEm = upem
        boundingBox = [Int(try data.i16(head.offset + 36, "xMin")), Int(try data.i16(head.offset + 38, "yMin")),
                       Int(try data.i16(head.offset + 40, "xMax")), Int(try data.i16(head.offset + 42, "yMax"))]
        longLoca = try data.i16(head.offset + 50, "indexToLocFormat") == 1
        ascender = Int(try data.i16(hhea.offset + 4, "ascender"))
        descender = Int(try data.i16(hhea.offset + 6, "descender"))
        glyphCount = Int(try data.u16(maxp.offset + 4, "numGlyphs"))
        let metrics = Int(try data.u16(hhea.offset + 34, "numberOfHMetrics"))
        guard glyphCount > 0, metrics > 0, metrics <= glyphCount else {
            throw data.damaged("numGlyphs \(glyphCount), numberOfHMetrics \(metrics)")
        }
        horizontalMetricsCount = metrics
        guard tables["hmtx"]!.length >= 4 * metrics + 2 * (glyphCount - metrics) else { throw data.damaged("hmtx is too short") }
        guard tables["loca"]!.length >= (longLoca ? 4 : 2) * (glyphCount + 1) else { throw data.damaged("loca is too short") }
        if let table = tables["cmap"] { cmap = try CharacterMap(data: data, table: table) } else { cmap = nil }
        postScriptName = (try? Self.readPostScriptName(data: data, table: tables["name"])) ?? Self.nameFromFile(file)
    }

    /// The glyph for a character, or nil when the font has none.
    public func glyph(for scalar: Unicode.Scalar) -> Int? {
        guard let cmap, let g = try? cmap.glyph(UInt32(scalar.value), data: data), g > 0, g < glyphCount else { return nil }
        return g
    }

    /// The advance width of a glyph in font units; 0 for a glyph id out of range.
    public func advance(ofGlyph glyph: Int) -> Int {
        guard glyph >= 0, glyph < glyphCount, let hmtx = tables["hmtx"] else { return 0 }
        let index = min(glyph, horizontalMetricsCount - 1)
        return Int((try? data.u16(hmtx.offset + 4 * index, "advance")) ?? 0)
    }

    /// The left side bearing of a glyph in font units.
    func leftSideBearing(ofGlyph glyph: Int) -> Int16 {
        guard let hmtx = tables["hmtx"] else { return 0 }
        if glyph < horizontalMetricsCount { return (try? data.i16(hmtx.offset + 4 * glyph + 2, "lsb")) ?? 0 }
        return (try? data.i16(hmtx.offset + 4 * horizontalMetricsCount + 2 * (glyph - horizontalMetricsCount), "lsb")) ?? 0
    }

    /// Where a glyph's outline is in the `glyf` table: its bytes, empty for a glyph with no outline (a space).
    func outline(ofGlyph glyph: Int) throws(FontError) -> ArraySlice<UInt8> {
        guard glyph >= 0, glyph < glyphCount else { throw data.damaged("glyph \(glyph) of \(glyphCount)") }
        let loca = tables["loca"]!, glyf = tables["glyf"]!
        let start: Int, end: Int
        if longLoca {
            start = Int(try data.u32(loca.offset + 4 * glyph, "loca")); end = Int(try data.u32(loca.offset + 4 * glyph + 4, "loca"))
        } else {
            start = 2 * Int(try data.u16(loca.offset + 2 * glyph, "loca")); end = 2 * Int(try data.u16(loca.offset + 2 * glyph + 2, "loca"))
        }
        guard start <= end, end <= glyf.length else { throw data.damaged("glyph \(glyph)'s outline at \(start)..<\(end) is outside glyf") }
        return try data.slice(glyf.offset + start, end - start, "glyph \(glyph)")
    }

    /// The raw bytes of a table, when the font has it.
    func table(_ tag: String) -> ArraySlice<UInt8>? {
        guard let t = tables[tag] else { return nil }
        return try? data.slice(t.offset, t.length, tag)
    }

    /// Whether the font covers common Chinese: 中文通知书编号 must all be there.
    public var coversChinese: Bool {
        "中文通知书编号窗口".unicodeScalars.allSatisfy { glyph(for: $0) != nil }
    }

    /// The PostScript name from the `name` table (platform 3 Unicode, or platform 1 Roman).
    static func readPostScriptName(data: FontBytes, table: Table?) throws(FontError) -> String? {
        guard let table else { return nil }
        let count = Int(try data.u16(table.offset + 2, "name count"))
        let strings = table.offset + Int(try data.u16(table.offset + 4, "name storage"))
        for i in 0..<count {
            let record = table.offset + 6 + 12 * i
            let platform = try data.u16(record, "name platform"), nameID = try data.u16(record + 6, "name id")
            guard nameID == 6 else { continue }
            let length = Int(try data.u16(record + 8, "name length")), offset = Int(try data.u16(record + 10, "name offset"))
            let raw = try data.slice(strings + offset, length, "name string")
            var text = ""
            if platform == 3 || platform == 0 {
                var units: [UInt16] = []
                var i = raw.startIndex
                while i + 1 < raw.endIndex { units.append(UInt16(raw[i]) << 8 | UInt16(raw[i + 1])); i += 2 }
                text = String(decoding: units, as: UTF16.self)
            } else {
                text = String(decoding: raw, as: UTF8.self)
            }
            let cleaned = sanitize(text)
            if !cleaned.isEmpty { return cleaned }
        }
        return nil
    }

    static func nameFromFile(_ file: String) -> String {
        let base = (file as NSString).lastPathComponent.split(separator: ".").first.map(String.init) ?? "Font"
        let cleaned = sanitize(base)
        return cleaned.isEmpty ? "Font" : cleaned
    }

    /// Letters, digits and '-' only: what a PDF name can carry without escapes.
    static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }).prefix(63))
    }
}

/// The font's Unicode character map: a format 12 subtable when there is one (all of Unicode), else format 4 (BMP).
struct CharacterMap: Sendable {
    enum Format: Sendable { case segments4(offset: Int, segments: Int), groups12(offset: Int, groups: Int) }
    let format: Format

    init(data: FontBytes, table: TrueTypeFont.Table) throws(FontError) {
        let count = Int(try data.u16(table.offset + 2, "cmap subtable count"))
        var best: (rank: Int, offset: Int)?
        for i in 0..<count {
            let record = table.offset + 4 + 8 * i
            let platform = try data.u16(record, "cmap platform"), encoding = try data.u16(record + 2, "cmap encoding")
            let offset = table.offset + Int(try data.u32(record + 4, "cmap subtable offset"))
            guard let format = try? data.u16(offset, "cmap format") else { continue }
            let rank: Int
            switch (platform, encoding, format) {
            case (3, 10, 12): rank = 4
            case (0, _, 12): rank = 3
            case (3, 1, 4): rank = 2
            case (0, _, 4): rank = 1
            default: continue
            }
            if rank > (best?.rank ?? 0) { best = (rank, offset) }
        }
        guard let best else {
            throw FontError(file: data.file, problem: "has no Unicode character map (cmap format 4 or 12)")
        }
        if try data.u16(best.offset, "cmap format") == 12 {
            let groups = Int(try data.u32(best.offset + 12, "cmap groups"))
            try data.check(best.offset + 16, 12 * groups, "cmap format 12 groups")
            format = .groups12(offset: best.offset + 16, groups: groups)
        } else {
            let segments = Int(try data.u16(best.offset + 6, "cmap segCountX2")) / 2
            try data.check(best.offset + 14, 8 * segments + 2, "cmap format 4 segments")
            format = .segments4(offset: best.offset, segments: segments)
        }
    }

    /// The glyph id of `code`, 0 (.notdef) when unmapped.
    func glyph(_ code: UInt32, data: FontBytes) throws(FontError) -> Int {
        switch format {
        case .groups12(let offset, let groups):
            var low = 0, high = groups - 1
            while low <= high {
                let mid = (low + high) / 2, group = offset + 12 * mid
                let start = try data.u32(group, "cmap group"), end = try data.u32(group + 4, "cmap group")
                if code < start { high = mid - 1 } else if code > end { low = mid + 1 } else {
                    return Int(try data.u32(group + 8, "cmap group")) + Int(code - start)
                }
            }
            return 0
        case .segments4(let offset, let segments):
            guard code <= 0xFFFF else { return 0 }
            let ends = offset + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, ranges = deltas + 2 * segments
            // The first segment whose end is at or after the code (the ends are sorted).
            var low = 0, high = segments - 1, found = -1
            while low <= high {
                let mid = (low + high) / 2
                if UInt32(try data.u16(ends + 2 * mid, "cmap endCode")) >= code { found = mid; high = mid - 1 } else { low = mid + 1 }
            }
            guard found >= 0 else { return 0 }
            let start = UInt32(try data.u16(starts + 2 * found, "cmap startCode"))
            guard code >= start else { return 0 }
            let delta = Int(try data.i16(deltas + 2 * found, "cmap idDelta"))
            let rangeOffset = Int(try data.u16(ranges + 2 * found, "cmap idRangeOffset"))
            if rangeOffset == 0 { return (Int(code) + delta) & 0xFFFF }
            let at = ranges + 2 * found + rangeOffset + 2 * Int(code - start)
            let g = Int(try data.u16(at, "cmap glyphIdArray"))
            return g == 0 ? 0 : (g + delta) & 0xFFFF
        }
    }
}
