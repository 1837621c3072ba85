// Text to printer bytes for one profile's encoding, refusing (with the character and its position) what it cannot carry.
import DeviceKit

/// Turns text into the bytes a printer's encoding takes, through `GB18030` (the one place Chinese becomes bytes).
enum PrinterTextEncoder {
    /// Appends the bytes of `text` to `buffer`; returns whether any character took more than one byte (so Chinese
    /// mode is needed). Line feeds and tabs pass; other control characters are refused, since the printer would
    /// run them as commands. On a refusal nothing is appended.
    /// - Parameters:
    ///   - fsAmpersand: put `FS &` before and `FS .` after multi-byte text.
    ///   - profileID: for errors. (The profile itself is not passed: copying it on every line costs more than the text.)
    static func append(_ text: String, encoding: PrinterProfile.TextEncoding, fsAmpersand: Bool, profileID: String,
                       to buffer: inout [UInt8]) throws(ESCPOSError) -> Bool {
        // One tight pass over UTF-8 finds control characters (C0, DEL, and C1 as C2 80…9F) and whether all is ASCII.
        let scan = text.utf8.withContiguousStorageIfAvailable(scanControls) ?? scanControls(Array(text.utf8))
        if let control = scan.control { throw controlCharacter(in: text, at: control) }
        let ascii = scan.ascii
        if ascii {
            buffer.append(contentsOf: text.utf8)
            return false
        }
        if encoding == .ascii {
            let index = text.unicodeScalars.firstIndex { !$0.isASCII }.map { text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: $0) } ?? 0
            throw unencodable(text, at: index, encoding: encoding, profileID: profileID)
        }
        if encoding == .gbk, let beyond = beyondGBKFonts(text) {
            throw unencodable(text, at: beyond, encoding: encoding, profileID: profileID)
        }
        let start = buffer.count
        if fsAmpersand {
            buffer.append(ASCIIControl.fs)
            buffer.append(0x26)
        }
        if let refused = GB18030.append(text, to: &buffer, gbkOnly: encoding == .gbk) {
            buffer.removeSubrange(start...)
            throw unencodable(text, at: refused, encoding: encoding, profileID: profileID)
        }
        if fsAmpersand {
            buffer.append(ASCIIControl.fs)
            buffer.append(0x2E)
        }
        return true
    }

    /// The scalar index of the first character a GBK printer's font does not have although GB18030 gives it a
    /// 2-byte code: CJK Extension A (䶮 U+4DAE, 㑇; GB18030-2005 moved some of them from private use into codes that
    /// GBK (code page 936) leaves user-defined), the vertical forms U+FE10-FE19 (likewise), and private use
    /// characters (GBK's user-defined codes, which a printer prints blank or as its own glyphs).
    private static func beyondGBKFonts(_ text: String) -> Int? {
        var index = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3400...0x4DBF, 0xFE10...0xFE19, 0xE000...0xF8FF: return index
            default: index += 1
            }
        }
        return nil
    }

    /// Whether the UTF-8 bytes are all ASCII, and the scalar index of the first control character if any.
    private static func scanControls(_ utf8: some Collection<UInt8>) -> (ascii: Bool, control: Int?) {
        var high: UInt8 = 0
        var suspect = false
        for byte in utf8 {
            high |= byte
            // Cheap test first (C0 incl. LF and tab, DEL, and the lead byte of C1 controls); the exact pass below
            // runs only when something looked like a control.
            suspect = suspect || byte < 0x20 || byte == 0x7F || byte == 0xC2
        }
        guard suspect else { return (high < 0x80, nil) }
        var previous: UInt8 = 0
        var scalarIndex = 0
        for byte in utf8 {
            if (byte < 0x20 && byte != 0x0A && byte != 0x09) || byte == 0x7F { return (false, scalarIndex) }
            if previous == 0xC2 && byte >= 0x80 && byte < 0xA0 { return (false, scalarIndex - 1) }
            if byte & 0xC0 != 0x80 { scalarIndex += 1 }
            previous = byte
        }
        return (high < 0x80, nil)
    }

    /// The character holding the scalar at `scalarIndex`, and that character's offset.
    private static func character(in text: String, at scalarIndex: Int) -> (Character, Unicode.Scalar, Int) {
        var seen = 0
        for (offset, character) in text.enumerated() {
            let count = character.unicodeScalars.count
            if scalarIndex < seen + count {
                let scalar = character.unicodeScalars[character.unicodeScalars.index(character.unicodeScalars.startIndex, offsetBy: scalarIndex - seen)]
                return (character, scalar, offset)
            }
            seen += count
        }
        return (" ", " ", 0)
    }

    private static func controlCharacter(in text: String, at scalarIndex: Int) -> ESCPOSError {
        let (_, scalar, offset) = character(in: text, at: scalarIndex)
        return .controlCharacter(scalar: scalar.codePoint, offset: offset, text: text)
    }

    private static func unencodable(_ text: String, at scalarIndex: Int, encoding: PrinterProfile.TextEncoding, profileID: String) -> ESCPOSError {
        let (character, scalar, offset) = character(in: text, at: scalarIndex)
        return .unencodableCharacter(character: character, scalar: scalar.codePoint, offset: offset, text: text,
                                     encoding: encoding, profile: profileID)
    }
}

extension Unicode.Scalar {
    /// `U+4E2D`, as people look characters up.
    var codePoint: String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
