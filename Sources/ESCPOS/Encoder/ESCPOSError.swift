// Why a document cannot be printed on a given printer; found before any byte is sent.

/// A document the printer cannot print as asked. Thrown by ``ESCPOSDocument/bytes()``, so nothing reaches the
/// printer: a name the printer cannot carry must not come out as `?` on a notice.
public enum ESCPOSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A character the printer's text encoding cannot carry: beyond GBK on a `gbk` printer, beyond ASCII on a
    /// printer without a Chinese font.
    /// - Parameters:
    ///   - character: the character;
    ///   - scalar: its code point, e.g. `U+20BB7`;
    ///   - offset: its position in `text`, counted in characters from 0;
    ///   - text: the text it was in;
    ///   - profile: the printer profile's id.
    case unencodableCharacter(character: Character, scalar: String, offset: Int, text: String, encoding: PrinterProfile.TextEncoding, profile: String)
    /// A control character (ESC, GS, …) inside text, which the printer would take as a command.
    case controlCharacter(scalar: String, offset: Int, text: String)
    /// The profile says the printer cannot do this (QR code, raster image, buzzer, status, drawer).
    case unsupported(feature: String, profile: String)
    /// A parameter outside what the command takes.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unencodableCharacter(let character, let scalar, let offset, let text, let encoding, let profile):
            let why = switch encoding {
            case .ascii: "has no Chinese font (ASCII text only)"
            case .gbk: "prints GBK (2-byte) text only, and this character needs a 4-byte GB18030 code"
            case .gb18030: "cannot encode it"
            }
            return "printer profile \(profile) \(why): character '\(character)' (\(scalar)) at position \(offset) of \"\(text)\" cannot be printed; nothing was sent"
        case .controlCharacter(let scalar, let offset, let text):
            return "control character \(scalar) at position \(offset) of \"\(text.debugDescription.dropFirst().dropLast())\" would be taken as a printer command; nothing was sent"
        case .unsupported(let feature, let profile):
            return "printer profile \(profile) does not support \(feature); nothing was sent"
        case .invalidArgument(let message):
            return message
        }
    }
}
