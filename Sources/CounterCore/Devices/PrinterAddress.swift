// Where a printer is, as the configuration file writes it: tcp://, usb:, a device path, serial:, lp:. Parsed here only
// (through DeviceLink, where the configuration and the store are read); DeviceKit makes the transport of an address.

/// A printer's address, parsed from the configuration's string form.
///
/// | form | meaning |
/// |---|---|
/// | `tcp://10.0.3.7:9100`, `tcp://printer-3` | raw TCP; the port defaults to 9100; IPv6 in brackets |
/// | `usb:0416:5011`, `usb:0416:5011?serial=A1B2`, `usb:0416:5011?port=1-1.2` | libusb, by vendor:product id (hex) |
/// | `usb:1-1.2` | libusb, whatever printer is in that port (bus 1, port 1, then port 2) |
/// | `/dev/usb/lp0` (any absolute path) | the kernel's device node; `?read` opens it for status too |
/// | `serial:/dev/ttyUSB0?baud=9600&flow=rtscts` | a serial printer; 9600 baud and no flow control by default |
/// | `lp:QUEUE` | a CUPS queue, through `lp -d QUEUE -o raw` |
/// | `cups:QUEUE`, `ipp://HOST:631/printers/QUEUE` | a CUPS queue of a page printer, in IPP (the scheduler of `CUPS_SERVER` or localhost:631, or HOST's) |
public enum PrinterAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case usb(USBPrinterMatch)
    case file(path: String, readable: Bool)
    case serial(path: String, settings: SerialLineSettings)
    case lpQueue(String)
    /// A CUPS queue spoken to in IPP; `server` is `host:port` when the address names the scheduler (`ipp://`).
    case cups(queue: String, server: String?)

    /// Whether this is the kernel's USB printer node (`/dev/usb/lp0`, usblp).
    public var isUSBKernelNode: Bool {
        if case .file(let path, _) = self { return path.hasPrefix("/dev/usb/") }
        return false
    }

    /// The forms accepted, for error messages and help.
    public static let expectedForms = "tcp://HOST:9100, usb:VVVV:PPPP (optionally ?serial=… or ?port=1-1.2), usb:1-1.2, /dev/usb/lp0, serial:/dev/ttyUSB0?baud=9600, lp:QUEUE, cups:QUEUE, ipp://HOST:631/printers/QUEUE"

    /// Parses the configuration's form.
    /// - Parameter text: the address as written in the configuration.
    /// - Throws: ``PrinterAddressError`` saying what is wrong and what is expected.
    public init(parsing text: String) throws(PrinterAddressError) {
        let trimmed = text.trimmingWhitespace()
        func fail(_ problem: String, example: String) -> PrinterAddressError {
            PrinterAddressError(text: text, problem: problem, expected: example)
        }
        guard !trimmed.isEmpty else { throw fail("it is empty", example: Self.expectedForms) }
        if trimmed.hasPrefix("tcp://") {
            self = try Self.parseTCP(String(trimmed.dropFirst(6)), fail: fail)
        } else if trimmed.hasPrefix("usb:") {
            self = .usb(try Self.parseUSB(String(trimmed.dropFirst(4)), fail: fail))
        } else if trimmed.hasPrefix("serial:") {
            self = try Self.parseSerial(String(trimmed.dropFirst(7)), fail: fail)
        } else if trimmed.hasPrefix("lp:") {
            let queue = String(trimmed.dropFirst(3))
            // CUPS queue names are printable, without spaces, slashes or '#'.
            guard !queue.isEmpty, queue.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !"/#\\".unicodeScalars.contains($0) }) else {
                throw fail("the CUPS queue name is empty or has spaces, '/', '#' or '\\'", example: "lp:QUEUE, a name lpstat -p lists, e.g. lp:window3")
            }
            self = .lpQueue(queue)
        } else if trimmed.hasPrefix("cups:") {
            let queue = String(trimmed.dropFirst(5))
            guard Self.isQueueName(queue) else {
                throw fail("the CUPS queue name is empty or has spaces, '/', '#' or '\\'", example: "cups:QUEUE, a name lpstat -p lists, e.g. cups:a4-window3")
            }
            self = .cups(queue: queue, server: nil)
        } else if trimmed.hasPrefix("ipp://") {
            self = try Self.parseIPP(String(trimmed.dropFirst(6)), fail: fail)
        } else if trimmed.hasPrefix("/") {
            let (path, query) = Self.splitQuery(trimmed)
            let options = try Self.parseOptions(query, allowed: ["read"], fail: fail, example: "/dev/usb/lp0 or /dev/usb/lp0?read")
            self = .file(path: path, readable: options["read"] != nil)
        } else {
            throw fail("it does not start with tcp://, usb:, serial:, lp:, cups:, ipp:// or /", example: Self.expectedForms)
        }
    }

    /// The address in the configuration's form; parsing it gives this address back.
    public var description: String {
        switch self {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "tcp://\(shown):\(port)"
        case .usb(let match): return match.description
        case .file(let path, let readable): return readable ? path + "?read" : path
        case .serial(let path, let settings):
            return "serial:\(path)?baud=\(settings.baudRate)" + (settings.flowControl == .none ? "" : "&flow=\(settings.flowControl.rawValue)")
        case .lpQueue(let queue): return "lp:\(queue)"
        case .cups(let queue, let server): return server.map { "ipp://\($0)/printers/\(queue)" } ?? "cups:\(queue)"
        }
    }

    /// CUPS queue names are printable, without spaces, slashes, '#' or '\\'.
    static func isQueueName(_ queue: String) -> Bool {
        !queue.isEmpty && queue.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"/#\\".unicodeScalars.contains($0) }
    }

    /// `HOST[:PORT]/printers/QUEUE` (after `ipp://`); the port defaults to 631.
    private static func parseIPP(_ rest: String, fail: (String, String) -> PrinterAddressError) throws(PrinterAddressError) -> PrinterAddress {
        let example = "ipp://127.0.0.1:631/printers/QUEUE, or cups:QUEUE for the local scheduler"
        guard let slash = rest.firstIndex(of: "/") else { throw fail("the path /printers/QUEUE is missing", example) }
        let authority = String(rest[..<slash]), path = rest[slash...]
        guard path.hasPrefix("/printers/") else { throw fail("the path must be /printers/QUEUE (CUPS classes and other paths are not supported)", example) }
        let queue = String(path.dropFirst("/printers/".count))
        guard isQueueName(queue), !queue.contains("?") else { throw fail("the CUPS queue name is empty or has spaces, '/', '#', '?' or '\\'", example) }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard case .tcp(let host, let port) = try parseTCP(hasPort ? authority : authority + ":631", fail: fail) else {
            throw fail("the host is not valid", example)
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        return .cups(queue: queue, server: "\(shown):\(port)")
    }

    // MARK: - Parsing each form

    private static func parseTCP(_ rest: String, fail: (String, String) -> PrinterAddressError) throws(PrinterAddressError) -> PrinterAddress {
        let example = "tcp://10.0.3.7:9100, tcp://printer-3 (port 9100) or tcp://[fe80::1]:9100"
        guard !rest.contains("/"), !rest.contains("?") else { throw fail("a raw TCP address has no path or options", example) }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("the IPv6 address has no closing ']'", example) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("expected ':PORT' after the IPv6 address", example) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            guard !portText!.contains(":") else { throw fail("an IPv6 address must be in brackets", example) }
        } else {
            host = Substring(rest)
        }
        guard !host.isEmpty else { throw fail("the host is missing", example) }
        var port = 9100
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw fail("the port '\(portText)' is not a number from 1 to 65535", example)
            }
            port = value
        }
        return .tcp(host: String(host), port: port)
    }

    private static func parseUSB(_ rest: String, fail: (String, String) -> PrinterAddressError) throws(PrinterAddressError) -> USBPrinterMatch {
        let example = "usb:0416:5011 (vendor:product in hex), usb:0416:5011?serial=A1B2, usb:0416:5011?port=1-1.2, or usb:1-1.2 (a port)"
        let (main, query) = splitQuery(rest)
        let options = try parseOptions(query, allowed: ["serial", "port"], fail: fail, example: example)
        if USBPrinterMatch.isPortPath(main) {
            guard options.isEmpty else { throw fail("a port address takes no options", example) }
            return USBPrinterMatch(portPath: main)
        }
        let parts = main.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("'\(main)' is neither VVVV:PPPP nor a port path like 1-1.2", example) }
        func hexID(_ part: Substring, _ name: String) throws(PrinterAddressError) -> UInt16 {
            guard part.count == 4, let value = UInt16(part, radix: 16) else {
                throw fail("the \(name) id '\(part)' is not 4 hex digits (lsusb shows them as 0416:5011)", example)
            }
            return value
        }
        let vendor = try hexID(parts[0], "vendor"), product = try hexID(parts[1], "product")
        if let port = options["port"] {
            guard let port, USBPrinterMatch.isPortPath(port) else { throw fail("the port must look like 1-1.2", example) }
        }
        if let serial = options["serial"] {
            guard let serial, !serial.isEmpty else { throw fail("the serial number is empty", example) }
        }
        return USBPrinterMatch(vendorID: vendor, productID: product, serialNumber: options["serial"] ?? nil,
                               portPath: options["port"] ?? nil)
    }

    private static func parseSerial(_ rest: String, fail: (String, String) -> PrinterAddressError) throws(PrinterAddressError) -> PrinterAddress {
        let rates = SerialLineSettings.supportedBaudRates.map(String.init).joined(separator: ", ")
        let example = "serial:/dev/ttyUSB0?baud=9600 (baud \(rates); add &flow=rtscts for hardware flow control)"
        let (path, query) = splitQuery(rest)
        guard path.hasPrefix("/") else { throw fail("the tty path must be absolute", example) }
        let options = try parseOptions(query, allowed: ["baud", "flow"], fail: fail, example: example)
        var settings = SerialLineSettings()
        if let baud = options["baud"] {
            guard let baud, let rate = Int(baud), SerialLineSettings.supportedBaudRates.contains(rate) else {
                throw fail("the baud rate '\(options["baud"]! ?? "")' is not one of \(rates)", example)
            }
            settings.baudRate = rate
        }
        if let flow = options["flow"] {
            guard let flow, let value = SerialLineSettings.FlowControl(rawValue: flow.lowercased()) else {
                throw fail("flow must be none or rtscts", example)
            }
            settings.flowControl = value
        }
        return .serial(path: path, settings: settings)
    }

    private static func splitQuery(_ text: String) -> (String, String?) {
        guard let mark = text.firstIndex(of: "?") else { return (text, nil) }
        return (String(text[..<mark]), String(text[text.index(after: mark)...]))
    }

    /// `a=1&b` into ["a": "1", "b": nil]; unknown or repeated keys are errors, so a typo is never ignored.
    private static func parseOptions(_ query: String?, allowed: Set<String>, fail: (String, String) -> PrinterAddressError,
                                     example: String) throws(PrinterAddressError) -> [String: String?] {
        guard let query else { return [:] }
        var options: [String: String?] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).lowercased()
            guard allowed.contains(key) else {
                throw fail("unknown option '\(key)' (known: \(allowed.sorted().joined(separator: ", ")))", example)
            }
            guard options[key] == nil else { throw fail("option '\(key)' is given twice", example) }
            options[key] = parts.count > 1 ? String(parts[1]) : Optional<String>.none
        }
        return options
    }
}

/// A printer address that cannot be parsed: what was written, what is wrong, and what is expected.
public struct PrinterAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address as written.
    public let text: String
    /// What is wrong with it.
    public let problem: String
    /// The forms that would be accepted.
    public let expected: String

    public var description: String { "printer address \"\(text)\": \(problem); expected \(expected)" }
}

/// Which USB printer an address means: by ids (and serial number or port when several alike are attached), or
/// by port alone.
public struct USBPrinterMatch: Sendable, Hashable, CustomStringConvertible {
    public var vendorID: UInt16?
    public var productID: UInt16?
    /// The USB serial number (`iSerialNumber`), as `lsusb -v` or the sysfs `serial` file shows it.
    public var serialNumber: String?
    /// The port path, `1-1.2`: bus 1, root port 1, then hub port 2.
    public var portPath: String?

    /// Matches by ids, narrowed by serial number or port when given.
    public init(vendorID: UInt16, productID: UInt16, serialNumber: String? = nil, portPath: String? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.portPath = portPath
    }

    /// Matches whatever printer is in a port.
    public init(portPath: String) {
        self.portPath = portPath
    }

    /// Whether a device with these ids, port and serial number is the one meant.
    /// - Parameter serialNumber: the device's serial number; only consulted when the match names one.
    public func matches(vendorID: UInt16, productID: UInt16, portPath: String, serialNumber: @autoclosure () -> String?) -> Bool {
        if let wanted = self.vendorID, wanted != vendorID { return false }
        if let wanted = self.productID, wanted != productID { return false }
        if let wanted = self.portPath, wanted != portPath { return false }
        if let wanted = self.serialNumber, wanted != serialNumber() { return false }
        return true
    }

    public var description: String {
        guard let vendorID, let productID else { return "usb:\(portPath ?? "?")" }
        var text = "usb:" + hex4(vendorID) + ":" + hex4(productID)
        let options = [serialNumber.map { "serial=\($0)" }, portPath.map { "port=\($0)" }].compactMap { $0 }
        if !options.isEmpty { text += "?" + options.joined(separator: "&") }
        return text
    }

    /// `1-1.2`, `3-4`: a bus number, '-', then port numbers separated by '.'.
    public static func isPortPath(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let bus = Int(parts[0]), bus >= 0 else { return false }
        let ports = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return !ports.isEmpty && ports.allSatisfy { Int($0).map { $0 > 0 && $0 < 256 } ?? false }
    }
}

func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// How a serial printer's line is set up. Printers are 8 data bits, no parity, 1 stop bit; the rate and the flow
/// control are set on the printer (DIP switches or its self-test page) and must match.
public struct SerialLineSettings: Sendable, Hashable, CustomStringConvertible {
    /// Flow control, as set on the printer.
    public enum FlowControl: String, Sendable, Hashable, CaseIterable {
        /// None: the gateway relies on the printer's buffer; fine for short receipts.
        case none
        /// Hardware (RTS/CTS): the printer holds CTS low while its buffer is full.
        case rtsCts = "rtscts"
    }

    /// The rates receipt printers are set to.
    public static let supportedBaudRates = [9600, 19200, 38400, 57600, 115200]

    /// Bits per second, one of ``supportedBaudRates``.
    public var baudRate: Int
    public var flowControl: FlowControl

    /// - Parameters:
    ///   - baudRate: one of ``supportedBaudRates``; 9600 is what most printers leave the factory with.
    ///   - flowControl: none, or RTS/CTS.
    public init(baudRate: Int = 9600, flowControl: FlowControl = .none) {
        self.baudRate = baudRate
        self.flowControl = flowControl
    }

    public var description: String { "\(baudRate) 8N1" + (flowControl == .rtsCts ? " RTS/CTS" : "") }
}
