// Cuts a TrueType font down to the glyphs one document uses, renumbered from 0, so the PDF carries a few kilobytes of
// outlines instead of the whole 5 MB Chinese font, and no printer has to substitute a font of its own.
import Foundation

/// A subset of a ``TrueTypeFont``: the glyphs kept, their new ids, and the subset as a TrueType file.
///
/// Glyph 0 (.notdef) is always kept. A composite glyph brings the glyphs it is built from, and its component
/// references are rewritten to the new ids. The file has the tables a PDF reader needs to draw the glyphs
/// (`head`, `hhea`, `maxp`, `hmtx`, `loca`, `glyf`, `post`, and the hinting tables `cvt `, `fpgm`, `prep` when the
/// font has them); it has no `cmap`, because the PDF maps its character ids to glyphs itself (CIDToGIDMap).
public struct TrueTypeSubset: Sendable {
    /// The original glyph ids kept, in new-id order: `originalGlyphs[newID]`.
    public let originalGlyphs: [Int]
    /// New id of each original glyph kept.
    public let newID: [Int: Int]
    /// The advance width of each new glyph, in font units.
    public let advances: [Int]
    /// The subset as a TrueType file.
    public let fontFile: [UInt8]

    /// Subsets `font` to `glyphs` (original ids) and whatever their composites need.
    /// - Throws: ``FontError`` when an outline is damaged.
    public init(font: TrueTypeFont, glyphs: Set<Int>) throws(FontError) {
        // Close over composite components.
        var kept: Set<Int> = [0]
        var pending = Array(glyphs.filter { $0 > 0 && $0 < font.glyphCount })
        while let g = pending.popLast() {
            guard kept.insert(g).inserted else { continue }
            for component in try Self.components(of: font.outline(ofGlyph: g), file: font.file) where !kept.contains(component) {
                guard component < font.glyphCount else {
                    throw FontError(file: font.file, problem: "is damaged (glyph \(g) refers to glyph \(component), of \(font.glyphCount))")
                }
                pending.append(component)
            }
        }
        let order = kept.sorted()
        var newID: [Int: Int] = [:]
        for (i, g) in order.enumerated() { newID[g] = i }
        originalGlyphs = order
        self.newID = newID
        advances = order.map { font.advance(ofGlyph: $0) }
        fontFile = try Self.build(font: font, order: order, newID: newID, advances: advances)
    }

    // Composite glyph flags (the glyf table's component records).
    static let argsAreWords: UInt16 = 0x0001
    static let haveScale: UInt16 = 0x0008
    static let moreComponents: UInt16 = 0x0020
    static let haveXYScale: UInt16 = 0x0040
    static let haveTwoByTwo: UInt16 = 0x0080

    /// Walks a composite glyph's component records: calls `visit` with the byte offset of each component's glyph
    /// index (relative to the outline's start) and the index.
    static func walkComponents(_ outline: ArraySlice<UInt8>, file: String, _ visit: (Int, Int) throws(FontError) -> Void) throws(FontError) {
        let data = FontBytes(bytes: Array(outline), file: file)
        guard data.count >= 10, try data.i16(0, "numberOfContours") < 0 else { return }
        var at = 10
        while true {
            let flags = try data.u16(at, "component flags")
            let glyph = Int(try data.u16(at + 2, "component glyph"))
            try visit(at + 2, glyph)
            at += 4 + (flags & argsAreWords != 0 ? 4 : 2)
            if flags & haveScale != 0 { at += 2 } else if flags & haveXYScale != 0 { at += 4 } else if flags & haveTwoByTwo != 0 { at += 8 }
            guard flags & moreComponents != 0 else { return }
            guard at < data.count else { throw data.damaged("a composite glyph's components run past its end") }
        }
    }

    static func components(of outline: ArraySlice<UInt8>, file: String) throws(FontError) -> [Int] {
        var found: [Int] = []
        try walkComponents(outline, file: file) { _, glyph in found.append(glyph) }
        return found
    }

    /// The subset file: the tables in tag order, each 4-byte aligned, with checksums and head's checkSumAdjustment.
    static func build(font: TrueTypeFont, order: [Int], newID: [Int: Int], advances: [Int]) throws(FontError) -> [UInt8] {
        var glyf: [UInt8] = [], loca: [UInt8] = [], hmtx: [UInt8] = []
        glyf.reserveCapacity(order.count * 256)
        // A subset is never larger than the font's own glyf table: outlines that overlap (a damaged or hostile loca
        // table) cannot make it grow beyond that.
        let glyfLimit = font.table("glyf")?.count ?? 0
        for (i, g) in order.enumerated() {
            loca.appendU32(UInt32(glyf.count))
            var outline = Array(try font.outline(ofGlyph: g))
            guard glyf.count + outline.count <= glyfLimit + 4 * order.count else {
                throw FontError(file: font.file, problem: "is damaged (its glyph outlines overlap: the subset outgrows the font)")
            }
            var rewrites: [(Int, Int)] = []
            try walkComponents(outline[...], file: font.file) { at, component in rewrites.append((at, newID[component] ?? 0)) }
            for (at, id) in rewrites { outline[at] = UInt8(id >> 8); outline[at + 1] = UInt8(id & 0xFF) }
            glyf += outline
            while glyf.count % 4 != 0 { glyf.append(0) }
            hmtx.appendU16(UInt16(clamping: advances[i]))
            hmtx.appendU16(UInt16(bitPattern: font.leftSideBearing(ofGlyph: g)))
        }
        loca.appendU32(UInt32(glyf.count))

        func copy(_ tag: String, minimum: Int) throws(FontError) -> [UInt8] {
            guard let table = font.table(tag), table.count >= minimum else {
                throw FontError(file: font.file, problem: "is damaged (\(tag) table too short)")
            }
            return Array(table)
        }
        var head = try copy("head", minimum: 54)
        head.put(UInt32(0), at: 8)              // checkSumAdjustment, set below
        head.put(UInt16(1), at: 50)             // indexToLocFormat: long offsets
        var hhea = try copy("hhea", minimum: 36)
        hhea.put(UInt16(order.count), at: 34)   // numberOfHMetrics: every glyph has its own
        var maxp = try copy("maxp", minimum: 6)
        maxp.put(UInt16(order.count), at: 4)    // numGlyphs
        var post: [UInt8] = []
        if let original = font.table("post"), original.count >= 32 {
            post = Array(original.prefix(32))
        } else {
            post = [UInt8](repeating: 0, count: 32)
        }
        post.put(UInt32(0x0003_0000), at: 0)    // version 3: no glyph names

        var tables: [(String, [UInt8])] = [("glyf", glyf), ("head", head), ("hhea", hhea), ("hmtx", hmtx), ("loca", loca),
                                           ("maxp", maxp), ("post", post)]
        for tag in ["cvt ", "fpgm", "prep"] { if let table = font.table(tag) { tables.append((tag, Array(table))) } }
        tables.sort { $0.0 < $1.0 }

        var out: [UInt8] = []
        let count = tables.count
        var power = 1, log = 0
        while power * 2 <= count { power *= 2; log += 1 }
        out.appendU32(0x0001_0000)
        out.appendU16(UInt16(count))
        out.appendU16(UInt16(power * 16))
        out.appendU16(UInt16(log))
        out.appendU16(UInt16(count * 16 - power * 16))
        var offset = 12 + 16 * count
        var headOffset = 0
        for (tag, bytes) in tables {
            out += Array(tag.utf8)
            out.appendU32(checksum(bytes))
            out.appendU32(UInt32(offset))
            out.appendU32(UInt32(bytes.count))
            if tag == "head" { headOffset = offset }
            offset += (bytes.count + 3) & ~3
        }
        for (_, bytes) in tables {
            out += bytes
            while out.count % 4 != 0 { out.append(0) }
        }
        out.put(0xB1B0_AFBA &- checksum(out), at: headOffset + 8)
        return out
    }

    /// The TrueType checksum: the sum of big-endian 32-bit words, the last one padded with zeros.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var i = 0
        while i < bytes.count {
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | UInt32(i + k < bytes.count ? bytes[i + k] : 0) }
            sum = sum &+ word
            i += 4
        }
        return sum
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ value: UInt16) {
        append(UInt8(value >> 8)); append(UInt8(value & 0xFF))
    }

    mutating func appendU32(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8(value >> 16 & 0xFF)); append(UInt8(value >> 8 & 0xFF)); append(UInt8(value & 0xFF))
    }

    mutating func put(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(value >> 8); self[offset + 1] = UInt8(value & 0xFF)
    }

    mutating func put(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(value >> 24); self[offset + 1] = UInt8(value >> 16 & 0xFF)
        self[offset + 2] = UInt8(value >> 8 & 0xFF); self[offset + 3] = UInt8(value & 0xFF)
    }
}
