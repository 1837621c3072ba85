// A small PDF file writer: numbered indirect objects, streams, the cross-reference table with each object's byte
// offset, and the trailer. Enough for notices: streams may be compressed (FlateDecode, zlib), no incremental updates.
import CZlib
import Foundation

/// Builds one PDF file (version 1.7) object by object.
///
/// Objects are numbered from 1 in the order ``reserve()`` hands the numbers out, so objects can refer to each
/// other before they are written. ``finish(root:info:)`` writes the cross-reference table with the byte offset of
/// every object, which readers use to find them, and fails when a reserved object was never written.
public struct PDFWriter: Sendable {
    /// The file so far.
    public private(set) var bytes: [UInt8] = []
    /// Byte offset of each object, by number (index 0 is the free list's head).
    private var offsets: [Int?] = [nil]

    public init() {
        // The header, and a comment of bytes above 127 so transfer programs treat the file as binary.
        bytes += Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
    }

    /// A new object number; the object is written later with ``object(_:_:)`` or ``stream(_:dictionary:data:)``.
    public mutating func reserve() -> Int {
        offsets.append(nil)
        return offsets.count - 1
    }

    /// Writes object `number` with `body` (a dictionary, array or other PDF value, in PDF syntax).
    public mutating func object(_ number: Int, _ body: String) {
        begin(number)
        bytes += Array(body.utf8)
        bytes += Array("\nendobj\n".utf8)
    }

    /// Writes object `number` as a stream: `dictionary` (without `/Length`, which is added) and the data.
    /// - Parameter dictionary: the entries between `<<` and `>>`, e.g. `/Length1 1234`.
    /// - Parameter compressed: deflate the data (`/Filter /FlateDecode`); written as it is when zlib cannot.
    public mutating func stream(_ number: Int, dictionary: String = "", data: [UInt8], compressed: Bool = false) {
        begin(number)
        var data = data
        var entries = dictionary
        if compressed, let deflated = Self.deflate(data) {
            data = deflated
            entries = "/Filter /FlateDecode" + (entries.isEmpty ? "" : " " + entries)
        }
        bytes += Array("<< /Length \(data.count)\(entries.isEmpty ? "" : " " + entries) >>\nstream\n".utf8)
        bytes += data
        bytes += Array("\nendstream\nendobj\n".utf8)
    }

    /// `data` in the zlib format FlateDecode reads (RFC 1950), at zlib's default level; nil if zlib fails.
    static func deflate(_ data: [UInt8]) -> [UInt8]? {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                compress2(output.baseAddress, &length, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK else { return nil }
        return Array(out.prefix(Int(length)))
    }

    private mutating func begin(_ number: Int) {
        precondition(number > 0 && number < offsets.count && offsets[number] == nil, "PDF object \(number) not reserved or written twice")
        offsets[number] = bytes.count
        bytes += Array("\(number) 0 obj\n".utf8)
    }

    /// The cross-reference table and trailer; the file is complete after this.
    /// - Parameters:
    ///   - root: the catalog's object number.
    ///   - info: the document information dictionary's, if any.
    /// - Returns: the whole file.
    public mutating func finish(root: Int, info: Int? = nil) -> [UInt8] {
        let start = bytes.count
        var table = "xref\n0 \(offsets.count)\n0000000000 65535 f\r\n"
        for offset in offsets.dropFirst() {
            // Every entry is exactly 20 bytes: 10 digits, space, 5 digits, space, n or f, CR LF.
            guard let offset else { table += "0000000000 65535 f\r\n"; continue }
            table += pad(offset, 10) + " 00000 n\r\n"
        }
        table += "trailer\n<< /Size \(offsets.count) /Root \(root) 0 R" + (info.map { " /Info \($0) 0 R" } ?? "") + " >>\n"
        table += "startxref\n\(start)\n%%EOF\n"
        bytes += Array(table.utf8)
        return bytes
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A PDF text string in UTF-16BE with a byte order mark, as hex: safe for any text (document titles).
    public static func textString(_ text: String) -> String {
        var hex = "<FEFF"
        for unit in text.utf16 { hex += hex4(unit) }
        return hex + ">"
    }

    /// Four upper-case hex digits.
    static func hex4(_ value: UInt16) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        return String([digits[Int(value >> 12)], digits[Int(value >> 8 & 0xF)], digits[Int(value >> 4 & 0xF)], digits[Int(value & 0xF)]])
    }

    /// A number as PDF writes it: at most two decimals, no exponent.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
    }
}
