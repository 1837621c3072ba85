// A TrueType font in a PDF as a Type 0 font (Identity-H) over a CIDFontType2 subset: the glyphs one document uses,
// their widths, and a ToUnicode map so text can be searched and copied out of the file.
import Foundation

/// The glyphs a document draws, collected while it is laid out, then embedded once at the end.
///
/// Text is shown with glyph ids of the original font while laying out; ``embed(into:resourceName:)`` subsets the
/// font and returns the new ids, which are the character ids (CIDs) the content stream uses: CIDToGIDMap is
/// `/Identity`, so CID n draws glyph n of the subset.
struct PDFFontEmbedding {
    let font: TrueTypeFont
    /// Each original glyph used, with the text it stands for (for ToUnicode).
    private(set) var used: [Int: String] = [:]

    init(font: TrueTypeFont) {
        self.font = font
    }

    /// The glyph ids for `text`, recording them as used.
    /// - Throws: ``NoticePDFError/missingCharacter(_:font:)`` for a character the font has no glyph for.
    mutating func glyphs(for text: String) throws(NoticePDFError) -> [Int] {
        var glyphs: [Int] = []
        glyphs.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format { continue }
            if scalar.properties.generalCategory == .nonspacingMark, glyphs.isEmpty == false, font.glyph(for: scalar) == nil { continue }
            guard let glyph = font.glyph(for: scalar) else { throw .missingCharacter(Character(scalar), font: font.file) }
            glyphs.append(glyph)
            if used[glyph] == nil { used[glyph] = String(scalar) }
        }
        return glyphs
    }

    /// The width of glyphs at `size` points.
    func width(_ glyphs: [Int], size: Double) -> Double {
        var units = 0
        for g in glyphs { units += font.advance(ofGlyph: g) }
        return Double(units) * size / Double(font.unitsPerEm)
    }

    /// The subset tag: six capital letters from the glyphs kept, so two different subsets get different names.
    static func tag(_ glyphs: [Int]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for g in glyphs { hash = (hash ^ UInt64(g)) &* 0x0000_0100_0000_01B3 }
        var letters = ""
        for _ in 0..<6 { letters.append(Character(Unicode.Scalar(UInt8(65 + hash % 26)))); hash /= 26 }
        return letters
    }

    /// Writes the font's objects and returns its object number and the map from original glyph id to CID.
    mutating func embed(into pdf: inout PDFWriter) throws(NoticePDFError) -> (object: Int, cid: [Int: Int]) {
        let subset: TrueTypeSubset
        do { subset = try TrueTypeSubset(font: font, glyphs: Set(used.keys)) } catch { throw .font(error) }
        let name = Self.tag(subset.originalGlyphs) + "+" + font.postScriptName
        let type0 = pdf.reserve(), cidFont = pdf.reserve(), descriptor = pdf.reserve(), file = pdf.reserve(), toUnicode = pdf.reserve()
        let scale = 1000 / Double(font.unitsPerEm)
        func units(_ value: Int) -> String { PDFWriter.number(Double(value) * scale) }

        pdf.object(type0, "<< /Type /Font /Subtype /Type0 /BaseFont /\(name) /Encoding /Identity-H /DescendantFonts [\(cidFont) 0 R] /ToUnicode \(toUnicode) 0 R >>")
        // /W: one run from CID 0, every glyph's advance in thousandths of the text size.
        let widths = subset.advances.map(units).joined(separator: " ")
        pdf.object(cidFont, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor \(descriptor) 0 R /DW 1000 /W [0 [\(widths)]] /CIDToGIDMap /Identity >>")
        let box = font.boundingBox.map(units).joined(separator: " ")
        // Flags 4: symbolic (the glyphs are outside the standard Latin set).
        pdf.object(descriptor, "<< /Type /FontDescriptor /FontName /\(name) /Flags 4 /FontBBox [\(box)] /ItalicAngle 0 /Ascent \(units(font.ascender)) /Descent \(units(font.descender)) /CapHeight \(units(font.ascender)) /StemV 80 /FontFile2 \(file) 0 R >>")
        pdf.stream(file, dictionary: "/Length1 \(subset.fontFile.count)", data: subset.fontFile, compressed: true)
        var toUnicodeText: [(Int, String)] = []
        for (cid, original) in subset.originalGlyphs.enumerated() {
            if let text = used[original] { toUnicodeText.append((cid, text)) }
        }
        pdf.stream(toUnicode, data: Array(Self.toUnicodeCMap(toUnicodeText).utf8))
        return (type0, subset.newID)
    }

    /// The ToUnicode CMap: each CID to the UTF-16BE text it stands for, in blocks of at most 100 (the CMap limit).
    static func toUnicodeCMap(_ entries: [(cid: Int, text: String)]) -> String {
        var cmap = """
        /CIDInit /ProcSet findresource begin
        12 dict begin
        begincmap
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
        /CMapName /Adobe-Identity-UCS def
        /CMapType 2 def
        1 begincodespacerange
        <0000> <FFFF>
        endcodespacerange

        """
        var start = 0
        while start < entries.count {
            let block = entries[start..<min(entries.count, start + 100)]
            cmap += "\(block.count) beginbfchar\n"
            for entry in block {
                cmap += "<" + PDFWriter.hex4(UInt16(entry.cid)) + "> <" + entry.text.utf16.map(PDFWriter.hex4).joined() + ">\n"
            }
            cmap += "endbfchar\n"
            start += 100
        }
        cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        return cmap
    }
}
