// What one printer model can do, as read from its file in drivers/printers/ (inheritance already resolved).
import DeviceKit

/// A USB vendor and product id pair, as `lsusb` shows it (`0483:5743`).
public typealias USBProductID = USBID

/// One receipt printer model: paper, fonts, Chinese, cutter, codes and status it supports, and its quirks.
/// Made by ``PrinterProfiles/load(directory:)``; every field is set (inherited ones resolved).
public struct PrinterProfile: Sendable, Hashable {
    /// How text becomes bytes on this printer.
    public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
        /// GB18030, 4-byte sequences included (𠮷 prints).
        case gb18030
        /// GBK: GB18030's 2-byte part only. A character that needs 4 bytes (such printers print them as garbage), or
        /// that GBK fonts lack although GB18030 gives it 2 bytes (CJK Extension A such as 䶮, private use), is not
        /// sent as text: its line is drawn as a raster image (``OutputMode``), or refused on a `text` printer.
        case gbk
        /// No Chinese font: text beyond ASCII is drawn as a raster image (``OutputMode``), or refused on a printer
        /// without raster support.
        case ascii
    }

    /// Whether Chinese text needs `FS &` first.
    public enum ChineseMode: String, Sendable, Hashable, CaseIterable {
        /// Send `FS &` before Chinese text and `FS .` after it.
        case fsAmpersand = "fs-ampersand"
        /// The printer is in Chinese mode from power-on (and may ignore `FS &`); send the bytes only.
        case powerOn = "power-on"
    }

    /// How text lines become bytes (profile key `text_output`).
    public enum OutputMode: String, Sendable, Hashable, CaseIterable {
        /// Text only, in the printer's font and encoding; a line with a character it cannot carry is refused.
        case text
        /// Every line drawn on the gateway and sent as a raster image (a printer without a Chinese font).
        case raster
        /// Text, and a raster image for a line holding a character the printer's font or encoding lacks.
        case textWithRaster = "text-with-raster"
    }

    /// The command raster images are sent with (profile key `raster_command`).
    public enum RasterCommand: String, Sendable, Hashable, CaseIterable {
        /// `GS v 0`: raster bit image, rows of bits (Epson and nearly every clone).
        case gsV0 = "gs-v-0"
        /// `GS ( L` store (function 112) and print (function 50): the graphics command of newer Epson models.
        case gsParenL = "gs-paren-l"
        /// `ESC *` 24-dot double-density bit image in 24-row stripes: old printers that know neither of the above.
        case escStar = "esc-star"
    }

    /// What the auto-cutter does.
    public enum Cutter: String, Sendable, Hashable, CaseIterable {
        /// No cutter: the paper is torn off. A cut in a document becomes a feed to the tear-off bar.
        case none
        /// Full cuts only; a partial cut is done as a full cut.
        case full
        /// Partial cuts only (one point left); a full cut is done as a partial cut.
        case partial
        /// Both.
        case fullAndPartial = "full-and-partial"
    }

    /// What the printer tells about itself.
    public enum StatusSupport: String, Sendable, Hashable, CaseIterable {
        /// Nothing comes back (a write-only port, a printer without a back channel).
        case none
        /// `DLE EOT n` is answered with one status byte.
        case dleEOT = "dle-eot"
        /// `DLE EOT n`, and `GS a` Automatic Status Back (4-byte blocks on every change).
        case dleEOTAndASB = "dle-eot-asb"
    }

    /// Known misbehaviour the encoder works around.
    public enum Quirk: String, Sendable, Hashable, CaseIterable {
        /// Ignores a cut that does not follow a line feed: the encoder sends LF first when needed.
        case newlineBeforeCut = "newline_before_cut"
        /// Knows only `GS V 0/1` (cut at once), not `GS V 65/66 n` (feed to the cutter, then cut): the encoder feeds
        /// ``PrinterProfile/cutFeedLines`` lines itself before cutting.
        case plainCutCommand = "plain_cut_command"
    }

    /// What kind of printer the model is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A receipt printer on a paper roll, driven with ESC/POS.
        case receipt
        /// A page printer (an A4 laser) behind a CUPS queue: notices go to it as PDF pages.
        case page
    }

    /// What the spooler sends the printer.
    public enum Output: String, Sendable, Hashable, CaseIterable {
        /// ESC/POS commands and GB18030/GBK text (receipt printers).
        case escpos
        /// A PDF document with its font embedded (page printers; CUPS converts it for the printer).
        case pdf
    }

    /// The file name without `.toml`, e.g. `xprinter-xp58`; what configurations name.
    public var id: String
    /// The model as people call it, e.g. "Xprinter XP-58 (58 mm)".
    public var name: String
    /// The profile this one inherits from, if any.
    public var inherits: String?
    /// The file the profile came from.
    public var file: String
    /// USB ids the model reports; empty for network-only or unknown ids (then the profile is chosen by name).
    public var usbIDs: [USBProductID]
    /// Printable width in dots (384 for 58 mm paper at 203 dpi, 576 for 80 mm).
    public var paperWidthDots: Int
    public var dpi: Int
    /// Characters per line in font A (12×24) and font B (9×17); a Chinese character takes two.
    public var columnsFontA: Int
    public var columnsFontB: Int
    /// Whether the printer has a Chinese (GB) font.
    public var chineseFont: Bool
    public var encoding: TextEncoding
    public var chineseMode: ChineseMode
    public var cutter: Cutter
    /// Lines fed before a cut when the printer cannot feed to the cutter itself (``Quirk/plainCutCommand``), and
    /// to bring the last line past the tear-off bar when there is no cutter.
    public var cutFeedLines: Int
    /// `GS ( k` QR codes printed by the printer itself.
    public var qrCode: Bool
    /// `GS v 0` raster images.
    public var raster: Bool
    /// The most rows sent in one raster command (`GS v 0`, …); taller images are sent in strips (small printer buffers).
    public var rasterBandRows: Int
    /// Text, raster, or text with raster lines where the font lacks a character. Unset in the file, it follows from the
    /// other keys: `text` without raster support, `text-with-raster` with a Chinese font, `raster` without one.
    public var textOutput: OutputMode
    /// How raster images are sent.
    public var rasterCommand: RasterCommand
    /// CJK font files (TrueType/OpenType, `.ttc` collections too) to draw raster text with, tried in order; the
    /// configuration's `[printing] raster_font` replaces them.
    public var rasterFonts: [String]
    /// Paper speed in mm/s, as the maker rates it: how long a raster strip takes to print (reported, see
    /// ``RasterCommands/secondsToPrint(rows:profile:)``).
    public var printSpeedMillimetersPerSecond: Int
    public var status: StatusSupport
    /// `GS r 1` (transmit paper sensor status) is answered, so a job's end can be confirmed.
    public var transmitStatus: Bool
    /// `ESC B n t` sounds a buzzer.
    public var buzzer: Bool
    /// A cash drawer port (`ESC p`), which halls use for an external bell or light.
    public var drawerPort: Bool
    /// `ESC t n` code pages: number to name (informational: CounterGate sends ASCII or GB text only).
    public var codePages: [Int: String]
    public var quirks: Set<Quirk>
    /// Receipt or page printer (`kind`, default receipt).
    public var kind: Kind = .receipt
    /// What jobs are rendered as (`output`, default escpos; a page printer's is pdf).
    public var output: Output = .escpos

    public init(id: String, name: String, inherits: String? = nil, file: String = "", usbIDs: [USBProductID] = [],
                paperWidthDots: Int, dpi: Int = 203, columnsFontA: Int, columnsFontB: Int, chineseFont: Bool,
                encoding: TextEncoding, chineseMode: ChineseMode = .fsAmpersand, cutter: Cutter, cutFeedLines: Int = 4,
                qrCode: Bool, raster: Bool = true, rasterBandRows: Int = 128, textOutput: OutputMode? = nil,
                rasterCommand: RasterCommand = .gsV0, rasterFonts: [String] = PrinterProfile.defaultRasterFonts,
                printSpeedMillimetersPerSecond: Int = 100, status: StatusSupport, transmitStatus: Bool,
                buzzer: Bool = false, drawerPort: Bool = true, codePages: [Int: String] = [0: "CP437"], quirks: Set<Quirk> = []) {
        self.id = id
        self.name = name
        self.inherits = inherits
        self.file = file
        self.usbIDs = usbIDs
        self.paperWidthDots = paperWidthDots
        self.dpi = dpi
        self.columnsFontA = columnsFontA
        self.columnsFontB = columnsFontB
        self.chineseFont = chineseFont
        self.encoding = encoding
        self.chineseMode = chineseMode
        self.cutter = cutter
        self.cutFeedLines = cutFeedLines
        self.qrCode = qrCode
        self.raster = raster
        self.rasterBandRows = rasterBandRows
        self.textOutput = textOutput ?? Self.defaultOutput(raster: raster, chineseFont: chineseFont)
        self.rasterCommand = rasterCommand
        self.rasterFonts = rasterFonts
        self.printSpeedMillimetersPerSecond = printSpeedMillimetersPerSecond
        self.status = status
        self.transmitStatus = transmitStatus
        self.buzzer = buzzer
        self.drawerPort = drawerPort
        self.codePages = codePages
        self.quirks = quirks
    }

    /// The CJK fonts Debian installs (fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei), for a profile that
    /// names none.
    public static let defaultRasterFonts = [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ]

    /// `text_output` when the profile does not say: text only without raster support, text with raster lines on a
    /// printer with a Chinese font, all raster on one without.
    public static func defaultOutput(raster: Bool, chineseFont: Bool) -> OutputMode {
        guard raster else { return .text }
        return chineseFont ? .textWithRaster : .raster
    }

    /// Whether lines may be drawn as raster images at all.
    public var drawsRaster: Bool { raster && textOutput != .text }
}
