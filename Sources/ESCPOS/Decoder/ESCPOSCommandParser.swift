// The ESC/POS command table: how long each command is and what element it makes, for the stream decoder.

/// What the parser made of the bytes at one position.
enum ParseStep {
    /// The command is not complete yet; wait for more bytes.
    case needMore
    /// `length` bytes make `element`.
    case element(ESCPOSElement, length: Int)
    /// The command's header is `length` bytes; `element` stands for it, and the next `skip` bytes are its data, which
    /// is too large to keep and is passed over as it arrives.
    case skipping(ESCPOSElement, length: Int, skip: Int)
}

/// Parses one command starting at a control byte. Every step consumes at least one byte or asks for more, so
/// garbage can never make the decoder loop.
struct ESCPOSCommandParser {
    /// Commands whose data is larger than this are passed over instead of kept.
    let maxKeptBytes: Int

    func parse(_ b: ArraySlice<UInt8>) -> ParseStep {
        let s = b.startIndex
        switch b[s] {
        case ASCIIControl.lf: return .element(.lineFeed, length: 1)
        case ASCIIControl.cr: return .element(.command(name: "CR", bytes: [0x0D]), length: 1)
        case ASCIIControl.ff: return .element(.command(name: "FF (print and eject)", bytes: [0x0C]), length: 1)
        case ASCIIControl.can: return .element(.command(name: "CAN (cancel page data)", bytes: [0x18]), length: 1)
        case ASCIIControl.esc: return esc(b)
        case ASCIIControl.gs: return gs(b)
        case ASCIIControl.fs: return fs(b)
        case ASCIIControl.dle: return dle(b)
        default: return .element(.unknown([b[s]]), length: 1)
        }
    }

    // MARK: Helpers

    /// A fixed-length command: `length` bytes, made into an element once all are there.
    private func fixed(_ b: ArraySlice<UInt8>, _ length: Int, _ make: ([UInt8]) -> ESCPOSElement) -> ParseStep {
        guard b.count >= length else { return .needMore }
        return .element(make(Array(b.prefix(length))), length: length)
    }

    private func named(_ b: ArraySlice<UInt8>, _ length: Int, _ name: String) -> ParseStep {
        fixed(b, length) { .command(name: name, bytes: $0) }
    }

    private func unknown(_ b: ArraySlice<UInt8>, _ length: Int) -> ParseStep {
        fixed(b, min(length, b.count)) { .unknown($0) }
    }

    private func byte(_ b: ArraySlice<UInt8>, _ offset: Int) -> Int? {
        offset < b.count ? Int(b[b.startIndex + offset]) : nil
    }

    /// A header of `header` bytes followed by `data` bytes, kept when small enough and passed over otherwise.
    private func withData(_ b: ArraySlice<UInt8>, header: Int, data: Int, kept: ([UInt8]?) -> ESCPOSElement) -> ParseStep {
        if header + data > maxKeptBytes {
            return .skipping(kept(nil), length: header, skip: data)
        }
        guard b.count >= header + data else { return .needMore }
        return .element(kept(Array(b.dropFirst(header).prefix(data))), length: header + data)
    }

    private static func alignment(_ n: Int) -> ESCPOSDocument.Alignment? {
        switch n {
        case 0, 48: .left
        case 1, 49: .center
        case 2, 50: .right
        default: nil
        }
    }

    // MARK: ESC

    private func esc(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard let c = byte(b, 1) else { return .needMore }
        switch UInt8(c) {
        case 0x40: return .element(.initialize, length: 2)
        case 0x21: return fixed(b, 3) { .style(.printMode($0[2])) }
        case 0x45: return fixed(b, 3) { .style(.bold($0[2] & 1 == 1)) }
        case 0x47: return fixed(b, 3) { .style(.doubleStrike($0[2] & 1 == 1)) }
        case 0x2D: return fixed(b, 3) { .style(.underline(Int($0[2] >= 48 ? $0[2] - 48 : $0[2]) % 3)) }
        case 0x61:
            return fixed(b, 3) { bytes in Self.alignment(Int(bytes[2])).map { .align($0) } ?? .unknown(bytes) }
        case 0x64: return fixed(b, 3) { .feedLines(Int($0[2])) }
        case 0x4A: return fixed(b, 3) { .feedDots(Int($0[2])) }
        case 0x4D: return fixed(b, 3) { .style(.font(Int($0[2] >= 48 ? $0[2] - 48 : $0[2]))) }
        case 0x74: return fixed(b, 3) { .style(.codePage(Int($0[2]))) }
        case 0x7B: return fixed(b, 3) { .style(.upsideDown($0[2] & 1 == 1)) }
        case 0x70: return fixed(b, 5) { .pulse(pin: Int($0[2] & 1) == 0 ? 2 : 5, onMilliseconds: Int($0[3]) * 2, offMilliseconds: Int($0[4]) * 2) }
        case 0x42: return fixed(b, 4) { .beep(times: Int($0[2]), duration: Int($0[3])) }
        case 0x69: return .element(.cut(partial: false, feed: nil), length: 2)
        case 0x6D: return .element(.cut(partial: true, feed: nil), length: 2)
        case 0x32: return named(b, 2, "default line spacing")
        case 0x33: return named(b, 3, "line spacing")
        case 0x65: return named(b, 3, "reverse feed lines")
        case 0x4B: return named(b, 3, "reverse feed dots")
        case 0x52: return named(b, 3, "international character set")
        case 0x56: return named(b, 3, "rotate 90°")
        case 0x20: return named(b, 3, "character spacing")
        case 0x24: return named(b, 4, "absolute position")
        case 0x5C: return named(b, 4, "relative position")
        case 0x63:
            guard let sub = byte(b, 2) else { return .needMore }
            return (0x30...0x35).contains(sub) ? named(b, 4, "panel and sensor settings") : unknown(b, 3)
        case 0x3D: return named(b, 3, "select peripheral")
        case 0x25: return named(b, 3, "user-defined characters on/off")
        case 0x3F: return named(b, 3, "cancel user-defined character")
        case 0x55: return named(b, 3, "unidirectional printing")
        case 0x72: return named(b, 3, "print colour")
        case 0x54: return named(b, 3, "page mode direction")
        case 0x53: return named(b, 2, "standard mode")
        case 0x4C: return named(b, 2, "page mode")
        case 0x0C: return named(b, 2, "print page mode data")
        case 0x57: return named(b, 10, "page mode area")
        case 0x3C: return named(b, 2, "return home")
        case 0x75: return named(b, 3, "transmit peripheral status")
        case 0x76: return named(b, 2, "transmit paper status")
        case 0x44:
            // ESC D n1 … nk NUL: tab positions, at most 32 of them.
            let window = b.dropFirst(2).prefix(33)
            if let end = window.firstIndex(of: 0) { return named(b, end - b.startIndex + 1, "tab positions") }
            return window.count < 33 ? .needMore : unknown(b, 2)
        case 0x2A:
            // ESC * m nL nH d…: column bit image; 8-dot modes take n bytes, 24-dot modes 3n.
            guard b.count >= 5 else { return .needMore }
            let m = Int(b[s(b) + 2]), n = Int(b[s(b) + 3]) | Int(b[s(b) + 4]) << 8
            let perColumn: Int
            switch m {
            case 0, 1: perColumn = 1
            case 32, 33: perColumn = 3
            default: return unknown(b, 2)
            }
            return withData(b, header: 5, data: n * perColumn) { _ in .columnImage(width: n, height: perColumn * 8) }
        case 0x26:
            return userDefinedCharacters(b)
        case 0x28:
            // ESC ( x pL pH …: e.g. ESC ( A, the Epson buzzer.
            guard b.count >= 5 else { return .needMore }
            let p = Int(b[s(b) + 3]) | Int(b[s(b) + 4]) << 8
            let name = b[s(b) + 2] == 0x41 ? "beeper (ESC ( A)" : "ESC ( \(Character(Unicode.Scalar(b[s(b) + 2])))"
            return withData(b, header: 5, data: p) { data in .command(name: name, bytes: Array(b.prefix(5)) + (data ?? [])) }
        default:
            return unknown(b, 2)
        }
    }

    private func s(_ b: ArraySlice<UInt8>) -> Int { b.startIndex }

    /// ESC & y c1 c2 [x d1 … d(y·x)] for each character from c1 to c2.
    private func userDefinedCharacters(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard b.count >= 5 else { return .needMore }
        let y = Int(b[s(b) + 2]), c1 = Int(b[s(b) + 3]), c2 = Int(b[s(b) + 4])
        guard (1...3).contains(y), (32...126).contains(c1), (c1...126).contains(c2) else { return unknown(b, 2) }
        var offset = 5
        for _ in c1...c2 {
            guard let x = byte(b, offset) else { return .needMore }
            guard x <= 12 else { return unknown(b, 2) }
            offset += 1 + y * x
        }
        guard b.count >= offset else { return .needMore }
        return named(b, offset, "define user-defined characters")
    }

    // MARK: GS

    private func gs(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard let c = byte(b, 1) else { return .needMore }
        switch UInt8(c) {
        case 0x21: return fixed(b, 3) { .style(.size(width: Int($0[2] >> 4 & 7) + 1, height: Int($0[2] & 7) + 1)) }
        case 0x42: return fixed(b, 3) { .style(.invert($0[2] & 1 == 1)) }
        case 0x56:
            guard let m = byte(b, 2) else { return .needMore }
            switch m {
            case 0, 48: return .element(.cut(partial: false, feed: nil), length: 3)
            case 1, 49: return .element(.cut(partial: true, feed: nil), length: 3)
            case 65, 97, 103: return fixed(b, 4) { .cut(partial: false, feed: Int($0[3])) }
            case 66, 98, 104: return fixed(b, 4) { .cut(partial: true, feed: Int($0[3])) }
            default: return unknown(b, 3)
            }
        case 0x76:
            // GS v 0 m xL xH yL yH d…: raster image, x bytes per row, y rows.
            guard let zero = byte(b, 2) else { return .needMore }
            guard zero == 0x30 else { return unknown(b, 3) }
            guard b.count >= 8 else { return .needMore }
            let x = Int(b[s(b) + 4]) | Int(b[s(b) + 5]) << 8, y = Int(b[s(b) + 6]) | Int(b[s(b) + 7]) << 8
            return withData(b, header: 8, data: x * y) { .rasterImage(width: x * 8, height: y, data: $0) }
        case 0x28:
            guard b.count >= 5 else { return .needMore }
            let fn = b[s(b) + 2], p = Int(b[s(b) + 3]) | Int(b[s(b) + 4]) << 8
            if fn == 0x6B { return twoDimensionalCode(b, p) }
            if fn == 0x4C, p >= 10 {
                // GS ( L function 112 (m=48 fn=112 a bx by c xL xH yL yH d…): graphics stored for printing, taken as
                // printed (function 50 follows it in the jobs CounterGate sends).
                guard b.count >= 15 else { return .needMore }
                let start = s(b)
                if b[start + 5] == 0x30, b[start + 6] == 0x70 {
                    let width = Int(b[start + 11]) | Int(b[start + 12]) << 8, height = Int(b[start + 13]) | Int(b[start + 14]) << 8
                    return withData(b, header: 15, data: p - 10) { .rasterImage(width: width, height: height, data: $0) }
                }
            }
            let name = "GS ( \(Character(Unicode.Scalar(fn)))"
            return withData(b, header: 5, data: p) { data in .command(name: name, bytes: data.map { Array(b.prefix(5)) + $0 } ?? Array(b.prefix(5))) }
        case 0x38:
            // GS 8 L p1 p2 p3 p4 …: graphics with a 4-byte length.
            guard b.count >= 7 else { return .needMore }
            let p = (3...6).reduce(0) { $0 | Int(b[s(b) + $1]) << (8 * ($1 - 3)) }
            return withData(b, header: 7, data: p) { _ in .command(name: "GS 8 L graphics", bytes: Array(b.prefix(7))) }
        case 0x6B:
            return barcode(b)
        case 0x61: return fixed(b, 3) { .automaticStatusBack($0[2]) }
        case 0x72: return fixed(b, 3) { .transmitStatusRequest(Int($0[2] >= 48 ? $0[2] - 48 : $0[2])) }
        case 0x48: return named(b, 3, "barcode text position")
        case 0x66: return named(b, 3, "barcode text font")
        case 0x68: return named(b, 3, "barcode height")
        case 0x77: return named(b, 3, "barcode width")
        case 0x62: return named(b, 3, "smoothing")
        case 0x49: return named(b, 3, "transmit printer id")
        case 0x54: return named(b, 3, "print position to line start")
        case 0x2F: return named(b, 3, "print downloaded image")
        case 0x6A: return named(b, 3, "ink ASB")
        case 0x45: return named(b, 3, "print density")
        case 0x7C: return named(b, 3, "print density")
        case 0x4C: return named(b, 4, "left margin")
        case 0x57: return named(b, 4, "print area width")
        case 0x50: return named(b, 4, "motion units")
        case 0x24: return named(b, 4, "vertical position")
        case 0x5C: return named(b, 4, "relative vertical position")
        case 0x3A: return named(b, 2, "macro definition")
        case 0x5E: return named(b, 5, "run macro")
        case 0x7A: return named(b, 5, "online recovery wait")
        case 0x67:
            guard let sub = byte(b, 2) else { return .needMore }
            return sub == 0x30 || sub == 0x32 ? named(b, 6, "maintenance counter") : unknown(b, 3)
        case 0x2A:
            // GS * x y d…: define a downloaded image of x·8 × y·8 dots.
            guard b.count >= 4 else { return .needMore }
            let x = Int(b[s(b) + 2]), y = Int(b[s(b) + 3])
            return withData(b, header: 4, data: x * y * 8) { _ in .command(name: "define downloaded image", bytes: Array(b.prefix(4))) }
        default:
            return unknown(b, 2)
        }
    }

    /// GS ( k pL pH cn fn …: 2D codes; cn 49 is QR.
    private func twoDimensionalCode(_ b: ArraySlice<UInt8>, _ p: Int) -> ParseStep {
        guard p >= 2 else { return unknown(b, 5) }
        return withData(b, header: 5, data: p) { data in
            guard let data else { return .command(name: "2D code (too large to keep)", bytes: Array(b.prefix(5))) }
            let cn = data[0], fn = data[1], parameters = Array(data.dropFirst(2))
            guard cn == 0x31 else { return .command(name: "2D code cn=\(cn) fn=\(fn)", bytes: Array(b.prefix(5)) + data) }
            switch fn {
            case 0x41 where !parameters.isEmpty: return .qrCode(.model(parameters[0]))
            case 0x43 where !parameters.isEmpty: return .qrCode(.moduleSize(Int(parameters[0])))
            case 0x45 where !parameters.isEmpty: return .qrCode(.errorCorrection(parameters[0]))
            case 0x50 where !parameters.isEmpty: return .qrCode(.store(Array(parameters.dropFirst())))  // m = 48, then data
            case 0x51: return .qrCode(.print)
            default: return .qrCode(.other(function: fn, parameters: parameters))
            }
        }
    }

    /// GS k m …: systems 0-6 end their data with NUL; 65-79 give its length first.
    private func barcode(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard let m = byte(b, 2) else { return .needMore }
        switch m {
        case 0...6:
            let window = b.dropFirst(3).prefix(256)
            guard let end = window.firstIndex(of: 0) else { return window.count < 256 ? .needMore : unknown(b, 3) }
            let data = Array(b[(s(b) + 3)..<end])
            return .element(.barcode(system: UInt8(m), data: data), length: end - s(b) + 1)
        case 65...79:
            guard let n = byte(b, 3) else { return .needMore }
            return fixed(b, 4 + n) { .barcode(system: UInt8(m), data: Array($0.dropFirst(4))) }
        default:
            return unknown(b, 3)
        }
    }

    // MARK: FS

    private func fs(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard let c = byte(b, 1) else { return .needMore }
        switch UInt8(c) {
        case 0x26: return .element(.chineseMode(true), length: 2)
        case 0x2E: return .element(.chineseMode(false), length: 2)
        case 0x21:
            return fixed(b, 3) { .style(.chineseSize(width: $0[2] & 0x04 != 0 ? 2 : 1, height: $0[2] & 0x08 != 0 ? 2 : 1, underline: $0[2] & 0x80 != 0)) }
        case 0x2D: return fixed(b, 3) { .style(.chineseUnderline(Int($0[2] >= 48 ? $0[2] - 48 : $0[2]) % 3)) }
        case 0x57: return fixed(b, 3) { .style(.chineseQuadruple($0[2] & 1 == 1)) }
        case 0x53: return named(b, 4, "Chinese character spacing")
        case 0x43: return named(b, 3, "Chinese code system")
        case 0x70: return named(b, 4, "print NV image")
        case 0x3F: return named(b, 4, "cancel user-defined Chinese character")
        case 0x32:
            // FS 2 c1 c2 d1…d72: a user-defined 24×24 Chinese character.
            return named(b, 4 + 72, "define user-defined Chinese character")
        case 0x28:
            guard b.count >= 5 else { return .needMore }
            let p = Int(b[s(b) + 3]) | Int(b[s(b) + 4]) << 8
            let name = "FS ( \(Character(Unicode.Scalar(b[s(b) + 2])))"
            return withData(b, header: 5, data: p) { _ in .command(name: name, bytes: Array(b.prefix(5))) }
        case 0x71:
            // FS q n [xL xH yL yH d1…d(x·y·8)]…: define NV images.
            guard let n = byte(b, 2) else { return .needMore }
            var offset = 3
            for _ in 0..<n {
                guard b.count >= offset + 4 else { return .needMore }
                let x = Int(b[s(b) + offset]) | Int(b[s(b) + offset + 1]) << 8
                let y = Int(b[s(b) + offset + 2]) | Int(b[s(b) + offset + 3]) << 8
                offset += 4 + x * y * 8
                if offset > maxKeptBytes { return unknown(b, 3) }
            }
            guard b.count >= offset else { return .needMore }
            return named(b, offset, "define NV images")
        default:
            return unknown(b, 2)
        }
    }

    // MARK: DLE

    private func dle(_ b: ArraySlice<UInt8>) -> ParseStep {
        guard let c = byte(b, 1) else { return .needMore }
        switch UInt8(c) {
        case ASCIIControl.eot: return fixed(b, 3) { .statusRequest(Int($0[2])) }
        case ASCIIControl.enq: return fixed(b, 3) { .realTimeRequest(Int($0[2])) }
        case ASCIIControl.dc4:
            guard let fn = byte(b, 2) else { return .needMore }
            switch fn {
            case 1: return fixed(b, 5) { .pulse(pin: Int($0[3] & 1) == 0 ? 2 : 5, onMilliseconds: Int($0[4]) * 100, offMilliseconds: Int($0[4]) * 100) }
            case 2: return named(b, 5, "power off sequence")
            case 3: return named(b, 5, "real-time buzzer")
            case 7: return named(b, 4, "transmit specified status")
            case 8: return named(b, 10, "clear buffers")
            default: return unknown(b, 3)
            }
        default:
            return .element(.unknown([ASCIIControl.dle]), length: 1)
        }
    }
}
