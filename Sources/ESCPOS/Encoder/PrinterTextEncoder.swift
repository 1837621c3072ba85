// Text to printer bytes for one profile's encoding, refusing (with the character and its position) what it cannot carry.
import DeviceKit

/// Turns text into the bytes a printer's encoding takes, through `GB18030` (the one place Chinese becomes bytes).
enum PrinterTextEncoder {
    /// Appends the bytes of `text` to `buffer`; returns whether any character took more than one byte (so Chinese
    /// mode is needed). Line feeds and tabs pass; other control characters are refused, since the printer would
    /// run them as commands. On a refusal nothing is appended.
    /// - Parameter chineseMode: bytes to put before and after multi-byte text (FS & … FS .), or nil.
    static func append(_ text: String, profile: PrinterProfile, chineseMode: (enter: [UInt8], leave: [UInt8])?,
                       to buffer: inout [UInt8]) throws(ESCPOSError) -> Bool {
        // One pass over UTF-8 finds control characters (C0, DEL, and C1 as C2 80…9F) and whether all is ASCII.
        var ascii = true
        var previous: UInt8 = 0
        var scalarIndex = 0
        for byte in text.utf8 {
            if byte < 0x80 {
                if (byte < 0x20 && byte != 0x0A && byte != 0x09) || byte == 0x7F { throw controlCharacter(in: text, at: scalarIndex) }
            } else {
                ascii = false
                if previous == 0xC2 && byte < 0xA0 { throw controlCharacter(in: text, at: scalarIndex - 1) }
            }
            if byte & 0xC0 != 0x80 { scalarIndex += 1 }
            previous = byte
        }
        if ascii {
            buffer.append(contentsOf: text.utf8)
            return false
        }
        if profile.encoding == .ascii {
            let index = text.unicodeScalars.firstIndex { !$0.isASCII }.map { text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: $0) } ?? 0
            throw unencodable(text, at: index, profile: profile)
        }
        let start = buffer.count
        if let chineseMode { buffer += chineseMode.enter }
        if let refused = GB18030.append(text, to: &buffer, gbkOnly: profile.encoding == .gbk) {
            buffer.removeSubrange(start...)
            throw unencodable(text, at: refused, profile: profile)
        }
        if let chineseMode { buffer += chineseMode.leave }
        return true
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

    private static func unencodable(_ text: String, at scalarIndex: Int, profile: PrinterProfile) -> ESCPOSError {
        let (character, scalar, offset) = character(in: text, at: scalarIndex)
        return .unencodableCharacter(character: character, scalar: scalar.codePoint, offset: offset, text: text,
                                     encoding: profile.encoding, profile: profile.id)
    }
}

extension Unicode.Scalar {
    /// `U+4E2D`, as people look characters up.
    var codePoint: String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
