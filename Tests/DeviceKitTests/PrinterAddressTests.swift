// The configuration's printer addresses: every form, round trips, and errors that say what is expected.
@testable import DeviceKit
import Testing

@Suite("Printer addresses")
struct PrinterAddressTests {
    @Test("each form parses", arguments: [
        ("tcp://10.0.3.7:9100", PrinterAddress.tcp(host: "10.0.3.7", port: 9100)),
        ("tcp://printer-3", .tcp(host: "printer-3", port: 9100)),
        ("tcp://[fe80::1]:9101", .tcp(host: "fe80::1", port: 9101)),
        ("usb:0416:5011", .usb(USBPrinterMatch(vendorID: 0x0416, productID: 0x5011))),
        ("usb:04b8:0e28?serial=A1B2", .usb(USBPrinterMatch(vendorID: 0x04B8, productID: 0x0E28, serialNumber: "A1B2"))),
        ("usb:0416:5011?port=1-1.2", .usb(USBPrinterMatch(vendorID: 0x0416, productID: 0x5011, portPath: "1-1.2"))),
        ("usb:1-1.2", .usb(USBPrinterMatch(portPath: "1-1.2"))),
        ("usb:3-4", .usb(USBPrinterMatch(portPath: "3-4"))),
        ("/dev/usb/lp0", .file(path: "/dev/usb/lp0", readable: false)),
        ("/dev/usb/lp1?read", .file(path: "/dev/usb/lp1", readable: true)),
        ("serial:/dev/ttyUSB0?baud=9600", .serial(path: "/dev/ttyUSB0", settings: SerialLineSettings(baudRate: 9600))),
        ("serial:/dev/ttyS0", .serial(path: "/dev/ttyS0", settings: SerialLineSettings())),
        ("serial:/dev/serial/by-id/usb-1a86_USB2.0-Ser_-if00-port0?baud=115200&flow=rtscts",
         .serial(path: "/dev/serial/by-id/usb-1a86_USB2.0-Ser_-if00-port0", settings: SerialLineSettings(baudRate: 115200, flowControl: .rtsCts))),
        ("lp:window3", .lpQueue("window3")),
        ("cups:a4-window3", .cups(queue: "a4-window3", server: nil)),
        ("ipp://127.0.0.1:631/printers/A4", .cups(queue: "A4", server: "127.0.0.1:631")),
        ("ipp://cups-server/printers/A4", .cups(queue: "A4", server: "cups-server:631")),
        ("ipp://[::1]:8631/printers/A4", .cups(queue: "A4", server: "[::1]:8631")),
        ("  tcp://10.0.3.7  ", .tcp(host: "10.0.3.7", port: 9100)),
    ])
    func parses(text: String, expected: PrinterAddress) throws {
        #expect(try PrinterAddress(parsing: text) == expected)
    }

    @Test("the configuration form parses back to the same address", arguments: [
        "tcp://10.0.3.7:9100", "tcp://[fe80::1]:9100", "usb:0416:5011", "usb:0416:5011?serial=A1B2",
        "usb:0416:5011?serial=A1B2&port=1-1.2", "usb:1-1.2", "/dev/usb/lp0", "/dev/usb/lp0?read",
        "serial:/dev/ttyUSB0?baud=38400&flow=rtscts", "lp:window3", "cups:a4-window3", "ipp://127.0.0.1:631/printers/A4",
        "ipp://[::1]:8631/printers/A4",
    ])
    func roundTrips(text: String) throws {
        let address = try PrinterAddress(parsing: text)
        #expect(address.description == text)
        #expect(try PrinterAddress(parsing: address.description) == address)
    }

    @Test("bad strings say what is wrong and what is expected", arguments: [
        ("", "it is empty"),
        ("10.0.3.7:9100", "it does not start with tcp://, usb:, serial:, lp:, cups:, ipp:// or /"),
        ("tcp://10.0.3.7:91000", "the port '91000' is not a number from 1 to 65535"),
        ("tcp://:9100", "the host is missing"),
        ("tcp://fe80::1:9100", "an IPv6 address must be in brackets"),
        ("usb:416:5011", "the vendor id '416' is not 4 hex digits"),
        ("usb:0416:50zz", "the product id '50zz' is not 4 hex digits"),
        ("usb:0416", "is neither VVVV:PPPP nor a port path"),
        ("usb:0416:5011?serail=A1", "unknown option 'serail' (known: port, serial)"),
        ("usb:0416:5011?port=12", "the port must look like 1-1.2"),
        ("serial:/dev/ttyUSB0?baud=14400", "the baud rate '14400' is not one of 9600, 19200, 38400, 57600, 115200"),
        ("serial:/dev/ttyUSB0?flow=xonxoff", "flow must be none or rtscts"),
        ("serial:ttyUSB0", "the tty path must be absolute"),
        ("lp:", "the CUPS queue name is empty"),
        ("lp:window 3", "has spaces"),
        ("cups:", "the CUPS queue name is empty"),
        ("cups:a4 window", "has spaces"),
        ("ipp://127.0.0.1:631", "the path /printers/QUEUE is missing"),
        ("ipp://127.0.0.1:631/classes/A4", "the path must be /printers/QUEUE"),
        ("ipp://127.0.0.1:631/printers/", "the CUPS queue name is empty"),
        ("ipp://127.0.0.1:99999/printers/A4", "the port '99999' is not a number from 1 to 65535"),
    ])
    func rejects(text: String, problem: String) {
        #expect {
            try PrinterAddress(parsing: text)
        } throws: { error in
            guard let error = error as? PrinterAddressError else { return false }
            return error.description.hasPrefix("printer address \"\(text)\": ") && error.description.contains(problem)
                && error.description.contains("expected ")
        }
    }

    @Test("each address makes its transport")
    func makesTransports() async throws {
        #expect(try PrinterAddress(parsing: "tcp://10.0.3.7").makeTransport() is TCPPrinterTransport)
        #expect(try PrinterAddress(parsing: "usb:0416:5011").makeTransport() is USBPrinterTransport)
        #expect(try PrinterAddress(parsing: "/dev/usb/lp0").makeTransport() is FilePrinterTransport)
        #expect(try PrinterAddress(parsing: "serial:/dev/ttyUSB0").makeTransport() is SerialPrinterTransport)
        #expect(try PrinterAddress(parsing: "lp:window3").makeTransport() is LPQueueTransport)
        #expect(try PrinterAddress(parsing: "cups:A4").makeTransport() is CUPSPrinterTransport)
        #expect(try PrinterAddress(parsing: "ipp://127.0.0.1:8631/printers/A4").makeTransport().deviceName == "printer ipp://127.0.0.1:8631/printers/A4")
        #expect(try PrinterAddress(parsing: "usb:0416:5011?serial=A1B2").makeTransport().deviceName == "printer usb:0416:5011?serial=A1B2")
    }

    @Test("USB matching narrows by serial number and port only when they are given")
    func usbMatching() {
        let byIDs = USBPrinterMatch(vendorID: 0x0416, productID: 0x5011)
        #expect(byIDs.matches(vendorID: 0x0416, productID: 0x5011, portPath: "1-1.2", serialNumber: nil))
        #expect(!byIDs.matches(vendorID: 0x0416, productID: 0x5012, portPath: "1-1.2", serialNumber: nil))
        let bySerial = USBPrinterMatch(vendorID: 0x0416, productID: 0x5011, serialNumber: "A1B2")
        #expect(bySerial.matches(vendorID: 0x0416, productID: 0x5011, portPath: "1-1.3", serialNumber: "A1B2"))
        #expect(!bySerial.matches(vendorID: 0x0416, productID: 0x5011, portPath: "1-1.3", serialNumber: "C3D4"))
        #expect(!bySerial.matches(vendorID: 0x0416, productID: 0x5011, portPath: "1-1.3", serialNumber: nil))
        let byPort = USBPrinterMatch(portPath: "1-1.2")
        #expect(byPort.matches(vendorID: 0x1234, productID: 0x5678, portPath: "1-1.2", serialNumber: nil))
        #expect(!byPort.matches(vendorID: 0x1234, productID: 0x5678, portPath: "1-1.20", serialNumber: nil))
    }
}

@Suite("Transport errors")
struct TransportErrorTests {
    @Test("libusb's busy, access and unplug errors say what to do, and whether retrying helps")
    func usbMessages() {
        let device = "printer usb:1-1.2 (0416:5011)"
        let busy = TransportError.usb(LIBUSBCodes.busy, device: device, doing: "claim")
        #expect(busy.description.hasPrefix("printer usb:1-1.2 (0416:5011) is busy (Resource busy; claim: LIBUSB_ERROR_BUSY): another driver holds it — CounterGate detaches usblp; if this persists, check no CUPS queue uses it"))
        #expect(busy.isRetryable)
        let access = TransportError.usb(LIBUSBCodes.access, device: device, doing: "open")
        #expect(access.kind == .permissionDenied)
        #expect(!access.isRetryable)
        #expect(access.description.hasSuffix("install udev/70-countergate.rules and add the service user to group countergate"))
        let gone = TransportError.usb(LIBUSBCodes.noDevice, device: device, doing: "write")
        #expect(gone.kind == .unplugged)
        #expect(gone.isRetryable)
        let slow = TransportError.usb(LIBUSBCodes.timeout, device: device, doing: "write")
        #expect(slow.kind == .timedOut)
        #expect(slow.isRetryable)
    }

    @Test("every kind has a summary and advice, and retryability is decided for each")
    func everyKind() {
        for kind in TransportError.Kind.allCases {
            let error = TransportError(kind, device: "printer x", detail: "d")
            #expect(!error.summary.isEmpty)
            #expect(!error.advice.isEmpty)
            #expect(error.description.hasPrefix("printer x \(error.summary) (d): "))
        }
        let retryable = Set(TransportError.Kind.allCases.filter { TransportError($0, device: "", detail: "").isRetryable })
        #expect(retryable == [.notFound, .unplugged, .busy, .timedOut, .connectionRefused, .unreachable, .disconnected,
                              .outOfPaper, .rejected, .cancelled, .ioFailure])
    }
}

/// libusb's error codes (libusb.h), so the tests need not import the C module.
enum LIBUSBCodes {
    static let access: Int32 = -3
    static let noDevice: Int32 = -4
    static let busy: Int32 = -6
    static let timeout: Int32 = -7
}
