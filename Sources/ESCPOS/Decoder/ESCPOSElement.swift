// What the stream decoder finds in ESC/POS bytes: one element per command, text run or unknown stretch.

/// One thing in an ESC/POS byte stream, as a printer would take it.
public enum ESCPOSElement: Sendable, Hashable {
    /// `ESC @`.
    case initialize
    /// Printable text, decoded as GB18030 (ASCII is a subset); bytes that are no valid GB18030 become U+FFFD.
    case text(String)
    /// `LF`: print the line and feed one line.
    case lineFeed
    /// `ESC d n`: print the line and feed n lines.
    case feedLines(Int)
    /// `ESC J n`: print the line and feed n dots.
    case feedDots(Int)
    case style(ESCPOSStyle)
    /// `ESC a n`.
    case align(ESCPOSDocument.Alignment)
    /// `FS &` (true) and `FS .` (false).
    case chineseMode(Bool)
    /// `GS V …`, `ESC i`, `ESC m`. `feed` is the n of `GS V 65/66 n` (feed to the cutter plus n, then cut).
    case cut(partial: Bool, feed: Int?)
    /// `GS ( k` for QR codes (cn = 49).
    case qrCode(ESCPOSQRCommand)
    /// `GS v 0`: a raster image, width in dots. `data` is nil when the image was larger than the decoder keeps.
    case rasterImage(width: Int, height: Int, data: [UInt8]?)
    /// `ESC *`: one band of a column-format bit image.
    case columnImage(width: Int, height: Int)
    /// `GS k`: a barcode and its data.
    case barcode(system: UInt8, data: [UInt8])
    /// `DLE EOT n`: real-time status request.
    case statusRequest(Int)
    /// `DLE ENQ n`: real-time request to the printer (recover from an error, clear buffers).
    case realTimeRequest(Int)
    /// `GS r n`: transmit status (answered after the data before it has been processed).
    case transmitStatusRequest(Int)
    /// `GS a n`: enable (n ≠ 0) or disable Automatic Status Back.
    case automaticStatusBack(UInt8)
    /// `ESC p m t1 t2` or `DLE DC4 1 m t`: a drawer pulse.
    case pulse(pin: Int, onMilliseconds: Int, offMilliseconds: Int)
    /// `ESC B n t`: the buzzer.
    case beep(times: Int, duration: Int)
    /// A command understood but of no consequence for what is on paper (line spacing, code page, margins, …).
    case command(name: String, bytes: [UInt8])
    /// Bytes that are no command the decoder knows, kept as they came.
    case unknown([UInt8])
}

/// A change of text style.
public enum ESCPOSStyle: Sendable, Hashable {
    /// `ESC E n`.
    case bold(Bool)
    /// `ESC - n` (0 off, 1 thin, 2 thick).
    case underline(Int)
    /// `FS - n` for Chinese characters.
    case chineseUnderline(Int)
    /// `ESC G n`.
    case doubleStrike(Bool)
    /// `ESC M n`.
    case font(Int)
    /// `GS !`: width and height multipliers 1-8.
    case size(width: Int, height: Int)
    /// `FS !`: Chinese double width/height and underline.
    case chineseSize(width: Int, height: Int, underline: Bool)
    /// `FS W n`: Chinese quadruple size.
    case chineseQuadruple(Bool)
    /// `ESC ! n`: font, bold, double height/width and underline in one byte.
    case printMode(UInt8)
    /// `GS B n`: white on black.
    case invert(Bool)
    /// `ESC { n`.
    case upsideDown(Bool)
    /// `ESC t n`.
    case codePage(Int)
}

/// The QR code functions of `GS ( k` (cn = 49).
public enum ESCPOSQRCommand: Sendable, Hashable {
    /// fn 65: model (49 = 1, 50 = 2, 51 = micro).
    case model(UInt8)
    /// fn 67: module size in dots.
    case moduleSize(Int)
    /// fn 69: error correction (48 L, 49 M, 50 Q, 51 H).
    case errorCorrection(UInt8)
    /// fn 80: the data to encode, stored until printed.
    case store([UInt8])
    /// fn 81: print the stored code.
    case print
    /// Any other function (e.g. 82, transmit size information).
    case other(function: UInt8, parameters: [UInt8])
}
