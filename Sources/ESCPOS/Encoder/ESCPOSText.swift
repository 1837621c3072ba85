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
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            wrapParagraph(Substring(paragraph), columns: columns, into: &lines)
        }
        return lines
    }

    private static func wrapParagraph(_ paragraph: Substring, columns: Int, into lines: inout [String]) {
        var line: [Character] = []
        var width = 0
        var breakAt: Int?  // the last index i > 0 before which the line may break
        let first = lines.count
        func emit(_ characters: ArraySlice<Character>) {
            var end = characters.endIndex
            while end > characters.startIndex, characters[end - 1] == " " { end -= 1 }
            lines.append(String(characters[characters.startIndex..<end]))
        }
        func restart(with rest: ArraySlice<Character>) {
            line = Array(rest.drop { $0 == " " })
            width = line.reduce(0) { $0 + displayWidth(of: $1) }
            breakAt = nil
            for i in line.indices.dropFirst() where mayBreak(between: line[i - 1], and: line[i]) { breakAt = i }
        }
        for character in paragraph {
            let w = displayWidth(of: character)
            // A line that a wrap started does not begin with the spaces where it broke.
            if character == " ", line.isEmpty, lines.count > first { continue }
            while width + w > columns, !line.isEmpty {
                if character == " " { break }
                let cut: Int
                if let last = line.last, mayBreak(between: last, and: character) {
                    cut = line.count
                } else if let breakAt {
                    cut = breakAt
                } else if closesLine(character), line.count > 1 {
                    // Closing punctuation takes the character before it to the next line rather than start one.
                    cut = line.count - 1
                } else {
                    cut = line.count
                }
                emit(line[..<cut])
                restart(with: line[cut...])
            }
            if character == " ", width + w > columns {
                // A space at the end of a full line is the break itself.
                emit(line[...])
                line = []
                width = 0
                breakAt = nil
                continue
            }
            if let last = line.last, mayBreak(between: last, and: character) { breakAt = line.count }
            line.append(character)
            width += w
        }
        if !line.isEmpty || lines.count == first { emit(line[...]) }
    }

    private static func mayBreak(between left: Character, and right: Character) -> Bool {
        if closesLine(right) || opensLine(left) { return false }
        if left == " " { return true }
        if right == " " { return false }
        return displayWidth(of: left) > 1 || displayWidth(of: right) > 1
    }

    private static let closing: Set<Character> = ["，", "。", "、", "：", "；", "！", "？", "）", "》", "」", "』", "】", "〕", "〉",
                                                   "”", "’", "…", "·", ",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "％"]
    private static let opening: Set<Character> = ["（", "《", "「", "『", "【", "〔", "〈", "“", "‘", "(", "[", "{"]

    private static func closesLine(_ c: Character) -> Bool { closing.contains(c) }
    private static func opensLine(_ c: Character) -> Bool { opening.contains(c) }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return (0xFE00...0xFE0F).contains(scalar.value)
        }
    }
}
