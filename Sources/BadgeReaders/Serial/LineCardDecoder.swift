// Serial readers that send the card number as a line: digits, then CR, LF or CR LF.

/// Decodes "digits + CR/LF" lines from a byte stream that may be split anywhere.
///
/// A line of up to ``maxLength`` ASCII digits ended by CR or LF (CR LF and empty lines are one end) is parsed with
/// ``format`` (decimal, 10-digit, or the 8-digit Wiegand 26 form). A non-digit rejects the line
/// (``SerialRejection/badCharacter(_:)``), as does a line longer than `maxLength`
/// (``SerialRejection/wrongLength(_:)``); the rest of that line is skipped and the next line is read afresh.
public struct LineCardDecoder: SerialCardDecoder {
    /// How the digits are read as a card number.
    public let format: CardFormat
    /// The most digits a line may have.
    public let maxLength: Int

    private var line: [UInt8] = []
    private var skipping = false
    public private(set) var rejections: [SerialRejection.Kind: Int] = [:]
    public private(set) var cardCount = 0

    /// - Parameters:
    ///   - format: the reader's card format; `hex` lines are rejected as non-digits, so use decimal forms.
    ///   - maxLength: the most digits per line (1...32).
    public init(format: CardFormat = .decimal, maxLength: Int = 10) {
        self.format = format
        self.maxLength = min(max(maxLength, 1), 32)
    }

    public mutating func reset() {
        line.removeAll(keepingCapacity: true)
        skipping = false
    }

    public mutating func feed(_ bytes: [UInt8]) -> [SerialDecoderOutput] {
        var out: [SerialDecoderOutput] = []
        for byte in bytes {
            switch byte {
            case 0x0D, 0x0A:
                if !skipping, !line.isEmpty {
                    let text = String(decoding: line, as: UTF8.self)
                    switch format.parse(text) {
                    case .success(let card):
                        cardCount += 1
                        out.append(.card(SerialCardReading(card: card, raw: text, version: nil)))
                    case .failure:
                        reject(.unparsable(text), into: &out)
                    }
                }
                line.removeAll(keepingCapacity: true)
                skipping = false
            case 0x30...0x39:
                guard !skipping else { continue }
                line.append(byte)
                if line.count > maxLength {
                    reject(.wrongLength(line.count), into: &out)
                    skipping = true
                    line.removeAll(keepingCapacity: true)
                }
            default:
                guard !skipping else { continue }
                reject(.badCharacter(byte), into: &out)
                skipping = true
                line.removeAll(keepingCapacity: true)
            }
        }
        return out
    }

    private mutating func reject(_ rejection: SerialRejection, into out: inout [SerialDecoderOutput]) {
        rejections[rejection.kind, default: 0] += 1
        out.append(.rejected(rejection))
    }
}
