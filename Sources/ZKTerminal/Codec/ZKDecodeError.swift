// Why bytes from a terminal (or a client) could not be decoded.
import Foundation

public enum ZKDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than the structure needs.
    case tooShort(what: String, needed: Int, got: Int)
    /// More bytes than the structure may have.
    case tooLong(what: String, limit: Int, got: Int)
    /// The TCP prefix does not start with 50 50 82 7D: the stream is out of step or not a ZK terminal.
    case badTCPMagic([UInt8])
    /// The checksum in the header does not match the packet.
    case badChecksum(expected: UInt16, found: UInt16)
    /// A dataset whose size fits no known record layout.
    case unknownRecordSize(what: String, totalBytes: Int, records: Int)
    /// A dataset whose declared length disagrees with the bytes received.
    case inconsistentLength(what: String, declared: Int, actual: Int)
    /// A field that cannot hold the value it has.
    case invalidField(what: String, detail: String)

    public var description: String {
        switch self {
        case .tooShort(let what, let needed, let got): return "\(what) is too short: needs \(needed) bytes, got \(got)"
        case .tooLong(let what, let limit, let got): return "\(what) is too long: at most \(limit) bytes, got \(got)"
        case .badTCPMagic(let bytes): return "not a ZK TCP frame (starts \(bytes.map { String(format: "%02x", $0) }.joined(separator: " ")), expected 50 50 82 7d)"
        case .badChecksum(let expected, let found): return String(format: "bad packet checksum: computed %04x, packet says %04x", expected, found)
        case .unknownRecordSize(let what, let total, let records):
            return "\(what): \(total) bytes for \(records) records fits no known record layout"
        case .inconsistentLength(let what, let declared, let actual): return "\(what) declares \(declared) bytes but has \(actual)"
        case .invalidField(let what, let detail): return "\(what): \(detail)"
        }
    }
}

/// Little-endian reads with bounds checks, for the decoders. Reads a slice in place (no copy of big datasets).
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    let what: String

    init(_ bytes: some Collection<UInt8>, what: String) {
        self.bytes = (bytes as? ArraySlice<UInt8>) ?? Array(bytes)[...]
        self.position = self.bytes.startIndex
        self.what = what
    }

    /// Bytes read so far.
    var offset: Int { position - bytes.startIndex }
    var remaining: Int { bytes.endIndex - position }

    mutating func need(_ n: Int) throws(ZKDecodeError) {
        guard remaining >= n else { throw .tooShort(what: what, needed: offset + n, got: bytes.count) }
    }

    mutating func u8() throws(ZKDecodeError) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() throws(ZKDecodeError) -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    mutating func u32() throws(ZKDecodeError) -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    mutating func take(_ n: Int) throws(ZKDecodeError) -> ArraySlice<UInt8> {
        try need(n)
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func skip(_ n: Int) throws(ZKDecodeError) { _ = try take(n) }
}

/// Little-endian writes for the encoders.
extension Array where Element == UInt8 {
    mutating func appendLE(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func appendLE(_ v: UInt32) {
        append(UInt8(v & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8((v >> 16) & 0xFF)); append(UInt8(v >> 24))
    }
    mutating func appendLE(_ v: Int32) { appendLE(UInt32(bitPattern: v)) }
    /// A fixed-width field: the bytes, cut or NUL-padded to `width`.
    mutating func appendField(_ bytes: [UInt8], width: Int) {
        append(contentsOf: bytes.prefix(width))
        if bytes.count < width { append(contentsOf: [UInt8](repeating: 0, count: width - bytes.count)) }
    }
}
