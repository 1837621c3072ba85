// The address of a terminal that calls the gateway (push protocol): `push:SERIAL`. Such a terminal has no address the
// gateway could dial; its serial number is what it is known by.
import Foundation

public enum PushTerminalAddress {
    public static let scheme = "push:"

    /// The serial number of a `push:SERIAL` address; nil for any other address (`tcp://…`, `udp://…`).
    public static func serial(of address: String) -> String? {
        guard address.hasPrefix(scheme) else { return nil }
        return String(address.dropFirst(scheme.count))
    }

    /// `push:SERIAL`.
    public static func address(serial: String) -> String { scheme + serial }

    /// Whether the address names a push terminal.
    public static func isPush(_ address: String) -> Bool { address.hasPrefix(scheme) }

    /// A serial number as terminals send it (`SN=`) and the configuration may name it: 1 to 32 ASCII letters, digits,
    /// `-` and `_` (ZKTeco serials are 13-15 letters and digits, e.g. `A8N5211960213`).
    public static func isValidSerial(_ serial: String) -> Bool {
        !serial.isEmpty && serial.utf8.count <= 32
            && serial.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
