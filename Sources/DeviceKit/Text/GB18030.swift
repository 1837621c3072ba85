// The one place Chinese text becomes device bytes and back: GB18030 (a superset of GBK) through the system iconv.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Converts between Swift strings and GB18030 bytes, as Chinese terminal firmware and printers use them.
public enum GB18030 {
    /// Encodes text; nil when the text holds something GB18030 cannot carry (it carries all of Unicode, so
    /// in practice only unpaired surrogates, which Swift strings cannot hold either).
    public static func encode(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// Decodes bytes; nil when they are not valid GB18030.
    public static func decode(_ bytes: some Collection<UInt8>) -> String? {
        guard let utf8 = convert(Array(bytes), from: "GB18030", to: "UTF-8") else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Decodes a NUL-padded fixed-width field: up to the first NUL, GB18030, falling back to UTF-8 (some
    /// firmware stores UTF-8) and, for bytes valid in neither, replacement characters rather than nothing.
    public static func decodeField(_ bytes: some Collection<UInt8>) -> String {
        let field = Array(bytes.prefix { $0 != 0 })
        if field.allSatisfy({ $0 < 0x80 }) { return String(decoding: field, as: UTF8.self) }
        if let text = String(validating: field, as: UTF8.self) { return text }
        return decode(field) ?? String(decoding: field, as: UTF8.self)
    }

    /// How many bytes GB18030 uses for one scalar: 1 (ASCII), 2 (the GBK range, which printers handle best) or 4;
    /// nil for the few scalars the system's converter refuses. From a table built once (one iconv pass over the
    /// Basic Multilingual Plane); beyond it, iconv is asked each time.
    public static func byteCount(of scalar: Unicode.Scalar) -> Int? {
        guard scalar.value < 0x10000 else { return encode(String(Character(scalar))).map(\.count) }
        let code = bmpTable[Int(scalar.value)]
        if code == unencodable { return nil }
        return code < 0x100 ? 1 : code < 0x10000 ? 2 : 4
    }

    /// True when GBK (GB18030's 1- and 2-byte part) carries the scalar: 喆, 堃, 赟 and full-width punctuation
    /// do; 𠮷 (U+20BB7) does not.
    public static func isGBK(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value < 0x10000 else { return false }
        return bmpTable[Int(scalar.value)] < 0x10000
    }

    /// Appends the GB18030 bytes of one scalar; false (and nothing appended) when it cannot be encoded. Encoders call
    /// this per character so that they can say which character a printer cannot carry; the table makes it cheap.
    @discardableResult
    public static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) -> Bool {
        if scalar.value < 0x80 {
            bytes.append(UInt8(scalar.value))
            return true
        }
        guard scalar.value < 0x10000 else {
            // Outside the BMP every scalar is a 4-byte code; iconv (not a formula of ours) says which.
            guard let encoded = encode(String(Character(scalar))) else { return false }
            bytes += encoded
            return true
        }
        let code = bmpTable[Int(scalar.value)]
        if code == unencodable { return false }
        if code < 0x100 {
            bytes.append(UInt8(code))
        } else if code < 0x10000 {
            bytes.append(UInt8(code >> 8))
            bytes.append(UInt8(code & 0xFF))
        } else {
            bytes.append(UInt8(code >> 24))
            bytes.append(UInt8((code >> 16) & 0xFF))
            bytes.append(UInt8((code >> 8) & 0xFF))
            bytes.append(UInt8(code & 0xFF))
        }
        return true
    }

    /// Appends the GB18030 bytes of all of `text`, for encoders on a hot path (a notice is thousands of characters).
    /// - Parameter gbkOnly: refuse scalars that need 4 bytes (printers whose firmware only knows GBK).
    /// - Returns: nil when every scalar was appended; otherwise the index, in `text.unicodeScalars`, of the first
    ///   scalar refused (beyond GBK when `gbkOnly`, or refused by the converter); the scalars before it were appended.
    public static func append(_ text: String, to bytes: inout [UInt8], gbkOnly: Bool = false) -> Int? {
        let fast = text.utf8.withContiguousStorageIfAvailable { utf8 in appendFast(utf8, to: &bytes, gbkOnly: gbkOnly) }
        if let fast { return fast }
        return appendScalars(text, to: &bytes, gbkOnly: gbkOnly)
    }

    /// The hot path: decodes UTF-8 by hand and encodes into a scratch buffer (GB18030 takes at most twice the UTF-8
    /// length: a 2-byte UTF-8 scalar may need 4), appended to `bytes` in one copy.
    private static func appendFast(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8], gbkOnly: Bool) -> Int? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, utf8.count * 2)) { out -> Int? in
            var refused: Int?
            var o = 0
            bmpTable.withUnsafeBufferPointer { table in
                var i = 0, index = 0
                let n = utf8.count
                while i < n {
                    let lead = utf8[i]
                    if lead < 0x80 {
                        out[o] = lead
                        o += 1
                        i += 1
                        index += 1
                        continue
                    }
                    let value: UInt32
                    if lead < 0xE0 {
                        value = UInt32(lead & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                        i += 2
                    } else if lead < 0xF0 {
                        value = UInt32(lead & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                        i += 3
                    } else {
                        // Beyond the BMP every code is 4 bytes; they are rare, so the converter does them.
                        guard !gbkOnly, let encoded = encode(String(decoding: UnsafeBufferPointer(rebasing: utf8[i..<(i + 4)]), as: UTF8.self)) else {
                            refused = index
                            return
                        }
                        for byte in encoded {
                            out[o] = byte
                            o += 1
                        }
                        i += 4
                        index += 1
                        continue
                    }
                    let code = table[Int(value)]
                    if code == unencodable || (gbkOnly && code >= 0x10000) {
                        refused = index
                        return
                    }
                    if code < 0x100 {
                        out[o] = UInt8(code)
                        o += 1
                    } else if code < 0x10000 {
                        out[o] = UInt8(code >> 8)
                        out[o + 1] = UInt8(code & 0xFF)
                        o += 2
                    } else {
                        out[o] = UInt8(code >> 24)
                        out[o + 1] = UInt8((code >> 16) & 0xFF)
                        out[o + 2] = UInt8((code >> 8) & 0xFF)
                        out[o + 3] = UInt8(code & 0xFF)
                        o += 4
                    }
                    index += 1
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: out[0..<o]))
            return refused
        }
    }

    private static func appendScalars(_ text: String, to bytes: inout [UInt8], gbkOnly: Bool) -> Int? {
        var index = 0
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x10000 && gbkOnly { return index }
            if scalar.value < 0x10000 && gbkOnly && !isGBK(scalar) { return index }
            if !append(scalar, to: &bytes) { return index }
            index += 1
        }
        return nil
    }

    /// Marks a BMP scalar the converter refuses (and the surrogates, which are no scalars).
    private static let unencodable = UInt32.max

    /// The GB18030 code of every BMP scalar packed into a UInt32 (1-byte codes < 0x100, 2-byte codes < 0x10000,
    /// 4-byte codes above), or `unencodable`. Built lazily, once: iconv converts blocks of 256 scalars, and a block it
    /// refuses is done scalar by scalar so that one refused scalar does not spoil its neighbours.
    private static let bmpTable: [UInt32] = {
        var table = [UInt32](repeating: unencodable, count: 0x10000)
        for block in stride(from: 0, to: 0x10000, by: 256) {
            let scalars = (block..<(block + 256)).compactMap { Unicode.Scalar(UInt32($0)) }
            if !fill(&table, scalars) {
                for scalar in scalars { _ = fill(&table, [scalar]) }
            }
        }
        return table
    }()

    /// Converts `scalars` in one iconv call and records each one's code; false when iconv refused them.
    private static func fill(_ table: inout [UInt32], _ scalars: [Unicode.Scalar]) -> Bool {
        var utf8: [UInt8] = []
        for scalar in scalars { utf8 += Array(String(Character(scalar)).utf8) }
        guard let bytes = convert(utf8, from: "UTF-8", to: "GB18030") else { return false }
        // GB18030 is self-delimiting: a lead byte < 0x80 is one byte; otherwise a second byte 0x30-0x39 means four.
        var codes: [UInt32] = []
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                codes.append(UInt32(lead))
                index += 1
            } else if index + 3 < bytes.count, (0x30...0x39).contains(bytes[index + 1]) {
                codes.append(UInt32(lead) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3]))
                index += 4
            } else if index + 1 < bytes.count {
                codes.append(UInt32(lead) << 8 | UInt32(bytes[index + 1]))
                index += 2
            } else {
                return false
            }
        }
        guard codes.count == scalars.count else { return false }
        for (scalar, code) in zip(scalars, codes) { table[Int(scalar.value)] = code }
        return true
    }

    private static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        if input.isEmpty { return [] }
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var source = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 8)
        let capacity = output.count
        var written = -1
        source.withUnsafeMutableBytes { src in
            output.withUnsafeMutableBytes { dst in
                var inPtr = src.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = src.count
                var outPtr = dst.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = capacity
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1, inLeft == 0 else { return }
                _ = iconv(cd, nil, nil, &outPtr, &outLeft)  // flush any shift state
                written = capacity - outLeft
            }
        }
        return written >= 0 ? Array(output.prefix(written)) : nil
    }
}
