// A 1-bit image as the bytes of the printer's raster command, in strips its receive buffer holds; and how long they take.

/// Encodes raster images for a printer profile (`raster_command`, `raster_band_rows`), and estimates the time the
/// paper and the cable take (`print_speed_mm_per_s`, `dpi`).
public enum RasterCommands {
    /// USB full speed, as printers' USB 1.1/2.0 full-speed ports carry bulk data: about 1 MB/s.
    public static let usbFullSpeedBytesPerSecond = 1_000_000.0

    /// The rows one strip carries for `profile`: at most `raster_band_rows`; for `ESC *`, the command's 24 rows
    /// (8 when the band is shorter); for `GS ( L`, no more than its 2-byte length can say.
    public static func stripRows(width: Int, profile: PrinterProfile) -> Int {
        let band = max(1, profile.rasterBandRows)
        switch profile.rasterCommand {
        case .gsV0:
            return min(band, 0xFFFF)
        case .gsParenL:
            let stride = max(1, (width + 7) / 8)
            return max(1, min(band, (0xFFFF - 10) / stride))
        case .escStar:
            return band >= 24 ? 24 : 8
        }
    }

    /// Appends `image` to `buffer` as the profile's raster command, strip by strip (each strip a command of its own,
    /// so no command holds more than ``stripRows(width:profile:)`` rows). Returns the number of strips.
    @discardableResult
    public static func append(_ image: RasterImage, profile: PrinterProfile, to buffer: inout [UInt8]) -> Int {
        let stride = image.bytesPerRow
        let rowsPerStrip = stripRows(width: image.width, profile: profile)
        var strips = 0
        if profile.rasterCommand == .escStar {
            // ESC 3 n: the line feed after each stripe moves the paper exactly one stripe.
            buffer += [ASCIIControl.esc, 0x33, UInt8(rowsPerStrip)]
        }
        var row = 0
        while row < image.height {
            let rows = min(rowsPerStrip, image.height - row)
            let data = image.bits[(row * stride)..<((row + rows) * stride)]
            switch profile.rasterCommand {
            case .gsV0:
                // GS v 0 m xL xH yL yH d…: m = 0 (normal size), x bytes a row, y rows.
                buffer += [ASCIIControl.gs, 0x76, 0x30, 0x00, UInt8(stride & 0xFF), UInt8(stride >> 8), UInt8(rows & 0xFF), UInt8(rows >> 8)]
                buffer += data
            case .gsParenL:
                // GS ( L pL pH m=48 fn=112 a=48 (monochrome) bx=1 by=1 c=49 (first colour) xL xH yL yH d…: store;
                // then GS ( L 2 0 48 50: print what is stored.
                let p = 10 + data.count
                buffer += [ASCIIControl.gs, 0x28, 0x4C, UInt8(p & 0xFF), UInt8(p >> 8), 0x30, 0x70, 0x30, 0x01, 0x01, 0x31,
                           UInt8(image.width & 0xFF), UInt8(image.width >> 8), UInt8(rows & 0xFF), UInt8(rows >> 8)]
                buffer += data
                buffer += [ASCIIControl.gs, 0x28, 0x4C, 0x02, 0x00, 0x30, 0x32]
            case .escStar:
                appendColumnStripe(data, stride: stride, width: image.width, rows: rows, stripeRows: rowsPerStrip, to: &buffer)
            }
            strips += 1
            row += rows
        }
        if profile.rasterCommand == .escStar {
            buffer += [ASCIIControl.esc, 0x32]  // back to the default line spacing
        }
        return strips
    }

    /// `ESC * m nL nH d…` then LF: m = 33 (24 dots high, 3 bytes a column) or 1 (8 dots, 1 byte), full horizontal
    /// density; each column's bytes top to bottom, the most significant bit topmost. Rows past the image are white.
    private static func appendColumnStripe(_ data: ArraySlice<UInt8>, stride: Int, width: Int, rows: Int, stripeRows: Int,
                                           to buffer: inout [UInt8]) {
        let bytesPerColumn = stripeRows / 8
        buffer += [ASCIIControl.esc, 0x2A, bytesPerColumn == 3 ? 33 : 1, UInt8(width & 0xFF), UInt8(width >> 8)]
        let base = data.startIndex
        for x in 0..<width {
            let byteInRow = x >> 3, mask: UInt8 = 0x80 >> UInt8(x & 7)
            for slice in 0..<bytesPerColumn {
                var column: UInt8 = 0
                for bit in 0..<8 {
                    let y = slice * 8 + bit
                    if y < rows, data[base + y * stride + byteInRow] & mask != 0 { column |= 0x80 >> UInt8(bit) }
                }
                buffer.append(column)
            }
        }
        buffer.append(ASCIIControl.lf)
    }

    /// Seconds the printer needs to feed `rows` dot rows at its rated speed (`print_speed_mm_per_s`, `dpi`).
    public static func secondsToPrint(rows: Int, profile: PrinterProfile) -> Double {
        let millimetres = Double(rows) / Double(max(1, profile.dpi)) * 25.4
        return millimetres / Double(max(1, profile.printSpeedMillimetersPerSecond))
    }

    /// Seconds `bytes` take over USB full speed (``usbFullSpeedBytesPerSecond``).
    public static func secondsOverUSB(bytes: Int) -> Double {
        Double(bytes) / usbFullSpeedBytesPerSecond
    }
}
