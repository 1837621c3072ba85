// usb-probe: a test and diagnostic tool that shows what libusb sees, through DeviceKit's own code paths.
//
//   usb-probe [list]                          every USB device and every printer interface, as JSON
//   usb-probe send ADDRESS HEX [--read N] [--timeout-ms MS]
//                                             opens a printer address (usb:…, tcp://…, /dev/usb/lp0, …), writes
//                                             the bytes, optionally reads up to N reply bytes; prints JSON
//
// The DeviceKit tests run it under umockdev (a faked /sys and /dev/bus/usb); on a gateway it answers "which
// endpoints does this printer have, and can the service user open it?". Exit status: 0 ok, 1 failure, 2 usage.
import CounterCore
import DeviceKit
import Foundation

struct DeviceEntry: Encodable {
    let ids: String
    let vendorID: String
    let productID: String
    let portPath: String
    let deviceClass: UInt8
    let interfaceClasses: [UInt8]
}

struct PrinterEntry: Encodable {
    let ids: String
    let portPath: String
    let serialNumber: String?
    let address: String
    let interfaceNumber: UInt8
    let alternateSetting: UInt8
    let interfaceProtocol: UInt8
    let bulkOut: String
    let bulkIn: String?
}

struct Listing: Encodable {
    let libusb: String
    let devices: [DeviceEntry]
    let printers: [PrinterEntry]
}

struct SendResult: Encodable {
    let device: String
    let written: Int
    let canRead: Bool
    let read: String?
}

struct Failure: Encodable {
    let error: String
    let kind: String?
    let retryable: Bool?
}

func hexByte(_ value: UInt8) -> String { String(format: "0x%02x", value) }

func emit(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func fail(_ message: String, kind: String? = nil, retryable: Bool? = nil, status: Int32 = 1) -> Never {
    emit(Failure(error: message, kind: kind, retryable: retryable))
    FileHandle.standardError.write(Data("usb-probe: \(message)\n".utf8))
    exit(status)
}

let usage = "usage: usb-probe [list] | usb-probe send ADDRESS HEX [--read N] [--timeout-ms MS]"

func list() {
    do {
        let devices = try USBBus.devices()
        let printers = try USBPrinterDiscovery.scan()
        emit(Listing(
            libusb: USBBus.libraryVersion,
            devices: devices.map {
                DeviceEntry(ids: $0.ids, vendorID: String(format: "%04x", $0.vendorID), productID: String(format: "%04x", $0.productID),
                            portPath: $0.portPath, deviceClass: $0.deviceClass, interfaceClasses: $0.interfaceClasses)
            },
            printers: printers.map {
                PrinterEntry(ids: $0.summary.ids, portPath: $0.summary.portPath, serialNumber: $0.serialNumber,
                             address: $0.address.description, interfaceNumber: $0.printerInterface.interfaceNumber,
                             alternateSetting: $0.printerInterface.alternateSetting,
                             interfaceProtocol: $0.printerInterface.interfaceProtocol,
                             bulkOut: hexByte($0.printerInterface.bulkOut), bulkIn: $0.printerInterface.bulkIn.map(hexByte))
            }))
    } catch {
        fail("\(error)")
    }
}

func parseHex(_ text: String) -> [UInt8]? {
    let digits = Array(text.filter { !$0.isWhitespace })
    guard digits.count % 2 == 0 else { return nil }
    return stride(from: 0, to: digits.count, by: 2).map { String(digits[$0...$0 + 1]) }.reduce(into: [UInt8]?([])) { bytes, pair in
        guard let byte = UInt8(pair, radix: 16) else { bytes = nil; return }
        bytes?.append(byte)
    }
}

func send(_ arguments: [String]) async {
    guard arguments.count >= 2 else { fail(usage, status: 2) }
    let address: PrinterAddress
    do {
        guard case .printer(let parsed) = try DeviceLink(parsing: arguments[0], kind: .printer) else { fail("not a printer address", status: 2) }
        address = parsed
    } catch { fail("\(error)", status: 2) }
    guard let bytes = parseHex(arguments[1]) else { fail("'\(arguments[1])' is not hex bytes (e.g. 1b40)", status: 2) }
    var readCount: Int?
    var timeout = Duration.seconds(2)
    var rest = arguments.dropFirst(2)
    while let option = rest.popFirst() {
        switch option {
        case "--read":
            guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { fail("--read needs a byte count", status: 2) }
            readCount = value
        case "--timeout-ms":
            guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { fail("--timeout-ms needs milliseconds", status: 2) }
            timeout = .milliseconds(value)
        default:
            fail("unknown option \(option); \(usage)", status: 2)
        }
    }
    let transport = address.makeTransport(connectTimeout: timeout, writeTimeout: timeout)
    do {
        try await transport.open()
        try await transport.write(bytes)
        let canRead = await transport.canRead
        var reply: [UInt8]?
        if let readCount { reply = try await transport.read(upTo: readCount, timeout: timeout) }
        await transport.close()
        emit(SendResult(device: transport.deviceName, written: bytes.count, canRead: canRead,
                        read: reply.map { $0.map { String(format: "%02x", $0) }.joined() }))
    } catch {
        await transport.close()
        fail(error.description, kind: error.kind.rawValue, retryable: error.isRetryable)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case nil, "list":
    list()
case "send":
    await send(Array(arguments.dropFirst()))
case "-h", "--help", "help":
    print(usage)
default:
    fail(usage, status: 2)
}
