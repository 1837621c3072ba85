// What a stream of elements puts on paper: lines of text, QR codes, images and cuts, page by page, readable.

/// The paper a printer would produce from a stream of ``ESCPOSElement``s, built up element by element.
///
/// A page ends at a cut. The readable ``transcript`` shows each printed line as text, and markers for what is not
/// text: `[QR: payload]`, `[IMAGE 384x120]`, `[BARCODE: data]`, `[DRAWER PULSE]`, `[BEEP]`, `[CUT]`, `[PARTIAL CUT]`.
public struct ESCPOSPrintout: Sendable {
    /// One printed line: its text (or a marker) and how it was set.
    public struct Line: Sendable, Hashable {
        public var text: String
        public var alignment: ESCPOSDocument.Alignment
        public var bold: Bool
        /// The largest character width and height multipliers used in the line.
        public var width: Int
        public var height: Int

        public init(text: String, alignment: ESCPOSDocument.Alignment = .left, bold: Bool = false, width: Int = 1, height: Int = 1) {
            self.text = text
            self.alignment = alignment
            self.bold = bold
            self.width = width
            self.height = height
        }
    }

    /// The paper between two cuts.
    public struct Page: Sendable, Hashable {
        public var lines: [Line] = []
        /// QR payloads printed on the page, in order (decoded as UTF-8).
        public var qrCodes: [String] = []
        /// Sizes (width × height in dots) of the raster and column images on the page.
        public var images: [ImageSize] = []
        /// How the page was cut off; nil for the page still in the printer.
        public var cut: Cut?

        public init() {}

        /// The lines' texts.
        public var texts: [String] { lines.map(\.text) }
        var isEmpty: Bool { lines.isEmpty && qrCodes.isEmpty && images.isEmpty && cut == nil }
    }

    public struct ImageSize: Sendable, Hashable {
        public var width: Int
        public var height: Int
    }

    public enum Cut: Sendable, Hashable {
        case full, partial
    }

    /// Pages that were cut off, in order (see ``allPages`` for the one still in the printer too).
    public private(set) var pages: [Page] = []
    /// What is printed since the last cut.
    public private(set) var current = Page()
    /// Status requests seen (`DLE EOT n`, `GS r n`), in order, e.g. `DLE EOT 4`, `GS r 1`.
    public private(set) var statusRequests: [String] = []
    /// Bytes that were no known command.
    public private(set) var unknownBytes = 0
    public private(set) var initializeCount = 0
    /// Lines put on paper so far (text lines, blank lines and markers), over all pages.
    public private(set) var lineCount = 0

    private var lineText = ""
    private var lineStarted = false
    private var alignment = ESCPOSDocument.Alignment.left
    private var lineAlignment = ESCPOSDocument.Alignment.left
    private var bold = false
    private var lineBold = false
    private var size = (width: 1, height: 1)
    private var lineSize = (width: 1, height: 1)
    private var storedQR: [UInt8]?

    public init() {}

    /// The printout of a whole stream.
    public init(bytes: some Sequence<UInt8>) {
        self.init()
        apply(ESCPOSStreamDecoder.decodeAll(bytes))
    }

    /// Every page: those cut off, then the one still in the printer (when anything is on it). A printer without a
    /// cutter has only that one.
    public var allPages: [Page] {
        var all = pages
        var open = current
        if lineStarted { open.lines.append(pendingLine) }
        if !open.isEmpty { all.append(open) }
        return all
    }

    /// The printed lines of every page, with markers, joined by newlines.
    public var transcript: String {
        allPages.flatMap(\.texts).joined(separator: "\n")
    }

    public mutating func apply(_ elements: [ESCPOSElement]) {
        for element in elements { apply(element) }
    }

    public mutating func apply(_ element: ESCPOSElement) {
        switch element {
        case .initialize:
            initializeCount += 1
            alignment = .left
            bold = false
            size = (1, 1)
            storedQR = nil
        case .text(let text):
            for character in text {
                if character == "\n" || character == "\r\n" { endLine(); continue }
                if !lineStarted { startLine() }
                lineText.append(character)
                lineBold = lineBold || bold
                lineSize = (max(lineSize.width, size.width), max(lineSize.height, size.height))
            }
        case .lineFeed:
            endLine()
        case .feedLines(let n):
            if lineStarted { endLine(); if n > 1 { blankLines(n - 1) } } else { blankLines(n) }
        case .feedDots:
            if lineStarted { endLine() }
        case .style(let style):
            switch style {
            case .bold(let on): bold = on
            case .size(let width, let height): size = (width, height)
            case .printMode(let mode):
                bold = mode & 0x08 != 0
                size = (mode & 0x20 != 0 ? 2 : 1, mode & 0x10 != 0 ? 2 : 1)
            default: break
            }
        case .align(let a):
            alignment = a
            if !lineStarted { lineAlignment = a }
        case .cut(let partial, _):
            marker(partial ? "[PARTIAL CUT]" : "[CUT]")
            current.cut = partial ? .partial : .full
            pages.append(current)
            current = Page()
        case .qrCode(.store(let data)):
            storedQR = data
        case .qrCode(.print):
            let payload = storedQR.map { String(decoding: $0, as: UTF8.self) } ?? ""
            current.qrCodes.append(payload)
            marker("[QR: \(payload)]")
        case .rasterImage(let width, let height, _):
            current.images.append(ImageSize(width: width, height: height))
            marker("[IMAGE \(width)x\(height)]")
        case .columnImage(let width, let height):
            current.images.append(ImageSize(width: width, height: height))
            marker("[IMAGE \(width)x\(height)]")
        case .barcode(_, let data):
            marker("[BARCODE: \(String(decoding: data, as: UTF8.self))]")
        case .pulse:
            marker("[DRAWER PULSE]")
        case .beep:
            marker("[BEEP]")
        case .statusRequest(let n):
            statusRequests.append("DLE EOT \(n)")
        case .transmitStatusRequest(let n):
            statusRequests.append("GS r \(n)")
        case .unknown(let bytes):
            unknownBytes += bytes.count
        case .qrCode, .chineseMode, .realTimeRequest, .automaticStatusBack, .command:
            break
        }
    }

    private var pendingLine: Line {
        Line(text: lineText, alignment: lineAlignment, bold: lineBold, width: lineSize.width, height: lineSize.height)
    }

    private mutating func startLine() {
        lineStarted = true
        lineAlignment = alignment
        lineBold = false
        lineSize = (1, 1)
    }

    private mutating func endLine() {
        if !lineStarted { startLine() }
        current.lines.append(pendingLine)
        lineCount += 1
        lineText = ""
        lineStarted = false
    }

    private mutating func blankLines(_ n: Int) {
        for _ in 0..<min(n, 255) {
            current.lines.append(Line(text: "", alignment: alignment))
            lineCount += 1
        }
    }

    /// A marker on a line of its own (what was on the current line is printed first, as the printer does).
    private mutating func marker(_ text: String) {
        if lineStarted { endLine() }
        current.lines.append(Line(text: text, alignment: alignment))
        lineCount += 1
    }
}
