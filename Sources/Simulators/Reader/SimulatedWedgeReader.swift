// TEST FAKE: a USB keyboard-wedge badge reader as files umockdev replays: the sysfs description of the reader
// (`umockdev-run -d`) and the key events it types (`umockdev-run -e /dev/input/eventN=FILE`, evemu format).
// The gateway's real evdev path reads it; nothing of this runs inside the gateway.
import BadgeReaders
import Foundation

/// A simulated keyboard-wedge reader, written out as a umockdev device description and an evemu event script.
public struct SimulatedWedgeReader: Sendable {
    /// One thing the reader does, in order.
    public enum Action: Sendable, Hashable {
        /// A card held to the reader: its characters typed, then Enter.
        case tap(String)
        /// A card cut short: some characters and no Enter (a badge pulled away too soon).
        case halfCard(String)
        /// Keys that are not a card's (a stuck key, a hand on the keyboard): typed, then Enter.
        case noise(String)
        /// Nothing for a while.
        case pause(Duration)
    }

    /// The USB ids it reports (those of the generic wedge profile by default).
    public var vendorID: UInt16
    public var productID: UInt16
    /// The name it reports in `/sys/class/input/.../name`.
    public var name: String
    /// The event node number: `/dev/input/event<N>`.
    public var eventNumber: Int
    /// Time between keys while typing a card (real readers type a 10-digit card in about 100 ms).
    public var keyGap: Duration

    public init(vendorID: UInt16 = 0xFFFF, productID: UInt16 = 0x0035,
                name: String = "Simulated keyboard-wedge badge reader (CounterGate test fake)",
                eventNumber: Int = 5, keyGap: Duration = .milliseconds(8)) {
        self.vendorID = vendorID
        self.productID = productID
        self.name = name
        self.eventNumber = eventNumber
        self.keyGap = keyGap
    }

    /// `/dev/input/event5`.
    public var node: String { "/dev/input/event\(eventNumber)" }

    /// The umockdev description (`umockdev-run -d FILE`): the event node and its input device with the USB ids, as
    /// `/sys/class/input` shows a real reader.
    public var umockdevDescription: String {
        let ids = String(format: "%04X:%04X", vendorID, productID)
        let vendor = String(format: "%04x", vendorID), product = String(format: "%04x", productID)
        let base = "/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.5/1-1.5:1.0/0003:\(ids).0001/input/input\(eventNumber + 10)"
        return """
            P: \(base)/event\(eventNumber)
            N: input/event\(eventNumber)
            L: device=..
            E: DEVNAME=/dev/input/event\(eventNumber)
            E: ID_INPUT=1
            E: ID_INPUT_KEY=1
            E: ID_INPUT_KEYBOARD=1
            E: ID_VENDOR_ID=\(vendor)
            E: ID_MODEL_ID=\(product)
            E: ID_BUS=usb
            E: MAJOR=13
            E: MINOR=\(64 + eventNumber)
            E: SUBSYSTEM=input
            A: dev=13:\(64 + eventNumber)\\n

            P: \(base)
            E: NAME="\(name)"
            E: PRODUCT=3/\(String(vendorID, radix: 16))/\(String(productID, radix: 16))/110
            E: SUBSYSTEM=input
            A: name=\(name)\\n
            A: id/bustype=0003\\n
            A: id/vendor=\(vendor)\\n
            A: id/product=\(product)\\n
            A: id/version=0110\\n
            A: phys=usb-0000:00:14.0-1.5/input0\\n

            """
    }

    /// A character the reader cannot type (only digits and the hex letters a-f exist on a wedge reader's keymap).
    public struct UntypableCharacter: Error, CustomStringConvertible {
        public let character: Character
        public var description: String { "a keyboard-wedge reader types digits and a-f only, not \"\(character)\"" }
    }

    /// The evemu event script of `actions` (`# EVEMU 1.3` with `E: seconds code…` lines), as the kernel would
    /// report a reader typing: per key `MSC_SCAN`, press, `SYN_REPORT`, release, `SYN_REPORT`.
    public func evemuEvents(_ actions: [Action], startingAfter start: Duration = .zero) throws(UntypableCharacter) -> String {
        var lines = [
            "# EVEMU 1.3",
            "# Input device name: \"\(name)\"",
            String(format: "# Input device ID: bus 0x03 vendor 0x%x product 0x%x version 0x110", vendorID, productID),
            "# Written by CounterGate's simulated keyboard-wedge reader (a test fake), not captured from a device.",
        ]
        var time = start
        func event(_ type: UInt16, _ code: UInt16, _ value: Int32) {
            let (seconds, attoseconds) = time.components
            lines.append(String(format: "E: %lld.%06lld %04x %04x %d", seconds, attoseconds / 1_000_000_000_000, type, code, value))
        }
        func key(_ code: UInt16, usage: Int32) {
            event(InputEvent.miscellaneous, 4, usage)
            event(InputEvent.key, code, 1)
            event(InputEvent.synchronization, 0, 0)
            time += keyGap / 2
            event(InputEvent.key, code, 0)
            event(InputEvent.synchronization, 0, 0)
            time += keyGap / 2
        }
        func type(_ text: String) throws(UntypableCharacter) {
            for character in text.lowercased() {
                guard let (code, usage) = Self.keys[character] else { throw UntypableCharacter(character: character) }
                key(code, usage: usage)
            }
        }
        for action in actions {
            switch action {
            case .tap(let card), .noise(let card):
                try type(card)
                key(28, usage: 0x70028)
            case .halfCard(let card):
                try type(card)
            case .pause(let duration):
                time += duration
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Key code and HID usage (the `MSC_SCAN` value) of each character a wedge reader types.
    static let keys: [Character: (UInt16, Int32)] = {
        var keys: [Character: (UInt16, Int32)] = [:]
        for (code, character) in WedgeCardAssembler.digits where code <= 11 {
            let digit = Int32(character.wholeNumberValue!)
            keys[character] = (code, digit == 0 ? 0x70027 : 0x7001D + digit)
        }
        let letterUsages: [Character: Int32] = ["a": 0x70004, "b": 0x70005, "c": 0x70006, "d": 0x70007, "e": 0x70008, "f": 0x70009]
        for (code, character) in WedgeCardAssembler.hexLetters { keys[character] = (code, letterUsages[character]!) }
        return keys
    }()
}
