// How wide text prints (in columns of font A) and how it wraps, for layouts that fill a receipt line.

/// Text measuring for the receipt printer: a column is one ASCII character of font A (12 dots); everything the
/// printer draws with its Chinese font (every non-ASCII character: 汉字, full-width punctuation, and also ×, °, —,
/// which GB codes as double-byte characters) takes two.
public enum ESCPOSText {
    /// Columns `text` takes on paper: printable ASCII 1, combining marks and zero-width characters 0, the rest 2.
    /// Control characters count 0.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for character in text { width += displayWidth(of: character) }
        return width
    }

    /// Columns one character takes (see ``displayWidth(_:)``).
    public static func displayWidth(of character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if value >= 0x20 && value != 0x7F { width += 1 }
            } else if !isZeroWidth(scalar) {
                width += 2
            }
        }
        return width
    }

    /// Splits `text` into lines of at most `columns` columns. Existing line breaks are kept. Latin words break at
    /// spaces when they can; Chinese breaks between any two characters, except that closing punctuation (，。：）…)
    /// never starts a line and opening punctuation (（《“…) never ends one. A character is never split; one that is
    /// wider than `columns` alone gets a line of its own.
    public static func wrap(_ text: String, columns: Int) -> [String] {
        let columns = max(1, columns)
        var lines: [String] = []
        for paragraph in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            wrapParagraph(paragraph, columns: columns, into: &lines)
        }
        return lines
    }

    /// A scalar with what wrapping asks of it, worked out once. Wrapping walks scalars, not Characters: grapheme
    /// segmentation was most of the cost of laying out a notice. A zero-width scalar (a combining mark) is never
    /// separated from the one before it, so no character is ever split.
    private struct Glyph {
        let scalar: Unicode.Scalar
        /// Where it stands in the paragraph: a line's glyphs are contiguous, so a line is one slice of it.
        let index: String.UnicodeScalarView.Index
        let width: Int
        var isSpace: Bool { scalar.value == 0x20 }
        var closes: Bool { ESCPOSText.isClosing(scalar.value) }
        var opens: Bool { ESCPOSText.isOpening(scalar.value) }

        init(_ scalar: Unicode.Scalar, at index: String.UnicodeScalarView.Index) {
            self.scalar = scalar
            self.index = index
            let value = scalar.value
            if value < 0x80 {
                width = value >= 0x20 && value != 0x7F ? 1 : 0
            } else {
                width = ESCPOSText.isZeroWidth(scalar) ? 0 : 2
            }
        }
    }

    private static func wrapParagraph(_ paragraph: Substring.UnicodeScalarView.SubSequence, columns: Int, into lines: inout [String]) {
        var line: [Glyph] = []
        var width = 0
        var breakAt: Int?  // the last index i > 0 before which the line may break
        let first = lines.count
        func emit(_ glyphs: ArraySlice<Glyph>) {
            var end = glyphs.endIndex
            while end > glyphs.startIndex, glyphs[end - 1].isSpace { end -= 1 }
            guard end > glyphs.startIndex else { lines.append(""); return }
            lines.append(String(paragraph[glyphs[glyphs.startIndex].index...glyphs[end - 1].index]))
        }
        func restart(with rest: ArraySlice<Glyph>) {
            line = Array(rest.drop { $0.isSpace })
            width = line.reduce(0) { $0 + $1.width }
            breakAt = nil
            for i in line.indices.dropFirst() where mayBreak(between: line[i - 1], and: line[i]) { breakAt = i }
        }
        for index in paragraph.indices {
            let glyph = Glyph(paragraph[index], at: index)
            let w = glyph.width
            // A line that a wrap started does not begin with the spaces where it broke.
            if glyph.isSpace, line.isEmpty, lines.count > first { continue }
            while width + w > columns, !line.isEmpty {
                if glyph.isSpace { break }
                let cut: Int
                if let last = line.last, mayBreak(between: last, and: glyph) {
                    cut = line.count
                } else if let breakAt {
                    cut = breakAt
                } else if glyph.closes, line.count > 1 {
                    // Closing punctuation takes the character before it to the next line rather than start one.
                    cut = line.count - 1
                } else {
                    cut = line.count
                }
                emit(line[..<cut])
                restart(with: line[cut...])
            }
            if glyph.isSpace, width + w > columns {
                // A space at the end of a full line is the break itself.
                emit(line[...])
                line = []
                width = 0
                breakAt = nil
                continue
            }
            if let last = line.last, mayBreak(between: last, and: glyph) { breakAt = line.count }
            line.append(glyph)
            width += w
        }
        if !line.isEmpty || lines.count == first { emit(line[...]) }
    }

    private static func mayBreak(between left: Glyph, and right: Glyph) -> Bool {
        if right.width == 0 || right.closes || left.opens { return false }
        if left.isSpace { return true }
        if right.isSpace { return false }
        return left.width > 1 || right.width > 1
    }

    /// Closing punctuation, which never starts a line: ，。、：；！？）》」』】〕〉”’…· and their ASCII kin, % ％.
    fileprivate static func isClosing(_ v: UInt32) -> Bool {
        switch v {
        case 0xFF0C, 0x3002, 0x3001, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0xFF09, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3009,
             0x201D, 0x2019, 0x2026, 0x00B7, 0x2C, 0x2E, 0x3B, 0x3A, 0x21, 0x3F, 0x29, 0x5D, 0x7D, 0x25, 0xFF05: return true
        default: return false
        }
    }

    /// Opening punctuation, which never ends a line: （《「『【〔〈“‘ ( [ {.
    fileprivate static func isOpening(_ v: UInt32) -> Bool {
        switch v {
        case 0xFF08, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3008, 0x201C, 0x2018, 0x28, 0x5B, 0x7B: return true
        default: return false
        }
    }

    fileprivate static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        // Fast path: CJK, kana, hangul and full-width forms are never zero-width (and are most of a notice).
        switch scalar.value {
        case 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF00...0xFFEF, 0x20000...0x3FFFF: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return (0xFE00...0xFE0F).contains(scalar.value)
        }
    }
}
