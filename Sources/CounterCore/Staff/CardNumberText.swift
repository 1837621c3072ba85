// Badge card numbers as text: the one canonical form the store, the staff list and every reader agree on.

/// The canonical text of a badge card and the decimal reading of it, without any reader.
///
/// A card is known by its 32-bit id (for 125 kHz EM4100 badges, the id after the version byte), written as
/// **10 decimal digits, zero-padded** (`0012345678`): the number printed on most cards and typed by most
/// keyboard-wedge readers, and one that sorts and compares as text. `staff_cards` keeps cards in this form, the
/// staff list's `card` column is normalised to it, and BadgeReaders' `CardNumber.canonical` (every reader format:
/// hex, Wiegand 26, ...) writes it through ``canonical(_:)``.
public enum CardNumberText {
    /// How many digits the canonical text has: enough for 2^32 - 1 (4294967295).
    public static let canonicalDigits = 10

    /// The canonical text of a card id: 10 decimal digits, zero-padded (`12345678` -> `0012345678`).
    public static func canonical(_ id: UInt32) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, canonicalDigits - digits.count)) + digits
    }

    /// Reads a card id written in decimal, as printed on the card (surrounding spaces and tabs ignored).
    /// - Parameters:
    ///   - text: the digits; leading zeros are allowed (a spreadsheet may also have dropped them).
    ///   - digits: how many digits are allowed: `1...10` for any decimal reading, `10...10` for readers that always
    ///     type ten.
    /// - Returns: the id, or why the text is not one: empty, a character other than `0`-`9`, the wrong number of
    ///   digits, or above 4294967295.
    public static func id(decimal text: String, digits: ClosedRange<Int> = 1...canonicalDigits) -> Result<UInt32, CardNumberError> {
        var trimmed = Substring(text)
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return .failure(.empty) }
        if let bad = trimmed.first(where: { !($0.isASCII && $0.isWholeNumber) }) { return .failure(.invalidCharacter(bad)) }
        guard digits.contains(trimmed.count) else { return .failure(.wrongLength(trimmed.count)) }
        guard let id = UInt32(trimmed) else { return .failure(.outOfRange) }
        return .success(id)
    }

    /// A decimal card number in canonical form (`12345678` -> `0012345678`), or why it is not a card number.
    public static func canonical(decimal text: String) -> Result<String, CardNumberError> {
        id(decimal: text).map(canonical)
    }
}

/// Why a text is not a card number (in the format it was read in).
public enum CardNumberError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but spaces.
    case empty
    /// A character that the format does not allow.
    case invalidCharacter(Character)
    /// The wrong number of digits for the format.
    case wrongLength(Int)
    /// A number beyond what the format can hold (above 2^32-1, facility above 255, card above 65535).
    case outOfRange

    public var description: String {
        switch self {
        case .empty: return "is empty"
        case .invalidCharacter(let c): return "has `\(c)`, which the format does not allow"
        case .wrongLength(let n): return "has \(n) digits, which the format does not allow"
        case .outOfRange: return "is out of range for the format"
        }
    }
}
