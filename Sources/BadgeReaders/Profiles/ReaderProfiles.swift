// Loads the badge reader model files (drivers/readers/*.toml), resolving `inherits`, refusing unknown keys.
import CounterCore
import CounterTOML
import DeviceKit
import Foundation

/// A USB vendor:product id as `lsusb` shows it (`ffff:0035`).
public typealias ReaderUSBID = USBID

/// One badge reader model, as its profile file describes it.
public struct ReaderProfile: Sendable, Hashable {
    /// How the reader reaches the gateway.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A USB keyboard-wedge reader: types the card number and Enter (read through evdev).
        case wedge
        /// A serial reader sending RDM6300-style frames.
        case serialFrame = "serial-frame"
        /// A serial reader sending digits and CR/LF.
        case serialLine = "serial-line"
    }

    /// What is known to be odd about a model.
    public enum Quirk: String, Sendable, Hashable, CaseIterable {
        /// Repeats the card for as long as it lies on the reader (RDM6300): the repeat-tap filter matters.
        case repeatsWhileHeld = "repeats-while-held"
        /// Ends a card with Enter on the keypad (KEY_KPENTER) rather than the main Enter.
        case keypadEnter = "keypad-enter"
        /// Sends no end-of-card key: a pause between keys ends the card.
        case noTerminator = "no-terminator"
        /// Sends CR LF (two ends) after each line.
        case crlf
    }

    /// The file name without `.toml`.
    public let id: String
    /// The file it came from.
    public let file: String
    public let name: String
    public let kind: Kind
    /// The USB ids a wedge reader (or a serial reader's USB adapter) reports; empty when unknown.
    public let usbIDs: [ReaderUSBID]
    /// The line rate; nil for wedge readers.
    public let baudRate: Int?
    public let cardFormat: CardFormat
    /// The most digits on a line (serial-line), or typed (wedge).
    public let maxLength: Int
    public let quirks: Set<Quirk>
}

/// Reads reader profiles. Every problem is reported with its file, line and key, and nothing is loaded when there
/// is one. A file's name (without `.toml`) is the profile's id; `inherits = "<id>"` takes every setting the file
/// does not set from that profile, except `name` and `usb`.
///
/// Keys: `name` (required), `inherits`, `kind` (`wedge`, `serial-frame`, `serial-line`), `usb` (array of
/// `"vvvv:pppp"`), `baud` (serial kinds; 9600, 19200, 38400, 57600, 115200), `card_format` (`decimal`,
/// `decimal-10`, `hex`, `wiegand-26`), `max_length` (1...32, default 10), `quirks` (array).
public enum ReaderProfiles {
    /// Loads every `*.toml` file directly in `directory`.
    /// - Throws: `ConfigErrors` naming file, line and key of each problem.
    public static func load(directory: String) throws -> [ReaderProfile] {
        try parse(files: try ProfileFiles.read(directory: directory, family: "reader", recursive: false))
    }

    /// Reads profiles from texts (`path` names the file in errors; its last component without `.toml` is the id).
    public static func parse(files: [(path: String, text: String)]) throws -> [ReaderProfile] {
        try ProfileFiles.profiles(Draft.self, files: files, family: "reader")
    }

    /// What one file sets; nil for what it leaves to its parent.
    struct Draft: ResolvableProfileDraft {
        let id: String
        let file: String
        var name: String?
        var inherits: String?
        var inheritsLine = 0
        var kind: ReaderProfile.Kind?
        var kindLine = 0
        var usb: [ReaderUSBID] = []
        var baud: Int?
        var baudLine = 0
        var cardFormat: CardFormat?
        var maxLength: Int?
        var quirks: Set<ReaderProfile.Quirk>?

        init(id: String, file: String, reader: TableReader) {
            self.id = id
            self.file = file
            name = reader.string("name")
            inherits = reader.string("inherits")
            inheritsLine = reader.table["inherits"]?.position.line ?? 0
            kindLine = reader.table["kind"]?.position.line ?? 0
            kind = Self.choice(reader, "kind")
            if let node = reader.table["usb"] {
                for text in reader.stringArray("usb", default: []) {
                    if let usb = ReaderUSBID(text) { if !self.usb.contains(usb) { self.usb.append(usb) } } else {
                        reader.fail("usb", at: node.position.line, "`\(text)` is no USB id; expected vendor:product in hexadecimal, as lsusb shows it (e.g. \"ffff:0035\")")
                    }
                }
            }
            baudLine = reader.table["baud"]?.position.line ?? 0
            if let node = reader.table["baud"] {
                baud = reader.int("baud", default: nil, range: 300...921_600)
                if let b = baud, !DeviceKitRates.supported.contains(b) {
                    reader.fail("baud", at: node.position.line, "\(b) is not a rate CounterGate sets; expected one of "
                                + DeviceKitRates.supported.map(String.init).joined(separator: ", "))
                    baud = nil
                }
            }
            cardFormat = Self.choice(reader, "card_format")
            maxLength = reader.int("max_length", default: nil, range: 1...32)
            if let node = reader.table["quirks"] {
                var quirks: Set<ReaderProfile.Quirk> = []
                for text in reader.stringArray("quirks", default: []) {
                    if let quirk = ReaderProfile.Quirk(rawValue: text) { quirks.insert(quirk) } else {
                        reader.fail("quirks", at: node.position.line, "`\(text)` is no quirk CounterGate knows; expected: "
                                    + ReaderProfile.Quirk.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                }
                self.quirks = quirks
            }
        }

        private static func choice<T: RawRepresentable & CaseIterable>(_ reader: TableReader, _ key: String) -> T? where T.RawValue == String {
            guard let node = reader.table[key] else { _ = reader.string(key); return nil }
            guard let text = reader.string(key) else { return nil }
            guard let value = T(rawValue: text) else {
                reader.fail(key, at: node.position.line, "`\(text)` is not one of: " + T.allCases.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            return value
        }

        func resolve(chain: [Draft], errors: inout [ConfigError]) -> ReaderProfile? {
            func first<T>(_ path: KeyPath<Draft, T?>) -> T? { chain.lazy.compactMap { $0[keyPath: path] }.first }
            guard let name else {
                errors.append(ConfigError(file: file, line: 0, key: "name", message: "is missing; expected the reader model's name"))
                return nil
            }
            guard let kind = first(\.kind) else {
                errors.append(ConfigError(file: file, line: 0, key: "kind", message: "is missing; expected one of: "
                                          + ReaderProfile.Kind.allCases.map(\.rawValue).joined(separator: ", ")))
                return nil
            }
            let baud = first(\.baud)
            if kind == .wedge, baud != nil {
                errors.append(ConfigError(file: file, line: baudLine, key: "baud", message: "is set for a wedge reader, which has no serial line"))
                return nil
            }
            let format = first(\.cardFormat) ?? (kind == .serialFrame ? .hex : .decimal)
            if kind == .serialLine, format == .hex {
                errors.append(ConfigError(file: file, line: kindLine, key: "card_format", message: "`hex` cannot be read in serial-line mode, which takes digits only"))
                return nil
            }
            return ReaderProfile(id: id, file: file, name: name, kind: kind, usbIDs: usb,
                                 baudRate: kind == .wedge ? nil : (baud ?? 9600), cardFormat: format,
                                 maxLength: first(\.maxLength) ?? 10, quirks: first(\.quirks) ?? [])
        }
    }
}

/// The rates DeviceKit's serial lines can be set to.
enum DeviceKitRates {
    static let supported = SerialLineSettings.supportedBaudRates
}
