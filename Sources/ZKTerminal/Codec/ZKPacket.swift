// A packet of the ZK pull protocol: an 8-byte header (command, checksum, session, reply id) and its data.
import Foundation

/// One protocol packet, as sent over UDP (bare) or TCP (inside a ``ZKTCPFrame``).
public struct ZKPacket: Sendable, Equatable {
    public var command: ZKCommand
    public var sessionID: UInt16
    /// Goes up by one per command; replies echo it.
    public var replyID: UInt16
    public var payload: [UInt8]

    /// The largest packet we accept: a 64 KiB chunk plus headers, with room for firmware that sends small
    /// datasets whole. Anything bigger is a broken or hostile peer.
    public static let maximumLength = 4 * 1024 * 1024

    public init(command: ZKCommand, sessionID: UInt16, replyID: UInt16, payload: [UInt8] = []) {
        self.command = command
        self.sessionID = sessionID
        self.replyID = replyID
        self.payload = payload
    }

    /// The bytes of the packet with its checksum filled in.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + payload.count)
        bytes.appendLE(command.rawValue)
        bytes.appendLE(UInt16(0))
        bytes.appendLE(sessionID)
        bytes.appendLE(replyID)
        bytes.append(contentsOf: payload)
        let sum = ZKPacket.checksum(bytes)
        bytes[2] = UInt8(sum & 0xFF)
        bytes[3] = UInt8(sum >> 8)
        return bytes
    }

    /// Decodes a packet.
    /// - Parameter verifyChecksum: checks the header's checksum. A packet whose checksum matches neither
    ///   form of one's-complement zero (see ``checksumMatches(_:)``) is refused.
    public static func decode(_ bytes: some Collection<UInt8>, verifyChecksum: Bool = true) throws(ZKDecodeError) -> ZKPacket {
        let all = Array(bytes)
        guard all.count >= 8 else { throw .tooShort(what: "packet", needed: 8, got: all.count) }
        guard all.count <= maximumLength else { throw .tooLong(what: "packet", limit: maximumLength, got: all.count) }
        var reader = ByteReader(all, what: "packet header")
        let command = try reader.u16()
        let found = try reader.u16()
        let session = try reader.u16()
        let reply = try reader.u16()
        if verifyChecksum && !checksumMatches(all) {
            var zeroed = all
            zeroed[2] = 0
            zeroed[3] = 0
            throw .badChecksum(expected: checksum(zeroed), found: found)
        }
        return ZKPacket(command: ZKCommand(command), sessionID: session, replyID: reply, payload: Array(all[8...]))
    }

    /// The protocol's checksum: the packet (checksum field zero) summed as little-endian 16-bit words, a
    /// trailing odd byte added alone, carries folded back in, then one's complement.
    public static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// Whether the checksum in the header is right. Vendor code folds with "subtract 65535 while above it",
    /// which differs from the standard fold only when the sum is a multiple of 65535 (one's-complement zero
    /// has two forms); both forms are accepted, as real terminals accept each other's packets.
    public static func checksumMatches(_ packet: [UInt8]) -> Bool {
        guard packet.count >= 8 else { return false }
        let found = UInt16(packet[2]) | UInt16(packet[3]) << 8
        var zeroed = packet
        zeroed[2] = 0
        zeroed[3] = 0
        let expected = checksum(zeroed)
        if found == expected { return true }
        return (expected == 0 && found == 0xFFFF) || (expected == 0xFFFF && found == 0) || (expected == 0 && found == 0xFFFE)
    }
}

/// The 8-byte prefix TCP puts before each packet: `50 50 82 7D` and the packet's length (u32).
public enum ZKTCPFrame {
    public static let magic: [UInt8] = [0x50, 0x50, 0x82, 0x7D]

    public static func wrap(_ packet: [UInt8]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(8 + packet.count)
        bytes.appendLE(UInt32(packet.count))
        bytes.append(contentsOf: packet)
        return bytes
    }
}

/// Splits a TCP byte stream into packets, however the stream was cut into reads.
///
/// A frame whose prefix is wrong, or whose length is impossible, is an error: the stream is out of step
/// and the connection must be dropped (there is no way to find the next frame reliably).
public struct ZKTCPDeframer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Bytes received and not yet returned as packets.
    public var pendingBytes: Int { buffer.count - start }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole packet (without its prefix), or nil until more bytes arrive.
    public mutating func next() throws(ZKDecodeError) -> [UInt8]? {
        guard buffer.count - start >= 8 else {
            // Check what we have of the magic already, so garbage is refused at once.
            let have = Array(buffer[start...].prefix(4))
            if have != Array(ZKTCPFrame.magic.prefix(have.count)) { throw .badTCPMagic(have) }
            return nil
        }
        let head = Array(buffer[start..<(start + 8)])
        guard Array(head[0..<4]) == ZKTCPFrame.magic else { throw .badTCPMagic(Array(head[0..<4])) }
        let length = Int(UInt32(head[4]) | UInt32(head[5]) << 8 | UInt32(head[6]) << 16 | UInt32(head[7]) << 24)
        guard length >= 8 else { throw .tooShort(what: "TCP frame", needed: 8, got: length) }
        guard length <= ZKPacket.maximumLength else { throw .tooLong(what: "TCP frame", limit: ZKPacket.maximumLength, got: length) }
        guard buffer.count - start >= 8 + length else { return nil }
        let packet = Array(buffer[(start + 8)..<(start + 8 + length)])
        start += 8 + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return packet
    }
}
