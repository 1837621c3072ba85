// Test support (not used by the gateway): reads the raster images back out of an ESC/POS job, written from the
// command reference (GS v 0, GS ( L functions 112 and 50, ESC *) and not from CounterGate's encoder or decoder, so
// the raster tests check the encoder against an independent reading.

/// A 1-bit picture as read back from the printer's bytes.
public struct ReadBitmap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row by row, `true` for a black dot.
    public var dots: [Bool]

    public init(width: Int, height: Int, dots: [Bool]) {
        self.width = width
        self.height = height
        self.dots = dots
    }

    public func isBlack(_ x: Int, _ y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height && dots[y * width + x]
    }

    /// The part from column `x` (inclusive) to `x + w`, all rows.
    public func columns(_ x: Int, _ w: Int) -> ReadBitmap {
        var out: [Bool] = []
        for y in 0..<height { for cx in x..<(x + w) { out.append(isBlack(cx, y)) } }
        return ReadBitmap(width: w, height: height, dots: out)
    }

    /// Cut to the smallest rectangle holding every black dot (empty when there is none).
    public func croppedToInk() -> ReadBitmap {
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in 0..<height { for x in 0..<width where dots[y * width + x] {
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
        } }
        guard maxX >= 0 else { return ReadBitmap(width: 0, height: 0, dots: []) }
        var out: [Bool] = []
        for y in minY...maxY { for x in minX...maxX { out.append(dots[y * width + x]) } }
        return ReadBitmap(width: maxX - minX + 1, height: maxY - minY + 1, dots: out)
    }

    public var blackCount: Int { dots.lazy.filter { $0 }.count }

    /// The picture in `#` and `.`, for failure messages.
    public var ascii: String {
        (0..<height).map { y in String((0..<width).map { dots[y * width + $0] ? "#" : "." }) }.joined(separator: "\n")
    }
}

/// What an ESC/POS job holds, as far as the raster tests need it.
public enum RasterStreamItem: Sendable, Equatable {
    /// Bytes of text (ASCII or GB codes), up to the next command or line feed.
    case text([UInt8])
    case lineFeed
    /// One raster command's picture: which command, how many rows and bytes a row it declared, and the dots.
    case image(command: String, bytesPerRow: Int, bitmap: ReadBitmap)
    /// Any other command, by its bytes.
    case command([UInt8])
}

public struct RasterStreamError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads an ESC/POS job into ``RasterStreamItem``s. Knows the commands a receipt job is made of; anything else is an
/// error (so a stray byte in a job fails the test rather than passing unseen).
public enum RasterStreamReader {
    public static func read(_ bytes: [UInt8]) throws -> [RasterStreamItem] {
        var items: [RasterStreamItem] = []
        var text: [UInt8] = []
        var i = 0
        var storedGraphics: ReadBitmap?
        func need(_ n: Int) throws {
            guard i + n <= bytes.count else { throw RasterStreamError(description: "job ends inside a command at byte \(i)") }
        }
        func flushText() {
            if !text.isEmpty { items.append(.text(text)); text = [] }
        }
        func command(_ n: Int) throws {
            try need(n)
            flushText()
            items.append(.command(Array(bytes[i..<(i + n)])))
            i += n
        }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x0A:
                flushText()
                items.append(.lineFeed)
                i += 1
            case 0x1B:
                try need(2)
                switch bytes[i + 1] {
                case 0x40, 0x32: try command(2)  // ESC @, ESC 2
                case 0x61, 0x45, 0x2D, 0x4D, 0x64, 0x33, 0x74, 0x21: try command(3)
                case 0x42: try command(4)
                case 0x70: try command(5)
                case 0x2A:
                    // ESC * m nL nH d…: n columns; m 0/1 one byte a column (8 dots), 32/33 three bytes (24 dots).
                    try need(5)
                    let m = bytes[i + 2], n = Int(bytes[i + 3]) | Int(bytes[i + 4]) << 8
                    let perColumn = m >= 32 ? 3 : 1
                    try need(5 + n * perColumn)
                    flushText()
                    var dots = [Bool](repeating: false, count: n * perColumn * 8)
                    for x in 0..<n {
                        for k in 0..<perColumn {
                            let byte = bytes[i + 5 + x * perColumn + k]
                            for bit in 0..<8 where byte & (0x80 >> bit) != 0 { dots[(k * 8 + bit) * n + x] = true }
                        }
                    }
                    let stripe = ReadBitmap(width: n, height: perColumn * 8, dots: dots)
                    items.append(.image(command: "ESC *", bytesPerRow: (n + 7) / 8, bitmap: stripe))
                    i += 5 + n * perColumn
                default:
                    throw RasterStreamError(description: "unknown command ESC \(bytes[i + 1]) at byte \(i)")
                }
            case 0x1C:
                try need(2)
                switch bytes[i + 1] {
                case 0x26, 0x2E: try command(2)  // FS &, FS .
                case 0x21, 0x2D: try command(3)
                default: throw RasterStreamError(description: "unknown command FS \(bytes[i + 1]) at byte \(i)")
                }
            case 0x1D:
                try need(2)
                switch bytes[i + 1] {
                case 0x21, 0x72, 0x61: try command(3)
                case 0x56:
                    try need(3)
                    try command([65, 66, 97, 98, 103, 104].contains(bytes[i + 2]) ? 4 : 3)
                case 0x76:
                    // GS v 0 m xL xH yL yH d…
                    try need(8)
                    guard bytes[i + 2] == 0x30 else { throw RasterStreamError(description: "GS v \(bytes[i + 2]) at byte \(i)") }
                    let x = Int(bytes[i + 4]) | Int(bytes[i + 5]) << 8, y = Int(bytes[i + 6]) | Int(bytes[i + 7]) << 8
                    try need(8 + x * y)
                    flushText()
                    items.append(.image(command: "GS v 0", bytesPerRow: x, bitmap: unpack(bytes[(i + 8)..<(i + 8 + x * y)], bytesPerRow: x, rows: y)))
                    i += 8 + x * y
                case 0x28:
                    // GS ( fn pL pH …
                    try need(5)
                    let fn = bytes[i + 2], p = Int(bytes[i + 3]) | Int(bytes[i + 4]) << 8
                    try need(5 + p)
                    let body = Array(bytes[(i + 5)..<(i + 5 + p)])
                    if fn == 0x4C, body.count >= 2, body[0] == 0x30, body[1] == 0x70, body.count >= 10 {
                        // Function 112: a=48 bx by c xL xH yL yH d…, rows of (x + 7) / 8 bytes.
                        let w = Int(body[6]) | Int(body[7]) << 8, h = Int(body[8]) | Int(body[9]) << 8
                        let stride = (w + 7) / 8
                        guard body.count == 10 + stride * h else {
                            throw RasterStreamError(description: "GS ( L function 112 at byte \(i) declares \(w)×\(h) but carries \(body.count - 10) bytes")
                        }
                        var bitmap = unpack(body[10...], bytesPerRow: stride, rows: h)
                        if stride * 8 != w { bitmap = bitmap.columns(0, w) }
                        storedGraphics = bitmap
                        flushText()
                        i += 5 + p
                    } else if fn == 0x4C, body == [0x30, 0x32] {
                        // Function 50: print what is stored.
                        guard let stored = storedGraphics else { throw RasterStreamError(description: "GS ( L print with nothing stored at byte \(i)") }
                        flushText()
                        items.append(.image(command: "GS ( L", bytesPerRow: (stored.width + 7) / 8, bitmap: stored))
                        storedGraphics = nil
                        i += 5 + p
                    } else {
                        try command(5 + p)
                    }
                default:
                    throw RasterStreamError(description: "unknown command GS \(bytes[i + 1]) at byte \(i)")
                }
            case 0x10:
                try command(3)
            default:
                text.append(b)
                i += 1
            }
        }
        flushText()
        return items
    }

    /// The pictures of the job, one per raster command (an `ESC *` stripe is one), in order.
    public static func images(_ items: [RasterStreamItem]) -> [ReadBitmap] {
        items.compactMap { if case .image(_, _, let bitmap) = $0 { bitmap } else { nil } }
    }

    static func unpack(_ data: ArraySlice<UInt8>, bytesPerRow: Int, rows: Int) -> ReadBitmap {
        let width = bytesPerRow * 8
        var dots = [Bool](repeating: false, count: width * rows)
        var index = data.startIndex
        for y in 0..<rows {
            for bx in 0..<bytesPerRow {
                let byte = data[index]
                index += 1
                for bit in 0..<8 where byte & (0x80 >> bit) != 0 { dots[y * width + bx * 8 + bit] = true }
            }
        }
        return ReadBitmap(width: width, height: rows, dots: dots)
    }
}
