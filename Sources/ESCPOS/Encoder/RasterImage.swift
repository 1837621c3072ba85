// A 1-bit image for `GS v 0`: rows of packed bits, most significant bit leftmost, 1 = black.

/// A black-and-white image as the printer takes it: `bytesPerRow = (width + 7) / 8` bytes per row, top row first,
/// the most significant bit of each byte leftmost, 1 printing a black dot.
public struct RasterImage: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let bits: [UInt8]

    public var bytesPerRow: Int { (width + 7) / 8 }

    /// - Throws: ``ESCPOSError/invalidArgument(_:)`` when the sizes and the bits disagree, or a side is 0.
    public init(width: Int, height: Int, bits: [UInt8]) throws(ESCPOSError) {
        guard width > 0, height > 0, width <= 0xFFFF * 8, height <= 0xFFFF else {
            throw .invalidArgument("a raster image must be 1 to 524280 dots wide and 1 to 65535 rows high, not \(width)×\(height)")
        }
        guard bits.count == (width + 7) / 8 * height else {
            throw .invalidArgument("a \(width)×\(height) raster image takes \((width + 7) / 8 * height) bytes, not \(bits.count)")
        }
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// An image drawn by `isBlack(x, y)`.
    public init(width: Int, height: Int, isBlack: (Int, Int) -> Bool) throws(ESCPOSError) {
        let stride = (width + 7) / 8
        var bits = [UInt8](repeating: 0, count: max(0, stride * height))
        for y in 0..<max(0, height) {
            for x in 0..<max(0, width) where isBlack(x, y) {
                bits[y * stride + x / 8] |= 0x80 >> UInt8(x % 8)
            }
        }
        try self.init(width: width, height: height, bits: bits)
    }
}
