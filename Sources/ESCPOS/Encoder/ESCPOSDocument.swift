// Builds the ESC/POS bytes of one print job for one printer profile; the job's problems surface before any byte is sent.

/// A print job under construction for one printer model.
///
/// Calls append commands; a call the printer cannot do (a character its encoding cannot carry, a QR code on a
/// printer without QR support, a size out of range) is remembered, and ``bytes()`` throws the first such problem
/// instead of returning bytes, so a job is printed whole or not at all.
///
/// Chinese text is sent in the profile's encoding (GB18030, or GBK 2-byte codes only), wrapped in `FS &` … `FS .`
/// when the profile's printer needs Chinese mode entered (``PrinterProfile/ChineseMode/fsAmpersand``).
///
/// ```swift
/// var job = ESCPOSDocument(profile: profile)
/// job.initialize()
/// job.align(.center)
/// job.size(width: 2, height: 2)
/// job.line("受理通知书")
/// job.qrCode("2026-000123")
/// job.cut(.partial)
/// let bytes = try job.bytes()
/// ```
public struct ESCPOSDocument: Sendable {
    /// Where a line sits (`ESC a n`); its own file, so the decoder is built without the encoder.
    public typealias Alignment = ESCPOSAlignment

    public enum Font: UInt8, Sendable {
        /// 12×24 dots; ``PrinterProfile/columnsFontA`` per line.
        case a = 0
        /// 9×17 dots; ``PrinterProfile/columnsFontB`` per line.
        case b = 1
    }

    public enum CutKind: Sendable {
        case full, partial
    }

    /// QR error correction: how much of the code may be damaged and still read (7, 15, 25, 30 %).
    public enum QRErrorCorrection: UInt8, Sendable {
        case low = 48, medium = 49, quartile = 50, high = 51
    }

    /// The drawer connector pin `ESC p` pulses.
    public enum DrawerPin: UInt8, Sendable {
        case pin2 = 0, pin5 = 1
    }

    public let profile: PrinterProfile
    private var buffer: [UInt8] = []
    private var problem: ESCPOSError?
    /// Whether the last thing sent ended a line (for ``PrinterProfile/Quirk/newlineBeforeCut``).
    private var atLineStart = true
    private var underlined = false
    private var chineseSize: UInt8 = 0

    public init(profile: PrinterProfile) {
        self.profile = profile
        buffer.reserveCapacity(2048)
    }

    /// The job's bytes.
    /// - Throws: the first problem met while building (``ESCPOSError``); then nothing may be sent.
    public func bytes() throws(ESCPOSError) -> [UInt8] {
        if let problem { throw problem }
        return buffer
    }

    /// The first problem met so far, if any.
    public var firstProblem: ESCPOSError? { problem }

    // MARK: Set-up and style

    /// `ESC @`: back to the power-on state (styles, sizes, alignment, Chinese mode off).
    public mutating func initialize() {
        emit(ASCIIControl.esc, 0x40)
        atLineStart = true
        underlined = false
        chineseSize = 0
    }

    /// `ESC a n`: alignment of the lines that follow (takes effect at the start of a line).
    public mutating func align(_ alignment: Alignment) {
        emit(ASCIIControl.esc, 0x61, alignment.rawValue)
    }

    /// `ESC E n`: emphasised (bold) text.
    public mutating func bold(_ on: Bool) {
        emit(ASCIIControl.esc, 0x45, on ? 1 : 0)
    }

    /// `ESC - n`, and `FS - n` for Chinese characters on printers with a Chinese font.
    public mutating func underline(_ on: Bool) {
        underlined = on
        if profile.chineseFont { emit(ASCIIControl.fs, 0x2D, on ? 1 : 0) }
        emit(ASCIIControl.esc, 0x2D, on ? 1 : 0)
    }

    /// `ESC M n`: font A or B.
    public mutating func font(_ font: Font) {
        emit(ASCIIControl.esc, 0x4D, font.rawValue)
    }

    /// Character size, 1 to 8 times in each direction. `GS !` scales ASCII (and, on Epson and most Chinese printers,
    /// Chinese too); on printers with a Chinese font `FS !` is sent first as well, doubling Chinese characters where
    /// `GS !` does not reach them (it can only double, so 3× and more come out 2× there). `GS !` goes last because
    /// where both apply, the last one received wins.
    public mutating func size(width: Int, height: Int) {
        guard (1...8).contains(width), (1...8).contains(height) else {
            fail(.invalidArgument("character size must be 1 to 8 in each direction, not \(width)×\(height)"))
            return
        }
        if profile.chineseFont {
            chineseSize = (width > 1 ? 0x04 : 0) | (height > 1 ? 0x08 : 0)
            emit(ASCIIControl.fs, 0x21, chineseSize | (underlined ? 0x80 : 0))
        }
        emit(ASCIIControl.gs, 0x21, UInt8((width - 1) << 4 | (height - 1)))
    }

    // MARK: Text

    /// Text, with `\n` ending lines. Refused (see ``bytes()``) when a character is beyond the printer's encoding or
    /// a control character.
    public mutating func text(_ text: String) {
        guard problem == nil, !text.isEmpty else { return }
        do {
            _ = try PrinterTextEncoder.append(text, encoding: profile.encoding, fsAmpersand: profile.chineseMode == .fsAmpersand,
                                              profileID: profile.id, to: &buffer)
            atLineStart = text.utf8.last == ASCIIControl.lf
        } catch {
            fail(error)
        }
    }

    /// Text and a line feed.
    public mutating func line(_ text: String = "") {
        self.text(text)
        emit(ASCIIControl.lf)
        atLineStart = true
    }

    /// Text and a line feed, as ``line(_:)``, unless a character is beyond the printer's encoding: then nothing is
    /// appended, the refusal is returned instead of becoming the job's problem, and the caller may draw the line as
    /// a raster image. Other problems (a control character) are the job's, as with ``line(_:)``.
    public mutating func lineUnlessUnencodable(_ text: String) -> ESCPOSError? {
        guard problem == nil else { return nil }
        if !text.isEmpty {
            do {
                _ = try PrinterTextEncoder.append(text, encoding: profile.encoding, fsAmpersand: profile.chineseMode == .fsAmpersand,
                                                  profileID: profile.id, to: &buffer)
            } catch {
                if case .unencodableCharacter = error { return error }
                fail(error)
                return nil
            }
        }
        emit(ASCIIControl.lf)
        atLineStart = true
        return nil
    }

    /// `ESC d n`: prints what is buffered and feeds `lines` lines.
    public mutating func feed(lines: Int) {
        guard lines >= 0 else { fail(.invalidArgument("cannot feed \(lines) lines")); return }
        var left = lines
        while left > 0 {
            let n = min(left, 255)
            emit(ASCIIControl.esc, 0x64, UInt8(n))
            left -= n
        }
        if lines > 0 { atLineStart = true }
    }

    // MARK: Codes and images

    /// A QR code drawn by the printer (`GS ( k`: model 2, module size, error correction, store, print).
    /// Refused when the profile has no native QR support.
    /// - Parameters:
    ///   - payload: the content, sent as UTF-8 (1 to 7089 bytes).
    ///   - moduleSize: dots per module, 1 to 16.
    public mutating func qrCode(_ payload: String, moduleSize: Int = 6, errorCorrection: QRErrorCorrection = .medium) {
        guard profile.qrCode else { fail(.unsupported(feature: "QR codes (GS ( k)", profile: profile.id)); return }
        let data = Array(payload.utf8)
        guard (1...7089).contains(data.count) else {
            fail(.invalidArgument("a QR code holds 1 to 7089 bytes, not \(data.count)"))
            return
        }
        guard (1...16).contains(moduleSize) else { fail(.invalidArgument("QR module size must be 1 to 16, not \(moduleSize)")); return }
        qrFunction(0x41, [0x32, 0x00])  // model 2
        qrFunction(0x43, [UInt8(moduleSize)])
        qrFunction(0x45, [errorCorrection.rawValue])
        qrFunction(0x50, [0x30] + data)  // store
        qrFunction(0x51, [0x30])  // print
        atLineStart = true
    }

    private mutating func qrFunction(_ function: UInt8, _ parameters: [UInt8]) {
        let length = parameters.count + 2
        emit([ASCIIControl.gs, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, function])
        buffer += parameters
    }

    /// A raster image in the profile's raster command (`GS v 0`, `GS ( L` or `ESC *`: ``RasterCommands``), sent in
    /// strips of at most ``PrinterProfile/rasterBandRows`` rows. Refused when the profile has no raster support or the
    /// image is wider than the paper.
    public mutating func raster(_ image: RasterImage) {
        guard problem == nil else { return }
        guard profile.raster else { fail(.unsupported(feature: "raster images (GS v 0)", profile: profile.id)); return }
        guard image.width <= profile.paperWidthDots else {
            fail(.invalidArgument("a \(image.width)-dot wide image does not fit \(profile.id)'s \(profile.paperWidthDots)-dot paper"))
            return
        }
        rasterStrips += RasterCommands.append(image, profile: profile, to: &buffer)
        rasterRows += image.height
        atLineStart = true
    }

    /// Dot rows sent as raster images so far (for ``RasterCommands/secondsToPrint(rows:profile:)``).
    public private(set) var rasterRows = 0
    /// Raster commands (strips) sent so far.
    public private(set) var rasterStrips = 0

    /// The control character in `text` the printer would take as a command, if any (line feeds and tabs pass), for
    /// text about to be drawn rather than sent. Nothing is appended.
    public func controlCharacterProblem(_ text: String) -> ESCPOSError? {
        var scratch: [UInt8] = []
        do {
            _ = try PrinterTextEncoder.append(text, encoding: .gb18030, fsAmpersand: false, profileID: profile.id, to: &scratch)
            return nil
        } catch {
            if case .controlCharacter = error { return error }
            return nil
        }
    }

    /// Records `error` as the job's problem (the first one wins), for a caller that found one while building.
    public mutating func refuse(_ error: ESCPOSError) {
        fail(error)
    }

    // MARK: Paper and peripherals

    /// Cuts the paper below what was printed. A printer with only one kind of cut does that kind.
    ///
    /// Without a cutter (``PrinterProfile/Cutter/none``) a cut is **not refused**: the paper is fed
    /// ``PrinterProfile/cutFeedLines`` lines so the last line clears the tear-off bar, and no cut command is sent.
    /// Notices cut between their two copies, and a printer without a cutter must still print them.
    public mutating func cut(_ kind: CutKind = .full) {
        if profile.quirks.contains(.newlineBeforeCut) && !atLineStart { emit(ASCIIControl.lf) }
        guard profile.cutter != .none else {
            feed(lines: profile.cutFeedLines)
            return
        }
        let partial = switch profile.cutter {
        case .none, .full: false
        case .partial: true
        case .fullAndPartial: kind == .partial
        }
        if profile.quirks.contains(.plainCutCommand) {
            feed(lines: profile.cutFeedLines)
            emit(ASCIIControl.gs, 0x56, partial ? 1 : 0)
        } else {
            // GS V 65/66 0: feed to the cutter, then cut.
            emit(ASCIIControl.gs, 0x56, partial ? 66 : 65, 0)
        }
        atLineStart = true
    }

    /// `ESC p m t1 t2`: a pulse on the drawer connector (halls wire a bell or a light to it).
    /// - Parameters:
    ///   - onMilliseconds, offMilliseconds: 2 to 510, in steps of 2 ms.
    public mutating func pulseDrawer(pin: DrawerPin = .pin2, onMilliseconds: Int = 100, offMilliseconds: Int = 200) {
        guard profile.drawerPort else { fail(.unsupported(feature: "a drawer port (ESC p)", profile: profile.id)); return }
        guard (2...510).contains(onMilliseconds), (2...510).contains(offMilliseconds) else {
            fail(.invalidArgument("drawer pulse times must be 2 to 510 ms"))
            return
        }
        emit(ASCIIControl.esc, 0x70, pin.rawValue, UInt8(onMilliseconds / 2), UInt8(offMilliseconds / 2))
    }

    /// `ESC B n t`: the buzzer sounds `times` times (1-9), each `duration` × 50 ms (1-9).
    public mutating func beep(times: Int = 1, duration: Int = 2) {
        guard profile.buzzer else { fail(.unsupported(feature: "a buzzer (ESC B)", profile: profile.id)); return }
        guard (1...9).contains(times), (1...9).contains(duration) else {
            fail(.invalidArgument("beep takes 1 to 9 times of 1 to 9 × 50 ms"))
            return
        }
        emit(ASCIIControl.esc, 0x42, UInt8(times), UInt8(duration))
    }

    // MARK: Status

    /// `DLE EOT n` (n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor): the printer answers one byte at
    /// once, even while offline. Decode it with ``ESCPOSStatus/decode(_:for:)``.
    public mutating func requestStatus(_ n: Int) {
        guard profile.status != .none else { fail(.unsupported(feature: "status requests (DLE EOT)", profile: profile.id)); return }
        guard (1...4).contains(n) else { fail(.invalidArgument("DLE EOT takes n = 1 to 4, not \(n)")); return }
        emit(ASCIIControl.dle, ASCIIControl.eot, UInt8(n))
    }

    /// `GS r 1`: the printer answers its paper sensor status once everything before it has been processed, which
    /// confirms a job reached the paper. Decode the answer with ``ESCPOSStatus/decodeTransmitStatus(_:)``.
    public mutating func requestTransmitStatus() {
        guard profile.transmitStatus else { fail(.unsupported(feature: "transmit status (GS r)", profile: profile.id)); return }
        emit(ASCIIControl.gs, 0x72, 1)
    }

    /// `GS a n`: Automatic Status Back; the printer pushes a 4-byte block (``ESCPOSStatus/decodeASB(_:)``) whenever
    /// the enabled items change. `mask` 0x0F enables drawer, online, error and paper items; 0 disables ASB.
    public mutating func automaticStatusBack(_ mask: UInt8 = 0x0F) {
        guard profile.status == .dleEOTAndASB else {
            fail(.unsupported(feature: "Automatic Status Back (GS a)", profile: profile.id))
            return
        }
        emit(ASCIIControl.gs, 0x61, mask)
    }

    // MARK: Combining

    /// Appends another job built for the same profile (its problem, if any, becomes this job's).
    public mutating func append(_ other: ESCPOSDocument) {
        guard problem == nil else { return }
        guard other.profile.id == profile.id else {
            fail(.invalidArgument("cannot join a job for \(other.profile.id) to one for \(profile.id)"))
            return
        }
        if let otherProblem = other.problem { fail(otherProblem); return }
        buffer += other.buffer
        rasterRows += other.rasterRows
        rasterStrips += other.rasterStrips
        atLineStart = other.buffer.isEmpty ? atLineStart : other.atLineStart
        underlined = other.underlined
        chineseSize = other.chineseSize
    }

    // MARK: Private

    // Fixed arities rather than a variadic, which would allocate an array for every command.
    private mutating func emit(_ a: UInt8) {
        buffer.append(a)
    }

    private mutating func emit(_ a: UInt8, _ b: UInt8) {
        buffer.append(a)
        buffer.append(b)
    }

    private mutating func emit(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
        buffer.append(a)
        buffer.append(b)
        buffer.append(c)
    }

    private mutating func emit(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        buffer.append(a)
        buffer.append(b)
        buffer.append(c)
        buffer.append(d)
    }

    private mutating func emit(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8) {
        emit(a, b, c, d)
        buffer.append(e)
    }

    private mutating func emit(_ bytes: [UInt8]) {
        buffer += bytes
    }

    private mutating func fail(_ error: ESCPOSError) {
        if problem == nil { problem = error }
    }
}
