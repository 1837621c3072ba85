// What the serial decoders give: card readings and typed rejections, so a flaky reader shows up in the counts.

/// One card read from a serial reader.
public struct SerialCardReading: Sendable, Hashable, CustomStringConvertible {
    /// The card number, canonical.
    public let card: CardNumber
    /// The characters the reader sent for it (the 10 hex data characters of an RDM6300 frame, the line's digits).
    public let raw: String
    /// The EM4100 version/customer byte (the first 2 of an RDM6300 frame's 10 hex characters); nil in line mode.
    public let version: UInt8?

    public init(card: CardNumber, raw: String, version: UInt8?) {
        self.card = card
        self.raw = raw
        self.version = version
    }

    public var description: String { "card \(card.canonical) (raw \(raw))" }
}

/// Why bytes from a serial reader were not a card. The decoder resynchronises after each.
public enum SerialRejection: Sendable, Hashable, CustomStringConvertible {
    /// An RDM6300 frame whose checksum (2 hex characters) is not the XOR of its five data bytes.
    case badChecksum(expected: UInt8, received: UInt8)
    /// A frame or line with a character that is not allowed (not hex in a frame, not a digit on a line).
    case badCharacter(UInt8)
    /// A frame whose content between start and end is not 12 characters (a half frame cut by the next start byte,
    /// or a frame that never ended), or a line longer than allowed.
    case wrongLength(Int)
    /// Bytes outside any frame (line noise, a reader's boot banner); reported as one run.
    case noise(count: Int)
    /// A line of digits that is no card number in the configured format.
    case unparsable(String)

    /// The rejection's kind, for counting.
    public var kind: Kind {
        switch self {
        case .badChecksum: return .badChecksum
        case .badCharacter: return .badCharacter
        case .wrongLength: return .wrongLength
        case .noise: return .noise
        case .unparsable: return .unparsable
        }
    }

    /// The kinds of rejection.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case badChecksum = "bad-checksum"
        case badCharacter = "bad-character"
        case wrongLength = "wrong-length"
        case noise
        case unparsable
    }

    public var description: String {
        switch self {
        case .badChecksum(let expected, let received):
            return "bad checksum: the data XOR to \(hex2(expected)), the frame says \(hex2(received))"
        case .badCharacter(let byte): return "bad character 0x\(hex2(byte))"
        case .wrongLength(let n): return "wrong length: \(n) characters"
        case .noise(let count): return "\(count) byte\(count == 1 ? "" : "s") of noise outside a frame"
        case .unparsable(let text): return "`\(text)` is no card number"
        }
    }
}

/// The output of a serial decoder, in the order the bytes arrived.
public enum SerialDecoderOutput: Sendable, Hashable {
    case card(SerialCardReading)
    case rejected(SerialRejection)
}

/// An incremental decoder: bytes may arrive split anywhere; `feed` returns what completed.
public protocol SerialCardDecoder: Sendable {
    /// Decodes `bytes`, returning cards and rejections completed by them.
    mutating func feed(_ bytes: [UInt8]) -> [SerialDecoderOutput]
    /// Forgets a partial frame or line (after the line was reopened).
    mutating func reset()
    /// How many rejections of each kind so far.
    var rejections: [SerialRejection.Kind: Int] { get }
    /// How many cards so far.
    var cardCount: Int { get }
}

func hex2(_ byte: UInt8) -> String {
    let h = String(byte, radix: 16, uppercase: true)
    return h.count == 1 ? "0" + h : h
}

/// The value of an ASCII hex digit, nil for any other byte.
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: return byte - 0x30
    case 0x41...0x46: return byte - 0x41 + 10
    case 0x61...0x66: return byte - 0x61 + 10
    default: return nil
    }
}
