// Card numbers as readers print them, normalised to one canonical form so a badge is the same badge at every reader.
import CounterCore

/// A badge's number in CounterGate's one canonical form.
///
/// **Canonical choice.** 125 kHz EM4100 badges carry a version/customer byte and a 32-bit id; readers print that id
/// as decimal (often zero-padded to 10 digits, the number printed on the card), as 8 hex digits, or, as Wiegand 26,
/// only its low 24 bits split into an 8-bit facility and a 16-bit card number. CounterGate keeps the **32-bit value**
/// and writes it as **10 decimal digits, zero-padded** (``canonical``, e.g. `0012345678`): the form printed on
/// most cards and typed by most keyboard-wedge readers, and one that sorts and compares as text.
///
/// A Wiegand 26 reading knows only the low 24 bits; it is kept with ``significantBits`` 24 and its canonical text is
/// that of `facility << 16 | card`. ``matches(_:)`` compares the low 24 bits when either side has only those.
public struct CardNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The card's id (for Wiegand 26 readings: facility << 16 | card).
    public let value: UInt32
    /// 32, or 24 for a Wiegand 26 reading (the top byte is unknown and stored as 0).
    public let significantBits: Int

    /// - Parameters:
    ///   - value: the id.
    ///   - significantBits: 32, or 24 for a Wiegand 26 reading (the value is then masked to 24 bits).
    public init(_ value: UInt32, significantBits: Int = 32) {
        precondition(significantBits == 32 || significantBits == 24, "a card number has 32 or 24 significant bits")
        self.significantBits = significantBits
        self.value = significantBits == 24 ? value & 0x00FF_FFFF : value
    }

    /// A Wiegand 26 number from its facility code and card number.
    public init(facility: UInt8, card: UInt16) {
        self.init(UInt32(facility) << 16 | UInt32(card), significantBits: 24)
    }

    /// The canonical text: the value as 10 decimal digits, zero-padded (`0012345678`), as
    /// `CardNumberText.canonical(_:)` writes it for the store and the staff list.
    public var canonical: String { CardNumberText.canonical(value) }

    /// The Wiegand 26 facility code (bits 16..23).
    public var facility: UInt8 { UInt8(truncatingIfNeeded: value >> 16) }
    /// The Wiegand 26 card number (bits 0..15).
    public var cardInFacility: UInt16 { UInt16(truncatingIfNeeded: value) }
    /// The Wiegand 26 rendering, `FFF,CCCCC` (`123,45678`).
    public var wiegand26: String {
        let f = String(facility), c = String(cardInFacility)
        return String(repeating: "0", count: 3 - f.count) + f + "," + String(repeating: "0", count: 5 - c.count) + c
    }
    /// The value as 8 upper-case hex digits.
    public var hex: String {
        let h = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - h.count) + h
    }

    /// Whether two readings are the same badge: equal values, or equal low 24 bits when either is a Wiegand 26 reading.
    public func matches(_ other: CardNumber) -> Bool {
        if significantBits == 24 || other.significantBits == 24 {
            return value & 0x00FF_FFFF == other.value & 0x00FF_FFFF
        }
        return value == other.value
    }

    public var description: String { significantBits == 24 ? "\(canonical) (W26 \(wiegand26))" : canonical }

    public static func < (lhs: CardNumber, rhs: CardNumber) -> Bool {
        (lhs.value, lhs.significantBits) < (rhs.value, rhs.significantBits)
    }
}

/// How a reader prints a card number; a reader profile's `card_format`.
public enum CardFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Decimal digits as typed, any length up to 10 (leading zeros allowed), at most 4294967295.
    case decimal
    /// Exactly 10 decimal digits, zero-padded.
    case decimal10 = "decimal-10"
    /// Hexadecimal: 1 to 8 digits (the 32-bit id), or 10 (EM4100 version byte + id; the version byte is dropped).
    case hex
    /// Wiegand 26: facility 0..255 and card 0..65535, as `FFF,CCCCC` (or `:`, `/`, `-`, `.`, space between) or as
    /// 8 digits `FFFCCCCC`.
    case wiegand26 = "wiegand-26"

    public var description: String { rawValue }

    /// Why a text is not a card number in a format (the same reasons the staff list gives, from CounterCore).
    public typealias ParseError = CardNumberError

    /// Parses `text` (surrounding spaces ignored) as this format.
    public func parse(_ text: String) -> Result<CardNumber, ParseError> {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { return .failure(.empty) }
        switch self {
        case .decimal, .decimal10:
            let digits = self == .decimal10 ? CardNumberText.canonicalDigits...CardNumberText.canonicalDigits : 1...CardNumberText.canonicalDigits
            return CardNumberText.id(decimal: trimmed, digits: digits).map { CardNumber($0) }
        case .hex:
            if let bad = trimmed.first(where: { !$0.isHexDigit || !$0.isASCII }) { return .failure(.invalidCharacter(bad)) }
            switch trimmed.count {
            case 1...8: return .success(CardNumber(UInt32(trimmed, radix: 16)!))
            case 10: return .success(CardNumber(UInt32(trimmed.suffix(8), radix: 16)!))
            default: return .failure(.wrongLength(trimmed.count))
            }
        case .wiegand26:
            let separators: Set<Character> = [",", ":", "/", "-", ".", " "]
            let facilityText: Substring, cardText: Substring
            if let index = trimmed.firstIndex(where: { separators.contains($0) }) {
                facilityText = trimmed[..<index]
                cardText = trimmed[trimmed.index(after: index)...].drop(while: { $0 == " " })
            } else {
                guard trimmed.count == 8 else {
                    if let bad = trimmed.first(where: { !$0.isASCIIDigitCharacter }) { return .failure(.invalidCharacter(bad)) }
                    return .failure(.wrongLength(trimmed.count))
                }
                facilityText = trimmed.prefix(3)
                cardText = trimmed.suffix(5)
            }
            for part in [facilityText, cardText] {
                if part.isEmpty { return .failure(.empty) }
                if let bad = part.first(where: { !$0.isASCIIDigitCharacter }) { return .failure(.invalidCharacter(bad)) }
                if part.count > 5 { return .failure(.wrongLength(part.count)) }
            }
            guard let facility = UInt8(facilityText), let card = UInt16(cardText) else { return .failure(.outOfRange) }
            return .success(CardNumber(facility: facility, card: card))
        }
    }
}

extension Character {
    /// `0` to `9` only (not other scripts' digits).
    var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
