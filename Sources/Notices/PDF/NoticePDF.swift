// A laid-out notice on A4 paper as a PDF: one page per copy (more when a copy runs long), the title large and
// centred, the copy and the number at the top, paragraphs wrapped to the text width by Chinese rules, the seal's
// place and the date at the bottom right. The font is embedded as a subset, so the page prints as it was laid out.
import Foundation

/// Why a notice cannot be made into a PDF.
public enum NoticePDFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The font file cannot be used.
    case font(FontError)
    /// The font has no glyph for a character of the notice.
    case missingCharacter(Character, font: String)

    public var description: String {
        switch self {
        case .font(let error): return error.description
        case .missingCharacter(let c, let font):
            let code = c.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
            return "font \(font) has no glyph for “\(c)” (\(code)), which the notice uses: set [printing] pdf_font to a font that has it (fc-list ':charset=\(String(c.unicodeScalars.first!.value, radix: 16))' lists them), or change the text"
        }
    }
}

/// Notices on A4 as PDF.
///
/// The layout follows the ESC/POS notice block for block (``NoticeDocument``): each `.cut` ends a copy and starts
/// a new page; lines with a ``NoticeTextStyle/Role`` are placed by what they are (number top right, copy top
/// left, seal and date bottom right); the QR code is left out, the number being printed at the top.
public enum NoticePDF {
    /// A4 in points (210 × 297 mm).
    public static let pageWidth = 595.28
    public static let pageHeight = 841.89
    /// Margins: 28 mm left, 26 mm right, 30 mm top, 25 mm bottom (the usual government document page).
    public static let marginLeft = 79.37, marginRight = 73.7, marginTop = 85.04, marginBottom = 70.87
    /// Text sizes in points: body 小四 (12), heading 三号 (16), title 二号 (22), page furniture 五号 (10.5).
    static let bodySize = 12.0, headingSize = 16.0, titleSize = 22.0, smallSize = 10.5
    /// Line height as a multiple of the text size.
    static let leading = 1.75

    /// The text width: what body lines wrap to.
    public static var textWidth: Double { pageWidth - marginLeft - marginRight }

    /// The PDF of `document` with `font` embedded (subset).
    /// - Parameters:
    ///   - document: the notice, both copies.
    ///   - font: a TrueType font with Chinese (``NoticePDFFonts/load(configured:)``).
    /// - Throws: ``NoticePDFError`` when the font lacks a character of the notice.
    public static func bytes(_ document: NoticeDocument, font: TrueTypeFont) throws(NoticePDFError) -> [UInt8] {
        var layout = PageLayout(embedding: PDFFontEmbedding(font: font))
        for block in document.blocks { try layout.add(block) }
        layout.endCopy()
        var pdf = PDFWriter()
        let catalog = pdf.reserve(), pagesObject = pdf.reserve(), info = pdf.reserve()
        var embedding = layout.embedding
        let (fontObject, cid) = try embedding.embed(into: &pdf)
        var kids: [Int] = []
        for page in layout.pages {
            let pageObject = pdf.reserve(), content = pdf.reserve()
            kids.append(pageObject)
            pdf.stream(content, data: Array(page.content(cid: cid).utf8), compressed: true)
            pdf.object(pageObject, "<< /Type /Page /Parent \(pagesObject) 0 R /MediaBox [0 0 \(PDFWriter.number(pageWidth)) \(PDFWriter.number(pageHeight))] /Resources << /Font << /F1 \(fontObject) 0 R >> >> /Contents \(content) 0 R >>")
        }
        pdf.object(pagesObject, "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>")
        pdf.object(catalog, "<< /Type /Catalog /Pages \(pagesObject) 0 R >>")
        pdf.object(info, "<< /Title \(PDFWriter.textString("通知书 " + document.number)) /Producer (CounterGate) >>")
        return pdf.finish(root: catalog, info: info)
    }

    /// Characters that may not begin a line (closing punctuation), and that may not end one (opening brackets).
    static let noLineStart: Set<Character> = Set("，。、；：？！）」』】》〉”’…—,.;:?!)]}%·～")
    static let noLineEnd: Set<Character> = Set("（「『【《〈“‘([{")

    /// Breaks `text` into lines no wider than `firstWidth` (the first) and `restWidth` (the others), by Chinese rules:
    /// a break may fall between any two Chinese characters, Latin words and numbers stay whole, and no line starts with
    /// closing punctuation (，。、；：？！）」 …) nor ends with an opening bracket; spaces at a break are dropped.
    /// - Parameter width: the width of a piece of text, in the same unit as the widths.
    public static func breakLines(_ text: String, firstWidth: Double, restWidth: Double, width: (String) -> Double) -> [String] {
        // Pieces that never split: a run of Latin letters and digits, or any other single character.
        var pieces: [String] = []
        var word = ""
        for c in text {
            if c.isASCII && (c.isLetter || c.isNumber) { word.append(c); continue }
            if !word.isEmpty { pieces.append(word); word = "" }
            pieces.append(String(c))
        }
        if !word.isEmpty { pieces.append(word) }
        var widths = pieces.map(width)
        func badBreak(_ k: Int) -> Bool {
            noLineStart.contains(pieces[k].first ?? " ") || noLineEnd.contains(pieces[k - 1].last ?? " ")
        }
        var lines: [String] = []
        var i = 0
        while i < pieces.count {
            let limit = lines.isEmpty ? firstWidth : restWidth
            if !lines.isEmpty { while i < pieces.count, pieces[i] == " " { i += 1 } }  // no spaces at a line's start
            guard i < pieces.count else { break }
            var end = i, used = 0.0
            while end < pieces.count, used + widths[end] <= limit || end == i {
                used += widths[end]; end += 1
            }
            // A piece too wide for a whole line (a long number) is cut character by character.
            if end == i + 1, widths[i] > limit, pieces[i].count > 1 {
                var head = "", headWidth = 0.0
                for c in pieces[i] {
                    let w = width(String(c))
                    if headWidth + w > limit, !head.isEmpty { break }
                    head.append(c); headWidth += w
                }
                if head.count < pieces[i].count {
                    lines.append(head)
                    pieces[i] = String(pieces[i].dropFirst(head.count))
                    widths[i] = width(pieces[i])
                    continue
                }
            }
            // Chinese line-breaking rules: pull pieces down to the next line while the break is not allowed; when no
            // break on the line is allowed, let the closing punctuation hang past the margin instead.
            if end < pieces.count, badBreak(end) {
                var candidate = end
                while candidate > i + 1, badBreak(candidate) { candidate -= 1 }
                if !badBreak(candidate) {
                    end = candidate
                } else if noLineStart.contains(pieces[end].first ?? " ") {
                    end += 1
                }
            }
            var line = pieces[i..<end].joined()
            while line.last == " " { line.removeLast() }
            lines.append(line)
            i = end
        }
        return lines.isEmpty ? [""] : lines
    }
}

/// One page's drawing: text runs (original glyph ids, turned into CIDs at the end) and rules.
struct PDFPage {
    enum Item {
        case text(x: Double, y: Double, size: Double, bold: Bool, glyphs: [Int])
        case rule(x1: Double, x2: Double, y: Double)
    }
    var items: [Item] = []

    /// The content stream, with glyphs as 2-byte CIDs of the embedded subset.
    func content(cid: [Int: Int]) -> String {
        var out = "0 g 0 G\n"
        for item in items {
            switch item {
            case .text(let x, let y, let size, let bold, let glyphs):
                var hex = ""
                hex.reserveCapacity(glyphs.count * 4)
                for g in glyphs { hex += PDFWriter.hex4(UInt16(cid[g] ?? 0)) }
                // Bold: the outline stroked as well as filled (the font has no bold face).
                let render = bold ? "2 Tr \(PDFWriter.number(size / 30)) w " : ""
                out += "BT \(render)/F1 \(PDFWriter.number(size)) Tf \(PDFWriter.number(x)) \(PDFWriter.number(y)) Td <\(hex)> Tj ET\n"
            case .rule(let x1, let x2, let y):
                out += "0.6 w \(PDFWriter.number(x1)) \(PDFWriter.number(y)) m \(PDFWriter.number(x2)) \(PDFWriter.number(y)) l S\n"
            }
        }
        return out
    }
}

/// Places blocks on pages top to bottom, starting a page when one is full or a copy ends.
struct PageLayout {
    var embedding: PDFFontEmbedding
    var pages: [PDFPage] = []
    var current = PDFPage()
    /// The baseline of the next line; the top of the text area on a fresh page.
    var y = NoticePDF.pageHeight - NoticePDF.marginTop
    /// The copy's label and number, drawn at the top of each of its pages.
    var copyLabel: String?
    var number: String?
    var pageHasContent = false
    /// The date line, held back to go under the seal.
    var issueDate: String?

    init(embedding: PDFFontEmbedding) {
        self.embedding = embedding
    }

    var bottom: Double { NoticePDF.marginBottom }

    mutating func add(_ block: NoticeBlock) throws(NoticePDFError) {
        switch block {
        case .text(let text, let style, let indent):
            switch style.role {
            case .number:
                number = text
                try header()
                return
            case .copyLabel:
                copyLabel = text
                try header()
                return
            case .issueDate:
                issueDate = text
                return
            case .seal:
                try seal(text)
                return
            case nil:
                break
            }
            let size = style.large ? NoticePDF.titleSize : (style.bold && style.alignment == .center ? NoticePDF.headingSize : NoticePDF.bodySize)
            try paragraph(text, size: size, bold: style.bold, alignment: style.alignment, hangingIndent: Double(indent) * size / 2)
            if style.large { y -= size * 0.5 }
        case .qr:
            // The number is printed at the top of the page; A4 notices carry no QR code.
            break
        case .blank(let n):
            y -= Double(n) * NoticePDF.bodySize * NoticePDF.leading / 2
        case .rule:
            try room(NoticePDF.bodySize)
            // In the middle of a gap of one text size below the line above.
            current.items.append(.rule(x1: NoticePDF.marginLeft, x2: NoticePDF.pageWidth - NoticePDF.marginRight, y: y - NoticePDF.bodySize / 2))
            y -= NoticePDF.bodySize
            pageHasContent = true
        case .cut:
            endCopy()
        }
    }

    /// Ends the copy: its last page is done, the next copy starts on a fresh page.
    mutating func endCopy() {
        if let date = issueDate {
            // A notice without a seal line still shows its date, at the right.
            issueDate = nil
            try? line(date, size: NoticePDF.bodySize, bold: false, alignment: .right, indent: 0)
        }
        if pageHasContent || !current.items.isEmpty { pages.append(current) }
        current = PDFPage()
        y = NoticePDF.pageHeight - NoticePDF.marginTop
        pageHasContent = false
        copyLabel = nil
        number = nil
    }

    /// The page's top line: the copy at the left and the number at the right, in small type above the text area.
    mutating func header() throws(NoticePDFError) {
        let size = NoticePDF.smallSize
        let top = NoticePDF.pageHeight - NoticePDF.marginTop + size * 2.2
        current.items.removeAll { if case .text(_, let ty, _, _, _) = $0 { return ty == top } else { return false } }
        if let copyLabel {
            current.items.append(.text(x: NoticePDF.marginLeft, y: top, size: size, bold: false, glyphs: try embedding.glyphs(for: copyLabel)))
        }
        if let number {
            let glyphs = try embedding.glyphs(for: number)
            let x = NoticePDF.pageWidth - NoticePDF.marginRight - embedding.width(glyphs, size: size + 1.5)
            current.items.append(.text(x: x, y: top, size: size + 1.5, bold: false, glyphs: glyphs))
        }
    }

    /// The seal's place at the bottom right: room for the stamp, the seal's words, the date under them.
    mutating func seal(_ text: String) throws(NoticePDFError) {
        let size = NoticePDF.bodySize
        let needed = size * NoticePDF.leading * 5
        if y - needed < bottom { newPage() }
        y -= size * NoticePDF.leading * 1.5
        let date = issueDate
        issueDate = nil
        // The seal's words centred over the date, both ending at the right margin.
        var dateGlyphs: [Int] = []
        if let date { dateGlyphs = try embedding.glyphs(for: date) }
        let sealGlyphs = try embedding.glyphs(for: text)
        let right = NoticePDF.pageWidth - NoticePDF.marginRight - size
        let blockWidth = max(embedding.width(dateGlyphs, size: size), embedding.width(sealGlyphs, size: size))
        let centre = right - blockWidth / 2
        current.items.append(.text(x: centre - embedding.width(sealGlyphs, size: size) / 2, y: y, size: size, bold: false, glyphs: sealGlyphs))
        y -= size * NoticePDF.leading
        if !dateGlyphs.isEmpty {
            current.items.append(.text(x: centre - embedding.width(dateGlyphs, size: size) / 2, y: y, size: size, bold: false, glyphs: dateGlyphs))
            y -= size * NoticePDF.leading
        }
        pageHasContent = true
    }

    /// A paragraph, wrapped to the text width; continuation lines indented by `hangingIndent` points.
    mutating func paragraph(_ text: String, size: Double, bold: Bool, alignment: NoticeTextStyle.Alignment, hangingIndent: Double) throws(NoticePDFError) {
        var failure: NoticePDFError?
        var cache: [String: Double] = [:]
        let lines = NoticePDF.breakLines(text, firstWidth: NoticePDF.textWidth, restWidth: NoticePDF.textWidth - hangingIndent) { piece in
            if let known = cache[piece] { return known }
            do throws(NoticePDFError) {
                let w = embedding.width(try embedding.glyphs(for: piece), size: size)
                cache[piece] = w
                return w
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        for (i, text) in lines.enumerated() {
            try line(text, size: size, bold: bold, alignment: alignment, indent: i == 0 ? 0 : hangingIndent)
        }
    }

    /// One line at the current position; a new page first when it does not fit.
    mutating func line(_ text: String, size: Double, bold: Bool, alignment: NoticeTextStyle.Alignment, indent: Double) throws(NoticePDFError) {
        try room(size * NoticePDF.leading)
        y -= size * (NoticePDF.leading - 1) / 2 + size * 0.88
        let glyphs = try embedding.glyphs(for: text)
        let width = embedding.width(glyphs, size: size)
        let x: Double
        switch alignment {
        case .left: x = NoticePDF.marginLeft + indent
        case .center: x = NoticePDF.marginLeft + (NoticePDF.textWidth - width) / 2
        case .right: x = NoticePDF.pageWidth - NoticePDF.marginRight - width
        }
        if !glyphs.isEmpty { current.items.append(.text(x: x, y: y, size: size, bold: bold, glyphs: glyphs)) }
        y -= size * (NoticePDF.leading - 1) / 2 + size * 0.12
        pageHasContent = true
    }

    /// Starts a new page (the same copy continued) when `height` does not fit above the bottom margin.
    mutating func room(_ height: Double) throws(NoticePDFError) {
        if y - height < bottom { newPage() }
    }

    mutating func newPage() {
        pages.append(current)
        current = PDFPage()
        y = NoticePDF.pageHeight - NoticePDF.marginTop
        pageHasContent = false
        try? header()
    }
}
