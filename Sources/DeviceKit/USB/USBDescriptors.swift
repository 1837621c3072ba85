// USB configuration descriptors as plain values, and the choice of a printer's interface and endpoints from them.

/// One endpoint of an interface, as its descriptor states it.
public struct USBEndpointDescriptor: Sendable, Hashable, Codable {
    /// The endpoint address: bit 7 is the direction (set = IN, device to host), bits 0-3 the number.
    public let address: UInt8
    /// bmAttributes: bits 0-1 are the transfer type (2 = bulk).
    public let attributes: UInt8
    public let maxPacketSize: UInt16

    public init(address: UInt8, attributes: UInt8, maxPacketSize: UInt16) {
        self.address = address
        self.attributes = attributes
        self.maxPacketSize = maxPacketSize
    }

    /// Device to host.
    public var isIn: Bool { address & 0x80 != 0 }
    public var isBulk: Bool { attributes & 0x03 == 2 }
}

/// One alternate setting of one interface.
public struct USBInterfaceDescriptor: Sendable, Hashable, Codable {
    public let number: UInt8
    public let alternateSetting: UInt8
    /// bInterfaceClass: 7 is printer, 3 HID, 0xff vendor-specific.
    public let interfaceClass: UInt8
    public let interfaceSubclass: UInt8
    /// For printers (class 7, subclass 1): 1 unidirectional, 2 bidirectional, 3 IEEE 1284.4, 4 IPP over USB.
    public let interfaceProtocol: UInt8
    public let endpoints: [USBEndpointDescriptor]

    public init(number: UInt8, alternateSetting: UInt8, interfaceClass: UInt8, interfaceSubclass: UInt8,
                interfaceProtocol: UInt8, endpoints: [USBEndpointDescriptor]) {
        self.number = number
        self.alternateSetting = alternateSetting
        self.interfaceClass = interfaceClass
        self.interfaceSubclass = interfaceSubclass
        self.interfaceProtocol = interfaceProtocol
        self.endpoints = endpoints
    }
}

/// A configuration: its value and every alternate setting of every interface, in descriptor order.
public struct USBConfigurationDescriptor: Sendable, Hashable, Codable {
    public let value: UInt8
    public let interfaces: [USBInterfaceDescriptor]

    public init(value: UInt8, interfaces: [USBInterfaceDescriptor]) {
        self.value = value
        self.interfaces = interfaces
    }

    /// Parses a configuration descriptor with the interface and endpoint descriptors that follow it, as the
    /// device sends them (and as sysfs's `descriptors` file holds them after the 18-byte device descriptor).
    /// Class-specific descriptors in between are skipped.
    /// - Parameter bytes: the configuration descriptor, `wTotalLength` bytes long (longer input is cut there).
    /// - Throws: ``USBDescriptorError`` naming the offset of the first malformed descriptor.
    public init(parsing bytes: some Collection<UInt8>) throws(USBDescriptorError) {
        let data = Array(bytes)
        guard data.count >= 9, data[0] >= 9, data[1] == 2 else {
            throw USBDescriptorError(offset: 0, problem: "does not start with a configuration descriptor (9 bytes, type 2)")
        }
        let total = Int(data[2]) | Int(data[3]) << 8
        guard total >= 9, total <= data.count else {
            throw USBDescriptorError(offset: 2, problem: "wTotalLength \(total) but \(data.count) bytes are there")
        }
        var interfaces: [USBInterfaceDescriptor] = []
        var current: (header: [UInt8], endpoints: [USBEndpointDescriptor])?
        func finish() {
            guard let (h, endpoints) = current else { return }
            interfaces.append(USBInterfaceDescriptor(number: h[2], alternateSetting: h[3], interfaceClass: h[5],
                                                     interfaceSubclass: h[6], interfaceProtocol: h[7], endpoints: endpoints))
            current = nil
        }
        var offset = Int(data[0])
        while offset < total {
            let length = Int(data[offset])
            guard length >= 2, offset + length <= total else {
                throw USBDescriptorError(offset: offset, problem: "descriptor length \(length) runs past the configuration's end or is too short")
            }
            let type = data[offset + 1]
            let descriptor = Array(data[offset..<offset + length])
            switch type {
            case 4: // interface
                guard length >= 9 else { throw USBDescriptorError(offset: offset, problem: "interface descriptor shorter than 9 bytes") }
                finish()
                current = (descriptor, [])
            case 5: // endpoint
                guard length >= 7 else { throw USBDescriptorError(offset: offset, problem: "endpoint descriptor shorter than 7 bytes") }
                guard current != nil else { throw USBDescriptorError(offset: offset, problem: "endpoint descriptor before any interface") }
                current!.endpoints.append(USBEndpointDescriptor(address: descriptor[2], attributes: descriptor[3],
                                                                maxPacketSize: UInt16(descriptor[4]) | UInt16(descriptor[5]) << 8))
            default:
                break // class-specific or interface association descriptors: nothing a printer transport needs
            }
            offset += length
        }
        finish()
        self.init(value: data[5], interfaces: interfaces)
    }
}

/// Descriptor bytes that do not parse.
public struct USBDescriptorError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let problem: String
    public var description: String { "USB configuration descriptor, byte \(offset): \(problem)" }
}

/// The interface a printer transport talks to, and its endpoints, as read from the descriptors.
///
/// Endpoint addresses differ between models (0x01/0x82, 0x02/0x81, 0x03/0x84 all occur), so they are never assumed.
public struct USBPrinterInterface: Sendable, Hashable, Codable {
    public let interfaceNumber: UInt8
    public let alternateSetting: UInt8
    /// 1 unidirectional, 2 bidirectional (status can be read), 3 IEEE 1284.4.
    public let interfaceProtocol: UInt8
    /// Where print data goes.
    public let bulkOut: UInt8
    public let bulkOutMaxPacketSize: UInt16
    /// Where status replies come from; nil for a unidirectional printer.
    public let bulkIn: UInt8?
    public let bulkInMaxPacketSize: UInt16?

    /// Picks the printer interface of a configuration: class 7, subclass 1, with a bulk OUT endpoint.
    /// Bidirectional (protocol 2) is preferred to unidirectional (1), then IEEE 1284.4 (3); IPP over USB
    /// (protocol 4) is never chosen, since it speaks HTTP rather than the printer's command language.
    /// - Parameter configuration: the device's active configuration.
    /// - Returns: the interface and its first bulk OUT and bulk IN endpoints, or nil when there is none.
    public static func find(in configuration: USBConfigurationDescriptor) -> USBPrinterInterface? {
        let preference: [UInt8: Int] = [2: 0, 1: 1, 3: 2]
        let candidates = configuration.interfaces.filter { setting in
            setting.interfaceClass == 7 && setting.interfaceSubclass == 1 && preference[setting.interfaceProtocol] != nil
                && setting.endpoints.contains { $0.isBulk && !$0.isIn }
        }
        // Stable: among equally good settings the first in descriptor order wins.
        guard let best = candidates.enumerated().min(by: { a, b in
            (preference[a.element.interfaceProtocol]!, a.offset) < (preference[b.element.interfaceProtocol]!, b.offset)
        })?.element else { return nil }
        let out = best.endpoints.first { $0.isBulk && !$0.isIn }!
        // A unidirectional interface has no business reading even if it lists an IN endpoint.
        let input = best.interfaceProtocol == 1 ? nil : best.endpoints.first { $0.isBulk && $0.isIn }
        return USBPrinterInterface(interfaceNumber: best.number, alternateSetting: best.alternateSetting,
                                   interfaceProtocol: best.interfaceProtocol, bulkOut: out.address,
                                   bulkOutMaxPacketSize: out.maxPacketSize, bulkIn: input?.address,
                                   bulkInMaxPacketSize: input?.maxPacketSize)
    }
}
