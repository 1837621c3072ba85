// gzip (RFC 1952) through the system zlib, a chunk at a time: a backup compresses and checks a database of any size in
// bounded memory.
import CZlib
import Foundation

/// A gzip compressor fed in chunks; each call hands the compressed bytes produced so far to `output`.
final class GzipCompressor {
    private var stream = z_stream()
    private var chunk = [UInt8](repeating: 0, count: 256 * 1024)

    init() throws(BackupError) {
        // windowBits 15 + 16: a gzip header and trailer, so the payload is also readable by gunzip.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BackupError.io("zlib could not start a compressor (out of memory?)")
        }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input`; with `finish`, ends the stream (call once, last).
    func compress(_ input: Data, finish: Bool, output: (Data) throws -> Void) throws {
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            var status: Int32 = Z_OK
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return buffer.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw BackupError.io("zlib failed to compress (status \(status))")
                }
                if produced > 0 { try output(Data(chunk[0..<produced])) }
            } while stream.avail_in > 0 || stream.avail_out == 0 || (finish && status != Z_STREAM_END)
            stream.next_in = nil
        }
    }
}

/// A gzip decompressor fed in chunks, refusing to produce more than `limit` bytes (a damaged or hostile file cannot
/// fill the disk).
final class GzipDecompressor {
    private var stream = z_stream()
    private var chunk = [UInt8](repeating: 0, count: 256 * 1024)
    private let limit: Int64
    private(set) var produced: Int64 = 0
    /// The gzip stream's end was reached.
    private(set) var ended = false

    init(limit: Int64) throws(BackupError) {
        self.limit = limit
        guard inflateInit2_(&stream, MAX_WBITS + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BackupError.io("zlib could not start a decompressor (out of memory?)")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `input`, handing what it yields to `output`.
    /// - Throws: ``BackupError/damaged(_:)`` when the bytes are not a gzip stream, go on after its end, or yield more
    ///   than the limit.
    func decompress(_ input: Data, output: (Data) throws -> Void) throws {
        guard !input.isEmpty else { return }
        guard !ended else { throw BackupError.damaged("bytes follow the end of the compressed database") }
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            repeat {
                var status: Int32 = Z_OK
                let count = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return buffer.count - Int(stream.avail_out)
                }
                switch status {
                case Z_OK, Z_BUF_ERROR: break
                case Z_STREAM_END: ended = true
                default: throw BackupError.damaged("the compressed database cannot be decompressed (zlib status \(status))")
                }
                produced += Int64(count)
                guard produced <= limit else { throw BackupError.damaged("the compressed database decompresses to more than the \(limit) bytes its manifest announces") }
                if count > 0 { try output(Data(chunk[0..<count])) }
                if ended {
                    guard stream.avail_in == 0 else { throw BackupError.damaged("bytes follow the end of the compressed database") }
                    break
                }
            } while stream.avail_in > 0 || stream.avail_out == 0
            stream.next_in = nil
        }
    }
}
