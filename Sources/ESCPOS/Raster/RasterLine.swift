// One line of text drawn as a 1-bit image the width of the paper, on the same grid of columns the printer's own font
// uses, so a raster line sits among text lines as if the printer had printed it. Pure: glyphs come from a GlyphSource.

/// Draws lines of text as raster images for one printer profile.
///
/// The grid is the printer's font A: a column is `paper_width_dots / columns_font_a` dots wide (12 on every shipped
/// profile), an ASCII character takes one column and everything else two (``ESCPOSText/displayWidth(_:)``), and a
/// character is drawn with an em square of two columns (24 dots), centred in its columns. A line is as high as the
/// printer's default line spacing (1/6 inch) or the characters, whichever is more. Double size doubles everything.
///
/// A character no font has is drawn as an empty box (□, "tofu"), never left out or printed as `?`, and
/// reported in ``Drawn/missing``.
public struct RasterLine: Sendable {
    /// How the line is set (the notice's text style).
    public struct Style: Sendable, Hashable {
        public var alignment: ESCPOSDocument.Alignment
        /// Each stroke thickened by one dot to the right (as the printer's `ESC E` does).
        public var bold: Bool
        /// 1 for normal, 2 for double width and height.
        public var scale: Int

        public init(alignment: ESCPOSDocument.Alignment = .left, bold: Bool = false, scale: Int = 1) {
            self.alignment = alignment
            self.bold = bold
            self.scale = min(8, max(1, scale))
        }
    }

    /// A drawn line.
    public struct Drawn: Sendable {
        /// The line, `paper_width_dots` wide.
        public let image: RasterImage
        /// Characters no font had, drawn as boxes, in order of appearance.
        public let missing: [Character]
    }

    /// The width of the image in dots (the paper's).
    public let width: Int
    /// Dots a column of font A takes.
    public let columnWidth: Int
    /// Rows of a line at normal size.
    public let lineHeight: Int

    public init(profile: PrinterProfile) {
        width = max(8, profile.paperWidthDots)
        columnWidth = max(4, profile.paperWidthDots / max(1, profile.columnsFontA))
        // ESC 2's default line spacing is 1/6 inch; the characters themselves take 2 columns' width in height.
        lineHeight = max(2 * columnWidth, Int((Double(profile.dpi) / 6).rounded()))
    }

    /// The em square of a character at `scale`, in dots.
    public func pixelSize(scale: Int) -> Int { 2 * columnWidth * scale }

    /// Rows of a line at `scale`.
    public func height(scale: Int) -> Int { lineHeight * scale }

    /// Where the baseline falls in a line at `scale`, in rows from the top: the em square centred in the line,
    /// with the baseline at 88 % of it (the ideographic em box of CJK fonts: 880 units above, 120 below).
    public func baseline(scale: Int) -> Int {
        let em = pixelSize(scale: scale)
        return (height(scale: scale) - em) / 2 + (em * 88 + 50) / 100
    }

    /// Draws `text` (one line: a line feed or other control character is not drawn) with glyphs from `glyphs`.
    /// Text wider than the paper is cut at its edge (lay it out with ``ESCPOSText/wrap(_:columns:)`` first).
    public func draw(_ text: String, style: Style, glyphs: some GlyphSource) -> Drawn {
        let scale = style.scale
        let rows = height(scale: scale)
        let stride = (width + 7) / 8
        var bits = [UInt8](repeating: 0, count: stride * rows)
        var missing: [Character] = []
        let cell = columnWidth * scale
        let em = pixelSize(scale: scale)
        let baseline = baseline(scale: scale)
        let textWidth = ESCPOSText.displayWidth(text) * cell
        var pen = switch style.alignment {
        case .left: 0
        case .center: max(0, (width - textWidth) / 2)
        case .right: max(0, width - textWidth)
        }
        let thicken = style.bold ? scale : 0

        func set(_ x: Int, _ y: Int) {
            guard x >= 0, x < width, y >= 0, y < rows else { return }
            bits[y * stride + x >> 3] |= 0x80 >> UInt8(x & 7)
        }

        for character in text {
            let columns = ESCPOSText.displayWidth(of: character)
            guard columns > 0 else { continue }
            let span = columns * cell
            defer { pen += span }
            guard let scalar = character.unicodeScalars.first, scalar.value != 0x20, scalar.value != 0x3000 else { continue }
            // A glyph whose ink does not match its size (a broken source) is treated as missing, never read past.
            guard let glyph = glyphs.glyph(for: scalar, pixelSize: em), glyph.width >= 0, glyph.height >= 0,
                  glyph.ink.count == glyph.width * glyph.height else {
                missing.append(character)
                // □: an outline inside the character's columns, as high as the em square's ink usually is.
                let inset = max(1, span / 8), top = baseline - em * 80 / 100, bottom = baseline + em * 4 / 100
                let line = max(1, scale)
                for x in (pen + inset)..<(pen + span - inset) {
                    for t in 0..<line { set(x, top + t); set(x, bottom - t) }
                }
                for y in top...bottom {
                    for t in 0..<line { set(pen + inset + t, y); set(pen + span - inset - 1 - t, y) }
                }
                continue
            }
            // Centred in its columns: a proportional Latin letter keeps to its cell as the printer's would.
            let originX = pen + (span - glyph.advance) / 2 + glyph.left
            let originY = baseline - glyph.top
            for gy in 0..<glyph.height {
                let y = originY + gy
                guard y >= 0, y < rows else { continue }
                let rowStart = gy * glyph.width
                for gx in 0..<glyph.width where glyph.ink[rowStart + gx] != 0 {
                    let x = originX + gx
                    for t in 0...thicken { set(x + t, y) }
                }
            }
        }
        // The sizes are checked above (width ≥ 8, rows ≥ 8), so the image is always valid.
        let image = (try? RasterImage(width: width, height: rows, bits: bits)) ?? Self.blank
        return Drawn(image: image, missing: missing)
    }

    private static let blank: RasterImage = try! RasterImage(width: 8, height: 1, bits: [0])
}
