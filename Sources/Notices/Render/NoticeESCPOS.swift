// A laid-out notice as ESC/POS bytes for one printer profile: the lines the preview shows, the QR, the cuts; each line
// sent as text, or drawn as a raster image where the printer's font cannot print it (profile key `text_output`).
import ESCPOS
import Foundation

/// A notice rendered for one printer: its bytes, and what was drawn rather than sent as text.
public struct RenderedNotice: Sendable {
    /// The bytes to send.
    public let bytes: [UInt8]
    /// Lines drawn as raster images (0 when the printer's font printed everything).
    public let rasterLines: Int
    /// Dot rows of those images, and the raster commands (strips) they went in.
    public let rasterRows: Int
    public let rasterStrips: Int
    /// Characters no raster font has, drawn as boxes (□), each once, in order of appearance.
    public let missingGlyphs: [Character]
    /// The font files raster lines were drawn with (empty when none was needed).
    public let fontFiles: [String]
    /// Seconds the printer needs to print the raster lines at its rated `print_speed_mm_per_s`.
    public let rasterPrintSeconds: Double

    /// A page printer's document (a PDF): bytes only, nothing drawn as raster.
    public init(pdf bytes: [UInt8]) {
        self.init(bytes: bytes, rasterLines: 0, rasterRows: 0, rasterStrips: 0, missingGlyphs: [], fontFiles: [], rasterPrintSeconds: 0)
    }

    init(bytes: [UInt8], rasterLines: Int, rasterRows: Int, rasterStrips: Int, missingGlyphs: [Character], fontFiles: [String], rasterPrintSeconds: Double) {
        self.bytes = bytes
        self.rasterLines = rasterLines
        self.rasterRows = rasterRows
        self.rasterStrips = rasterStrips
        self.missingGlyphs = missingGlyphs
        self.fontFiles = fontFiles
        self.rasterPrintSeconds = rasterPrintSeconds
    }

    /// What a person should know about this printout (characters printed as boxes), in words; empty when all is well.
    public var warnings: [String] {
        missingGlyphs.map { character in
            let code = character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
            return "character '\(character)' (\(code)) is in none of the raster fonts (\(fontFiles.joined(separator: ", "))): it prints as a box □. "
                + "Install a font that has it (fonts-noto-cjk covers GB18030) and name it in [printing] raster_font, or correct the text"
        }
    }
}

public enum NoticeESCPOS {
    /// The paper's width in columns of font A, for laying out a notice for `profile`.
    public static func columns(for profile: PrinterProfile) -> Int { profile.columnsFontA }

    /// The bytes that print `document` on a printer of `profile` (see ``render(_:profile:rasterFont:glyphs:)``).
    public static func bytes(_ document: NoticeDocument, profile: PrinterProfile, rasterFont: String? = nil) throws(ESCPOSError) -> [UInt8] {
        try render(document, profile: profile, rasterFont: rasterFont).bytes
    }

    /// Renders `document` for a printer of `profile`.
    ///
    /// Lines are wrapped here, exactly as ``NoticePreview/plainText(_:)`` wraps them, so the preview is the paper;
    /// then each line goes as the profile's `text_output` says: as text; as a raster image drawn on the gateway
    /// (``RasterLine``); or as text, and as an image when it holds a character the printer's encoding cannot carry.
    /// The layout (wrapping, alignment, sizes, QR, cuts) is the same either way. A QR code falls back to the number
    /// in text on printers without native QR.
    /// - Parameters:
    ///   - rasterFont: the configuration's `[printing] raster_font`, which replaces the profile's `raster_fonts`.
    ///   - glyphs: where raster glyphs come from; nil opens the fonts (``GlyphRasterizer/shared(profile:override:)``),
    ///     and only if some line needs them.
    /// - Throws: ``ESCPOSError`` when the printer cannot print some text (outside its encoding on a `text` printer),
    ///   or a line must be drawn and no usable font is installed; nothing is sent then.
    public static func render(_ document: NoticeDocument, profile: PrinterProfile, rasterFont: String? = nil,
                              glyphs: (any GlyphSource)? = nil) throws(ESCPOSError) -> RenderedNotice {
        var out = ESCPOSDocument(profile: profile)
        var source = glyphs
        var fontFiles: [String] = []
        var missing: [Character] = []
        var rasterLines = 0
        let mode: PrinterProfile.OutputMode = profile.raster ? profile.textOutput : .text
        let drawer = RasterLine(profile: profile)

        func draw(_ text: String, _ style: RasterLine.Style) {
            if let control = out.controlCharacterProblem(text) { out.refuse(control); return }
            if source == nil {
                do {
                    let rasterizer = try GlyphRasterizer.shared(profile: profile, override: rasterFont)
                    fontFiles = rasterizer.files
                    source = rasterizer
                } catch {
                    out.refuse(error)
                    return
                }
            }
            guard let source else { return }
            let drawn = drawer.draw(text, style: style, glyphs: source)
            for character in drawn.missing where !missing.contains(character) { missing.append(character) }
            out.raster(drawn.image)
            rasterLines += 1
        }

        func line(_ text: String, _ style: RasterLine.Style) {
            switch mode {
            case .text:
                out.line(text)
            case .textWithRaster:
                if out.lineUnlessUnencodable(text) != nil { draw(text, style) }
            case .raster:
                if text.allSatisfy({ $0 == " " }) { out.line() } else { draw(text, style) }
            }
        }

        out.initialize()
        for block in document.blocks {
            switch block {
            case .text(let text, let style, let indent):
                out.align(alignment(style.alignment))
                out.bold(style.bold)
                out.size(width: style.large ? 2 : 1, height: style.large ? 2 : 1)
                let width = style.large ? max(1, document.columns / 2) : document.columns
                let drawn = RasterLine.Style(alignment: alignment(style.alignment), bold: style.bold, scale: style.large ? 2 : 1)
                for text in NoticePreview.wrap(text, columns: width, hangingIndent: indent) { line(text, drawn) }
                if style.large { out.size(width: 1, height: 1) }
                if style.bold { out.bold(false) }
            case .qr(let payload):
                out.align(.center)
                if profile.qrCode {
                    out.qrCode(payload, moduleSize: profile.columnsFontA >= 48 ? 6 : 4, errorCorrection: .medium)
                    out.line()
                } else {
                    line(payload, RasterLine.Style(alignment: .center))
                }
            case .blank(let n):
                out.feed(lines: n)
            case .rule:
                out.align(.left)
                line(String(repeating: "-", count: document.columns), RasterLine.Style())
            case .cut:
                out.feed(lines: 1)
                out.cut(.partial)
            }
        }
        let bytes = try out.bytes()
        return RenderedNotice(bytes: bytes, rasterLines: rasterLines, rasterRows: out.rasterRows, rasterStrips: out.rasterStrips,
                              missingGlyphs: missing, fontFiles: fontFiles,
                              rasterPrintSeconds: RasterCommands.secondsToPrint(rows: out.rasterRows, profile: profile))
    }

    static func alignment(_ a: NoticeTextStyle.Alignment) -> ESCPOSDocument.Alignment {
        switch a {
        case .left: return .left
        case .center: return .center
        case .right: return .right
        }
    }
}
