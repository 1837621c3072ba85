// Keyboard-wedge readers type a card as key presses and end it with Enter: this turns key events into cards (pure).

/// A card number as the reader typed it, with the kernel's timestamp of the Enter that ended it.
public struct WedgeCard: Sendable, Hashable, CustomStringConvertible {
    /// The characters typed, digits and (for hex cards) letters in the case typed.
    public let number: String
    /// The timestamp of the Enter press (``InputEvent/time``).
    public let time: Duration

    public init(number: String, time: Duration) {
        self.number = number
        self.time = time
    }

    public var description: String { "card \(number) at \(time)" }
}

/// What the assembler made of one event.
public enum WedgeOutput: Sendable, Hashable {
    /// A complete card, ended by Enter.
    case card(WedgeCard)
    /// A half card thrown away: the next key came later than the timeout (or the card grew past the length
    /// limit). `partial` is what had been typed; `time` is the key that showed the gap.
    case discarded(partial: String, time: Duration)
    /// A key a card reader does not type (a clerk's keyboard on the same node, noise). Ignored otherwise.
    case unexpectedKey(code: UInt16, time: Duration)
}

/// The state machine from evdev key events to card numbers.
///
/// Only presses (value 1) count; auto-repeats (2) and releases (0) are ignored, except that they keep the
/// Shift state. Digits `KEY_1`…`KEY_0` (2…11) and keypad digits, letters A–F (lower case, upper case with
/// Shift) for hex cards, `KEY_ENTER` (28) and `KEY_KPENTER` (96) end a card. Time comes only from the events'
/// own timestamps: if the gap between two key presses of one card is longer than ``timeout``, the half card
/// is discarded and the new key starts a fresh one. Any other key is reported and does not change the card.
public struct WedgeCardAssembler: Sendable {
    /// The longest gap allowed between two keys of one card.
    public var timeout: Duration
    /// Longer input than this is not a card; it is discarded.
    public var maximumLength: Int

    private var typed = ""
    private var lastKey: Duration?
    private var leftShift = false
    private var rightShift = false

    /// `KEY_ENTER`, `KEY_KPENTER`.
    public static let enterCodes: Set<UInt16> = [28, 96]
    /// `KEY_LEFTSHIFT`, `KEY_RIGHTSHIFT`.
    public static let shiftCodes: Set<UInt16> = [42, 54]
    /// Key codes that type a digit: `KEY_1`…`KEY_0` and the keypad digits.
    public static let digits: [UInt16: Character] = [
        2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9", 11: "0",
        79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9", 82: "0",
    ]
    /// Key codes of the hex letters `KEY_A`…`KEY_F` (lower case as typed without Shift).
    public static let hexLetters: [UInt16: Character] = [30: "a", 48: "b", 46: "c", 32: "d", 18: "e", 33: "f"]

    /// An assembler that discards a half card after a gap longer than `timeout` between keys.
    public init(timeout: Duration = .milliseconds(300), maximumLength: Int = 64) {
        self.timeout = timeout
        self.maximumLength = maximumLength
    }

    /// The characters of the card being typed, if any.
    public var pending: String { typed }

    /// Feeds one event; returns what it completed or threw away (usually nothing).
    public mutating func feed(_ event: InputEvent) -> [WedgeOutput] {
        guard event.type == InputEvent.key else { return [] }
        if Self.shiftCodes.contains(event.code) {
            let down = event.value != 0
            if event.code == 42 { leftShift = down } else { rightShift = down }
            return []
        }
        guard event.value == 1 else { return [] }
        var output: [WedgeOutput] = []
        let time = event.time
        if let last = lastKey, !typed.isEmpty, time - last > timeout {
            output.append(.discarded(partial: typed, time: time))
            typed = ""
        }
        if Self.enterCodes.contains(event.code) {
            if !typed.isEmpty { output.append(.card(WedgeCard(number: typed, time: time))) }
            typed = ""
            lastKey = nil
            return output
        }
        let character: Character?
        if let digit = Self.digits[event.code] {
            character = digit
        } else if let letter = Self.hexLetters[event.code] {
            character = (leftShift || rightShift) ? Character(letter.uppercased()) : letter
        } else {
            character = nil
        }
        guard let character else {
            output.append(.unexpectedKey(code: event.code, time: time))
            return output
        }
        typed.append(character)
        lastKey = time
        if typed.count > maximumLength {
            output.append(.discarded(partial: typed, time: time))
            typed = ""
            lastKey = nil
        }
        return output
    }

    /// Feeds a sequence of events; returns everything they produced, in order.
    public mutating func feed(_ events: some Sequence<InputEvent>) -> [WedgeOutput] {
        events.flatMap { feed($0) }
    }
}
