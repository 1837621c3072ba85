// How the gateway reaches a device, typed: parsed once from the address text where the configuration is read and
// where the store's devices are loaded, and nowhere else (a test keeps it so). The rest of the gateway switches on the
// link; nothing tests an address string's scheme.
import Foundation

/// How a device is reached.
public enum DeviceLink: Sendable, Hashable, CustomStringConvertible {
    /// A terminal the gateway dials (pull protocol, port 4370): `tcp://HOST:PORT`, `udp://HOST:PORT`, `HOST:PORT`.
    case pullTerminal(TerminalEndpoint)
    /// A terminal that calls the gateway (push protocol, ADMS over HTTP), known by its serial number: `push:SERIAL`.
    case pushTerminal(serial: String)
    /// A printer: raw TCP, USB, a device node, a serial line or a CUPS queue (``PrinterAddress``).
    case printer(PrinterAddress)
    /// A badge reader: a keyboard-wedge reader on USB, or a serial reader on a tty (``ReaderAddress``).
    case reader(ReaderAddress)

    /// Parses the address of a device of `kind`, as the configuration or the store writes it.
    /// - Throws: ``DeviceLinkError`` saying what is wrong and which forms a device of that kind takes.
    public init(parsing text: String, kind: DeviceKind) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .terminal:
            if trimmed.hasPrefix(Self.pushScheme) {
                let serial = String(trimmed.dropFirst(Self.pushScheme.count))
                guard Self.isValidTerminalSerial(serial) else {
                    throw DeviceLinkError(text: text, kind: kind, problem: "\"\(serial)\" is not a terminal serial number; write push:SERIAL with the "
                                          + "serial the terminal shows (菜单 > 系统信息 > 设备信息 > 序列号), 1-32 letters, digits, - or _",
                                          expected: Self.terminalForms)
                }
                self = .pushTerminal(serial: serial)
            } else if let endpoint = TerminalEndpoint(parsing: trimmed) {
                self = .pullTerminal(endpoint)
            } else {
                throw DeviceLinkError(text: text, kind: kind, problem: "it is neither a terminal's network address nor push:SERIAL",
                                      expected: Self.terminalForms)
            }
        case .printer where trimmed.hasPrefix(Self.pushScheme), .badgeReader where trimmed.hasPrefix(Self.pushScheme):
            throw DeviceLinkError(text: text, kind: kind, problem: "only a terminal (kind = \"terminal\") can call the gateway",
                                  expected: kind == .printer ? PrinterAddress.expectedForms : ReaderAddress.forms)
        case .printer:
            let address: PrinterAddress
            do { address = try PrinterAddress(parsing: trimmed) } catch {
                throw DeviceLinkError(text: text, kind: kind, problem: error.problem, expected: error.expected)
            }
            self = .printer(address)
        case .badgeReader:
            let address = try ReaderAddress(parsing: trimmed, text: text)
            self = .reader(address)
        }
    }

    /// The family the link belongs to.
    public var kind: DeviceKind {
        switch self {
        case .pullTerminal, .pushTerminal: return .terminal
        case .printer: return .printer
        case .reader: return .badgeReader
        }
    }

    /// The serial number of a terminal that calls the gateway; nil for any other link.
    public var pushSerial: String? {
        if case .pushTerminal(let serial) = self { return serial }
        return nil
    }

    /// Whether this is a terminal that calls the gateway (it cannot be dialled).
    public var isPushTerminal: Bool { pushSerial != nil }

    /// Where the gateway dials a pull terminal; nil for any other link.
    public var terminalEndpoint: TerminalEndpoint? {
        if case .pullTerminal(let endpoint) = self { return endpoint }
        return nil
    }

    /// Whether the device hangs off the USB bus (a USB printer, its kernel node, or a wedge reader).
    public var usesUSB: Bool {
        switch self {
        case .printer(.usb), .reader(.usb): return true
        case .printer(let address): return address.isUSBKernelNode
        default: return false
        }
    }

    /// The device node or tty the gateway opens (a printer's node or serial line, a serial reader's tty); nil for
    /// network, USB-by-id, CUPS and push links.
    public var devicePath: String? {
        switch self {
        case .printer(.file(let path, _)), .printer(.serial(let path, _)), .reader(.serial(let path, _)): return path
        default: return nil
        }
    }

    /// The address in the configuration's form.
    public var description: String {
        switch self {
        case .pullTerminal(let endpoint): return endpoint.description
        case .pushTerminal(let serial): return Self.pushScheme + serial
        case .printer(let address): return address.description
        case .reader(let address): return address.description
        }
    }

    /// The scheme of a terminal that calls the gateway.
    public static let pushScheme = "push:"
    static let terminalForms = "tcp://HOST:4370 or udp://HOST:4370 (a terminal the gateway reads), or push:SERIAL (a terminal that calls the gateway)"

    /// A serial number as terminals send it (`SN=`) and the configuration may name it: 1 to 32 ASCII letters, digits,
    /// `-` and `_` (ZKTeco serials are 13-15 letters and digits, e.g. `A8N5211960213`).
    public static func isValidTerminalSerial(_ serial: String) -> Bool {
        !serial.isEmpty && serial.utf8.count <= 32
            && serial.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// An address that is not one a device of its kind can have.
public struct DeviceLinkError: Error, Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let kind: DeviceKind
    public let problem: String
    public let expected: String

    public var description: String { "\(kind.rawValue) address \"\(text)\": \(problem); expected \(expected)" }
}

/// Where the gateway dials a pull terminal.
public struct TerminalEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Transport: String, Sendable { case tcp, udp }
    public var host: String
    public var port: Int
    public var transport: Transport

    public init(host: String, port: Int = 4370, transport: Transport = .tcp) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// Reads `tcp://10.0.0.5:4370`, `udp://10.0.0.5` or `10.0.0.5:4370` (TCP); nil for anything else.
    init?(parsing address: String) {
        var rest = Substring(address)
        var transport = Transport.tcp
        if let range = rest.range(of: "://") {
            guard let t = Transport(rawValue: String(rest[..<range.lowerBound]).lowercased()) else { return nil }
            transport = t
            rest = rest[range.upperBound...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, parts.count <= 2, !host.contains("/"), !host.contains("?") else { return nil }
        var port = 4370
        if parts.count == 2 {
            guard let p = Int(parts[1]), (1...65535).contains(p) else { return nil }
            port = p
        }
        self.init(host: String(host), port: port, transport: transport)
    }

    public var description: String { "\(transport.rawValue)://\(host):\(port)" }
}

/// Where a badge reader is.
///
/// | form | meaning |
/// |---|---|
/// | `usb:ffff:0035` | a keyboard-wedge reader with these USB ids (hex) |
/// | `usb:1-1.4` | a keyboard-wedge reader in that USB port |
/// | `serial:/dev/ttyUSB0?baud=9600`, `/dev/ttyUSB0` | a serial reader on that tty; the baud rate from its profile when not given |
public enum ReaderAddress: Sendable, Hashable, CustomStringConvertible {
    /// A keyboard-wedge reader: by USB ids, or by the port it is plugged into.
    case usb(vendor: UInt16?, product: UInt16?, portPath: String?)
    /// A serial reader's tty, with the baud rate when the address gives one.
    case serial(path: String, baud: Int?)

    static let forms = "usb:VVVV:PPPP (a keyboard-wedge reader's USB ids, as lsusb shows them), usb:1-1.4 (its port), or serial:/dev/ttyUSB0?baud=9600"

    init(parsing trimmed: String, text: String) throws {
        func fail(_ problem: String) -> DeviceLinkError {
            DeviceLinkError(text: text, kind: .badgeReader, problem: problem, expected: Self.forms)
        }
        if trimmed.hasPrefix("usb:") {
            let rest = String(trimmed.dropFirst(4))
            if USBPrinterMatch.isPortPath(rest) {
                self = .usb(vendor: nil, product: nil, portPath: rest)
                return
            }
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let vendor = UInt16(parts[0], radix: 16),
                  let product = UInt16(parts[1], radix: 16) else {
                throw fail("'\(rest)' is neither VVVV:PPPP (4 hex digits each) nor a port path like 1-1.4")
            }
            self = .usb(vendor: vendor, product: product, portPath: nil)
        } else if trimmed.hasPrefix("serial:") || trimmed.hasPrefix("/") {
            var rest = trimmed.hasPrefix("serial:") ? String(trimmed.dropFirst(7)) : trimmed
            var baud: Int?
            if let mark = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: mark)...].split(separator: "&") where pair.hasPrefix("baud=") {
                    guard let rate = Int(pair.dropFirst(5)), rate > 0 else { throw fail("the baud rate '\(pair.dropFirst(5))' is not a number") }
                    baud = rate
                }
                rest = String(rest[..<mark])
            }
            guard rest.hasPrefix("/") else { throw fail("the tty path must be absolute") }
            self = .serial(path: rest, baud: baud)
        } else {
            throw fail("it does not start with usb:, serial: or /")
        }
    }

    public var description: String {
        switch self {
        case .usb(let vendor?, let product?, _): return "usb:" + hex4(vendor) + ":" + hex4(product)
        case .usb(_, _, let port): return "usb:" + (port ?? "?")
        case .serial(let path, let baud): return "serial:" + path + (baud.map { "?baud=\($0)" } ?? "")
        }
    }
}
