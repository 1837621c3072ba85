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
