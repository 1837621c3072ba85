// RDM6300-style 125 kHz reader frames: 0x02, 10 hex data characters, 2 hex checksum characters, 0x03.

/// Decodes RDM6300 frames from a byte stream that may be split anywhere.
///
/// A frame is `0x02`, 10 ASCII hex characters (the EM4100 version byte and the 32-bit id), 2 ASCII hex characters
/// of checksum (the XOR of the five data bytes), `0x03`. The checksum is verified. Anything else is a typed
/// ``SerialRejection``, counted in ``rejections``: bytes between frames are ``SerialRejection/noise(count:)``
/// (reported when the next frame starts), a start byte inside a frame cuts the half frame off
/// (``SerialRejection/wrongLength(_:)``) and starts anew, a frame that runs past 12 characters is rejected and the
/// decoder waits for the next `0x02`.
public struct RDM6300FrameDecoder: SerialCardDecoder {
    /// Start of a frame.
    public static let start: UInt8 = 0x02
    /// End of a frame.
    public static let end: UInt8 = 0x03

    private var inFrame = false
    private var frame: [UInt8] = []
    private var noise = 0
    public private(set) var rejections: [SerialRejection.Kind: Int] = [:]
    public private(set) var cardCount = 0

    public init() {}

    public mutating func reset() {
        inFrame = false
        frame.removeAll(keepingCapacity: true)
        noise = 0
    }

    public mutating func feed(_ bytes: [UInt8]) -> [SerialDecoderOutput] {
        var out: [SerialDecoderOutput] = []
        for byte in bytes {
            if byte == Self.start {
                if noise > 0 { reject(.noise(count: noise), into: &out); noise = 0 }
                if inFrame { reject(.wrongLength(frame.count), into: &out) }
                inFrame = true
                frame.removeAll(keepingCapacity: true)
                continue
            }
            guard inFrame else { noise += 1; continue }
            if byte == Self.end {
                inFrame = false
                out.append(decode(frame))
                if case .rejected(let r) = out.last! { count(r) } else { cardCount += 1 }
                frame.removeAll(keepingCapacity: true)
                continue
            }
            frame.append(byte)
            if frame.count > 12 {
                // No end where it should be: give the frame up and wait for the next start.
                reject(.wrongLength(frame.count), into: &out)
                inFrame = false
                frame.removeAll(keepingCapacity: true)
            }
        }
        return out
    }

    private mutating func reject(_ rejection: SerialRejection, into out: inout [SerialDecoderOutput]) {
        count(rejection)
        out.append(.rejected(rejection))
    }

    private mutating func count(_ rejection: SerialRejection) {
        rejections[rejection.kind, default: 0] += 1
    }

    /// Checks the 12 characters between start and end.
    static func decodeFrame(_ frame: [UInt8]) -> SerialDecoderOutput {
        guard frame.count == 12 else { return .rejected(.wrongLength(frame.count)) }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(12)
        for byte in frame {
            guard let v = hexValue(byte) else { return .rejected(.badCharacter(byte)) }
            nibbles.append(v)
        }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 12, by: 2) { bytes.append(nibbles[i] << 4 | nibbles[i + 1]) }
        let expected = bytes[0..<5].reduce(0, ^)
        guard expected == bytes[5] else { return .rejected(.badChecksum(expected: expected, received: bytes[5])) }
        let id = bytes[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let raw = String(decoding: frame[0..<10], as: UTF8.self).uppercased()
        return .card(SerialCardReading(card: CardNumber(id), raw: raw, version: bytes[0]))
    }

    private func decode(_ frame: [UInt8]) -> SerialDecoderOutput { Self.decodeFrame(frame) }

    /// A well-formed frame for a version byte and id (for simulators and tests).
    public static func encode(version: UInt8, id: UInt32) -> [UInt8] {
        let data = [version, UInt8(truncatingIfNeeded: id >> 24), UInt8(truncatingIfNeeded: id >> 16),
                    UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
        let checksum = data.reduce(0, ^)
        return [start] + Array((data + [checksum]).map(hex2).joined().utf8) + [end]
    }
}
