// Previews of a laid-out notice: plain text (what the paper will say, line for line) and HTML (for the clerk's page).
import ESCPOS
import Foundation

public enum NoticePreview {
    /// The notice as the printer will lay it out, in plain text: same wrapping, same centring.
    public static func plainText(_ document: NoticeDocument) -> String {
        var lines: [String] = []
        for block in document.blocks {
            lines += textLines(block, columns: document.columns)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines a block prints as, at `columns` half-width columns.
    static func textLines(_ block: NoticeBlock, columns: Int) -> [String] {
        switch block {
        case .text(let text, let style, let indent):
            // Large text is double width: half as many characters fit, each taking two columns of the preview.
            guard style.large else {
                return wrap(text, columns: columns, hangingIndent: indent).map { align($0, style.alignment, columns: columns) }
            }
            return wrap(text, columns: max(1, columns / 2), hangingIndent: indent).map { line in
                let spread = line.map { String($0) }.joined(separator: ESCPOSText.displayWidth(line) == line.count ? " " : "")
                return align(spread, style.alignment, columns: columns)
            }
        case .qr(let payload):
            return [align("[二维码 \(payload)]", .center, columns: columns)]
        case .blank(let n):
            return Array(repeating: "", count: n)
        case .rule:
            return [String(repeating: "-", count: columns)]
        case .cut:
            return [align("✂ - - - 切纸 - - -", .center, columns: columns)]
        }
    }

    /// Wraps `text` to `columns`, indenting continuation lines by `hangingIndent` spaces.
    public static func wrap(_ text: String, columns: Int, hangingIndent: Int) -> [String] {
        let first = ESCPOSText.wrap(text, columns: columns)
        guard first.count > 1, hangingIndent > 0, hangingIndent < columns / 2 else { return first }
        let head = first[0]
        let rest = String(text.dropFirst(head.count).drop { $0 == " " })
        let indent = String(repeating: " ", count: hangingIndent)
        return [head] + ESCPOSText.wrap(rest, columns: columns - hangingIndent).map { indent + $0 }
    }

    static func align(_ line: String, _ alignment: NoticeTextStyle.Alignment, columns: Int) -> String {
        let width = ESCPOSText.displayWidth(line)
        guard width < columns else { return line }
        switch alignment {
        case .left: return line
        case .center: return String(repeating: " ", count: (columns - width) / 2) + line
        case .right: return String(repeating: " ", count: columns - width) + line
        }
    }

    /// The notice as an HTML fragment (both copies), for the clerk's preview before printing.
    public static func html(_ document: NoticeDocument) -> String {
        var out = "<div class=\"notice\" data-number=\"\(escape(document.number))\" style=\"font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;width:\(document.columns / 2)em\">\n"
        var copyOpen = false
        func openCopy() {
            if !copyOpen { out += "<section class=\"notice-copy\">\n"; copyOpen = true }
        }
        for block in document.blocks {
            switch block {
            case .text(let text, let style, let indent):
                openCopy()
                var css = "margin:0;text-align:\(style.alignment.rawValue)"
                if style.bold { css += ";font-weight:bold" }
                if style.large { css += ";font-size:2em" }
                if indent > 0 { css += ";padding-left:\(indent / 2)em;text-indent:-\(indent / 2)em" }
                out += "<p style=\"\(css)\">\(escape(text))</p>\n"
            case .qr(let payload):
                openCopy()
                out += "<p class=\"qr\" style=\"text-align:center\">[二维码 \(escape(payload))]</p>\n"
            case .blank(let n):
                openCopy()
                out += "<div class=\"seal-space\" style=\"height:\(Double(n) * 1.4)em\"></div>\n"
            case .rule:
                openCopy()
                out += "<hr>\n"
            case .cut:
                if copyOpen { out += "</section>\n"; copyOpen = false }
                out += "<div class=\"cut\" style=\"border-top:1px dashed #999;text-align:center;color:#999\">✂ 切纸</div>\n"
            }
        }
        if copyOpen { out += "</section>\n" }
        return out + "</div>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
