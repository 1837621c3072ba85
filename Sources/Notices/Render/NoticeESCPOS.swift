// A laid-out notice as ESC/POS bytes for one printer profile: the lines the preview shows, the QR, the cuts.
import ESCPOS
import Foundation

public enum NoticeESCPOS {
    /// The paper's width in columns of font A, for laying out a notice for `profile`.
    public static func columns(for profile: PrinterProfile) -> Int { profile.columnsFontA }

    /// The bytes that print `document` on a printer of `profile`.
    ///
    /// Lines are wrapped here, exactly as ``NoticePreview/plainText(_:)`` wraps them, so the preview is the paper.
    /// A QR code falls back to the number in text on printers without native QR.
    /// - Throws: ``ESCPOSError`` when the printer cannot carry some text (a character outside its encoding);
    ///   nothing is sent then.
    public static func bytes(_ document: NoticeDocument, profile: PrinterProfile) throws(ESCPOSError) -> [UInt8] {
        var out = ESCPOSDocument(profile: profile)
        out.initialize()
        for block in document.blocks {
            switch block {
            case .text(let text, let style, let indent):
                out.align(alignment(style.alignment))
                out.bold(style.bold)
                out.size(width: style.large ? 2 : 1, height: style.large ? 2 : 1)
                let width = style.large ? max(1, document.columns / 2) : document.columns
                for line in NoticePreview.wrap(text, columns: width, hangingIndent: indent) { out.line(line) }
                if style.large { out.size(width: 1, height: 1) }
                if style.bold { out.bold(false) }
            case .qr(let payload):
                out.align(.center)
                if profile.qrCode {
                    out.qrCode(payload, moduleSize: profile.columnsFontA >= 48 ? 6 : 4, errorCorrection: .medium)
                    out.line()
                } else {
                    out.line(payload)
                }
            case .blank(let n):
                out.feed(lines: n)
            case .rule:
                out.align(.left)
                out.line(String(repeating: "-", count: document.columns))
            case .cut:
                out.feed(lines: 1)
                out.cut(.partial)
            }
        }
        return try out.bytes()
    }

    static func alignment(_ a: NoticeTextStyle.Alignment) -> ESCPOSDocument.Alignment {
        switch a {
        case .left: return .left
        case .center: return .center
        case .right: return .right
        }
    }
}
