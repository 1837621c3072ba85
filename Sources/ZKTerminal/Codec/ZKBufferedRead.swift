// The payloads of a buffered (chunked) bulk read: PREPARE_BUFFER, its ACK_OK, READ_BUFFER and PREPARE_DATA.
import Foundation

/// A bulk read of a large data set goes: PREPARE_BUFFER `<b h i i>` (1, command, fct, ext) → ACK_OK carrying
/// the set's size (or DATA with the whole set when it is small); READ_BUFFER `<i i>` (start, size) per chunk →
/// PREPARE_DATA (u32 size, u32 0), DATA, ACK_OK; then FREE_DATA. Both sides use these payloads.
public enum ZKBufferedRead {
    /// The PREPARE_BUFFER payload asking for the data set `command` returns (attendance: 13; users: 9 with
    /// fct 5; templates: 7 with fct 2).
    public static func prepareRequest(command: ZKCommand, fct: Int32 = 0, ext: Int32 = 0) -> [UInt8] {
        var b: [UInt8] = [1]
        b.appendLE(command.rawValue)
        b.appendLE(fct)
        b.appendLE(ext)
        return b
    }

    /// Reads a PREPARE_BUFFER payload (the terminal's side).
    public static func parsePrepareRequest(_ payload: [UInt8]) throws(ZKDecodeError) -> (command: ZKCommand, fct: Int32, ext: Int32) {
        var r = ByteReader(payload, what: "PREPARE_BUFFER request")
        _ = try r.u8()
        let command = try r.u16()
        let fct = Int32(bitPattern: try r.u32())
        let ext = Int32(bitPattern: try r.u32())
        return (ZKCommand(command), fct, ext)
    }

    /// The ACK_OK payload announcing a buffered set of `size` bytes: 0, u32 size, u32 size, u32 0.
    public static func bufferReadyReply(size: Int) -> [UInt8] {
        var b: [UInt8] = [0]
        b.appendLE(UInt32(truncatingIfNeeded: size))
        b.appendLE(UInt32(truncatingIfNeeded: size))
        b.appendLE(UInt32(0))
        return b
    }

    /// The set's size from that ACK_OK payload (the u32 at bytes 1-4).
    public static func parseBufferReadyReply(_ payload: [UInt8]) throws(ZKDecodeError) -> Int {
        var r = ByteReader(payload, what: "PREPARE_BUFFER reply")
        try r.skip(1)
        return Int(try r.u32())
    }

    /// The READ_BUFFER payload for one chunk.
    public static func readRequest(start: Int, size: Int) -> [UInt8] {
        var b: [UInt8] = []
        b.appendLE(Int32(truncatingIfNeeded: start))
        b.appendLE(Int32(truncatingIfNeeded: size))
        return b
    }

    /// Reads a READ_BUFFER payload (the terminal's side). Negative values are returned as they are, for the
    /// terminal to refuse.
    public static func parseReadRequest(_ payload: [UInt8]) throws(ZKDecodeError) -> (start: Int, size: Int) {
        var r = ByteReader(payload, what: "READ_BUFFER request")
        let start = Int(Int32(bitPattern: try r.u32()))
        let size = Int(Int32(bitPattern: try r.u32()))
        return (start, size)
    }

    /// The PREPARE_DATA payload that announces a chunk (or an upload) of `size` bytes: u32 size, u32 0.
    public static func prepareData(size: Int) -> [UInt8] {
        var b: [UInt8] = []
        b.appendLE(UInt32(truncatingIfNeeded: size))
        b.appendLE(UInt32(0))
        return b
    }

    /// The size a PREPARE_DATA payload announces (its first u32; clients send only that).
    public static func parsePrepareData(_ payload: [UInt8]) throws(ZKDecodeError) -> Int {
        var r = ByteReader(payload, what: "PREPARE_DATA")
        return Int(try r.u32())
    }
}
