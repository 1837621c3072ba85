// Choosing a printer's interface and endpoints from its descriptors, without libusb.
@testable import DeviceKit
import Foundation
import Testing

/// The hand-written USB fixtures in `Tests/Fixtures/usb/`.
enum USBFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/usb").path
    static let bus = directory + "/receipt-printers.umockdev"

    /// The `H: descriptors=` bytes of the device at `sysfsName` (e.g. `1-1.2`) in the umockdev fixture.
    static func descriptors(of sysfsName: String) throws -> [UInt8] {
        let text = try String(contentsOfFile: bus, encoding: .utf8)
        for block in text.components(separatedBy: "\n\n") where block.hasPrefix("P: ") {
            guard block.split(separator: "\n").first?.hasSuffix("/" + sysfsName) == true else { continue }
            guard let line = block.split(separator: "\n").first(where: { $0.hasPrefix("H: descriptors=") }) else { break }
            let hex = Array(line.dropFirst("H: descriptors=".count))
            return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
        }
        throw TestFailure("no device \(sysfsName) with descriptors in \(bus)")
    }
}

@Suite("USB printer interface from descriptors")
struct USBPrinterInterfaceTests {
    func endpoint(_ address: UInt8, bulk: Bool = true) -> USBEndpointDescriptor {
        USBEndpointDescriptor(address: address, attributes: bulk ? 2 : 3, maxPacketSize: 64)
    }

    @Test("the fixture's two-interface printer: interface 1, OUT 0x03, IN 0x84, not the vendor interface's 0x01/0x81")
    func fixturePrinter() throws {
        let bytes = try USBFixtures.descriptors(of: "1-1.2")
        #expect(bytes.prefix(2) == [18, 1])
        let configuration = try USBConfigurationDescriptor(parsing: bytes.dropFirst(18))
        #expect(configuration.value == 1)
        #expect(configuration.interfaces.map(\.interfaceClass) == [0xFF, 7])
        let printer = try #require(USBPrinterInterface.find(in: configuration))
        #expect(printer.interfaceNumber == 1)
        #expect(printer.interfaceProtocol == 2)
        #expect(printer.bulkOut == 0x03)
        #expect(printer.bulkIn == 0x84)
        #expect(printer.bulkOutMaxPacketSize == 64)
    }

    @Test("the fixture's unidirectional printer has no IN endpoint; the badge reader no printer interface")
    func fixtureOthers() throws {
        let uni = try USBConfigurationDescriptor(parsing: USBFixtures.descriptors(of: "1-1.3").dropFirst(18))
        let printer = try #require(USBPrinterInterface.find(in: uni))
        #expect(printer.bulkOut == 0x02)
        #expect(printer.bulkIn == nil)
        let reader = try USBConfigurationDescriptor(parsing: USBFixtures.descriptors(of: "1-1.4").dropFirst(18))
        #expect(USBPrinterInterface.find(in: reader) == nil)
    }

    @Test("bidirectional is preferred, IPP over USB is never chosen, interrupt endpoints are ignored")
    func preference() {
        let configuration = USBConfigurationDescriptor(value: 1, interfaces: [
            USBInterfaceDescriptor(number: 0, alternateSetting: 0, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 4,
                                   endpoints: [endpoint(0x01), endpoint(0x81)]),
            USBInterfaceDescriptor(number: 1, alternateSetting: 0, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 1,
                                   endpoints: [endpoint(0x02)]),
            USBInterfaceDescriptor(number: 1, alternateSetting: 1, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 2,
                                   endpoints: [endpoint(0x83, bulk: false), endpoint(0x05), endpoint(0x86)]),
        ])
        let printer = USBPrinterInterface.find(in: configuration)
        #expect(printer?.interfaceNumber == 1)
        #expect(printer?.alternateSetting == 1)
        #expect(printer?.bulkOut == 0x05)
        #expect(printer?.bulkIn == 0x86)
    }

    @Test("a printer interface without a bulk OUT endpoint cannot be printed to")
    func needsBulkOut() {
        let configuration = USBConfigurationDescriptor(value: 1, interfaces: [
            USBInterfaceDescriptor(number: 0, alternateSetting: 0, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 2,
                                   endpoints: [endpoint(0x81)]),
        ])
        #expect(USBPrinterInterface.find(in: configuration) == nil)
    }

    @Test("class-specific descriptors are skipped; malformed ones are refused with their offset")
    func parsing() throws {
        // config(9) + interface(9) + a 5-byte class-specific descriptor + endpoint(7)
        let bytes: [UInt8] = [9, 2, 30, 0, 1, 1, 0, 0xC0, 50,
                              9, 4, 0, 0, 1, 7, 1, 1, 0,
                              5, 0x24, 1, 2, 3,
                              7, 5, 0x01, 2, 0, 2, 0]
        let configuration = try USBConfigurationDescriptor(parsing: bytes)
        #expect(configuration.interfaces.first?.endpoints == [USBEndpointDescriptor(address: 0x01, attributes: 2, maxPacketSize: 512)])
        var broken = bytes
        broken[18] = 40 // the class-specific descriptor claims to run past the end
        #expect(throws: USBDescriptorError(offset: 18, problem: "descriptor length 40 runs past the configuration's end or is too short")) {
            try USBConfigurationDescriptor(parsing: broken)
        }
        #expect(throws: USBDescriptorError.self) { try USBConfigurationDescriptor(parsing: [18, 1, 0, 2]) }
    }
}
