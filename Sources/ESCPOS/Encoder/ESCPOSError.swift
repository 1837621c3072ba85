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
    /// Text must be drawn as a raster image for this printer, and none of the font files it may be drawn with is
    /// installed.
    /// - Parameters:
    ///   - tried: the files looked for, in order (the profile's `raster_fonts`, or `[printing] raster_font`);
    ///   - profile: the printer profile's id.
    case noRasterFont(tried: [String], profile: String)
    /// A font file named for raster text cannot be used: missing, unreadable, or without Chinese (it cannot draw 受).
    /// - Parameters:
    ///   - file: the file's path;
    ///   - reason: what is wrong with it.
    case unusableRasterFont(file: String, reason: String)

    public var description: String {
        switch self {
        case .unencodableCharacter(let character, let scalar, let offset, let text, let encoding, let profile):
            let why = switch encoding {
            case .ascii: "has no Chinese font (ASCII text only)"
            case .gbk: "prints GBK text only, and this character is beyond GBK (a 4-byte GB18030 code, or a CJK Extension A, vertical form or private use character GBK fonts do not have)"
            case .gb18030: "cannot encode it"
            }
            return "printer profile \(profile) \(why): character '\(character)' (\(scalar)) at position \(offset) of \"\(text)\" cannot be printed; nothing was sent"
        case .controlCharacter(let scalar, let offset, let text):
            return "control character \(scalar) at position \(offset) of \"\(text.debugDescription.dropFirst().dropLast())\" would be taken as a printer command; nothing was sent"
        case .unsupported(let feature, let profile):
            return "printer profile \(profile) does not support \(feature); nothing was sent"
        case .invalidArgument(let message):
            return message
        case .noRasterFont(let tried, let profile):
            return "printer profile \(profile) needs a Chinese font on the gateway to draw text its own font cannot print, and none is installed "
                + "(looked for \(tried.joined(separator: ", "))); nothing was sent. Install one (sudo apt-get install fonts-noto-cjk) "
                + "or set [printing] raster_font to a CJK font file (.ttf, .otf or .ttc)"
        case .unusableRasterFont(let file, let reason):
            return "raster font \(file) \(reason); nothing was sent. Install fonts-noto-cjk (sudo apt-get install fonts-noto-cjk) "
                + "or set [printing] raster_font (or the printer profile's raster_fonts) to a CJK font file that can draw 受"
        }
    }
}
