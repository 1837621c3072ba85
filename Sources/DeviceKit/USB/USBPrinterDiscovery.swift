// Printers on the USB bus: which devices have a printer interface, its endpoints, and their serial numbers.
import CounterCore
import CLibUSB
import Foundation

/// A printer-class device on the USB bus, with what a transport needs to talk to it.
public struct USBPrinterDevice: Sendable, Hashable, Codable, CustomStringConvertible {
    public let summary: USBDeviceSummary
    /// The serial number from sysfs, when the device has one (many cheap printers do not, or all share one).
    public let serialNumber: String?
    public let printerInterface: USBPrinterInterface

    public var description: String {
        let serial = serialNumber.map { ", serial \($0)" } ?? ""
        return "printer usb:\(summary.portPath) (\(summary.ids)\(serial))"
    }

    /// The address that names exactly this printer: by ids and serial number when it has one, else by port.
    public var address: PrinterAddress {
        if let serialNumber {
            return .usb(USBPrinterMatch(vendorID: summary.vendorID, productID: summary.productID, serialNumber: serialNumber))
        }
        return .usb(USBPrinterMatch(portPath: summary.portPath))
    }
}

public enum USBPrinterDiscovery {
    /// The printer-class devices on the bus, by port path. Reads descriptors only; opens nothing, so it needs
    /// no permission on the devices and does not disturb a printer that is printing.
    public static func scan() throws(USBError) -> [USBPrinterDevice] {
        let context = try LibUSBContext()
        return context.devices().compactMap { device in
            guard let configuration = device.configuration, let interface = USBPrinterInterface.find(in: configuration) else { return nil }
            return USBPrinterDevice(summary: device.summary, serialNumber: device.sysfsSerialNumber, printerInterface: interface)
        }.sorted { $0.summary.portPath < $1.summary.portPath }
    }
}

/// A libusb context for one scan or one open printer; `libusb_exit` when released.
final class LibUSBContext: @unchecked Sendable {
    // @unchecked: libusb contexts may be used from any thread; the pointer itself is never changed.
    let pointer: OpaquePointer?

    init() throws(USBError) {
        var context: OpaquePointer?
        let result = libusb_init(&context)
        guard result == 0 else { throw USBError(call: "libusb_init", code: result) }
        pointer = context
    }

    deinit { libusb_exit(pointer) }

    /// The devices on the bus with their descriptors read; each holds a reference that ends with it.
    func devices() -> [LibUSBDevice] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(pointer, &list)
        guard count >= 0, let list else { return [] }
        defer { libusb_free_device_list(list, 1) }
        return (0..<Int(count)).compactMap { list[$0].flatMap { LibUSBDevice(self, $0) } }
    }
}

/// One device of a device list, referenced so that it outlives the list.
final class LibUSBDevice {
    let context: LibUSBContext
    let pointer: OpaquePointer
    let summary: USBDeviceSummary
    let configuration: USBConfigurationDescriptor?

    init?(_ context: LibUSBContext, _ device: OpaquePointer) {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        self.context = context
        pointer = libusb_ref_device(device)
        var ports = [UInt8](repeating: 0, count: 8)
        let depth = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        let bus = libusb_get_bus_number(device)
        let path = depth > 0 ? "\(bus)-" + ports.prefix(Int(depth)).map(String.init).joined(separator: ".") : "\(bus)"
        configuration = Self.readConfiguration(device)
        let classes = configuration.map { config in
            config.interfaces.filter { $0.alternateSetting == 0 }.map(\.interfaceClass)
        } ?? []
        summary = USBDeviceSummary(vendorID: descriptor.idVendor, productID: descriptor.idProduct, bus: bus,
                                   portPath: path, deviceClass: descriptor.bDeviceClass, interfaceClasses: classes)
        serialIndex = descriptor.iSerialNumber
    }

    /// The string descriptor index of the serial number, 0 when the device has none.
    let serialIndex: UInt8

    deinit { libusb_unref_device(pointer) }

    /// The serial number as sysfs shows it, without opening the device (no permission needed, no disturbance).
    var sysfsSerialNumber: String? {
        guard serialIndex != 0 else { return nil }
        let text = try? String(contentsOfFile: "/sys/bus/usb/devices/\(summary.portPath)/serial", encoding: .utf8)
        let serial = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        return serial?.isEmpty == false ? serial : nil
    }

    /// The active configuration (the first when the device is unconfigured), as plain values.
    private static func readConfiguration(_ device: OpaquePointer) -> USBConfigurationDescriptor? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        if libusb_get_active_config_descriptor(device, &config) != 0 {
            guard libusb_get_config_descriptor(device, 0, &config) == 0 else { return nil }
        }
        guard let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        var interfaces: [USBInterfaceDescriptor] = []
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) {
                let setting = interface.altsetting[a]
                let endpoints = (0..<Int(setting.bNumEndpoints)).map { e in
                    let endpoint = setting.endpoint[e]
                    return USBEndpointDescriptor(address: endpoint.bEndpointAddress, attributes: endpoint.bmAttributes,
                                                 maxPacketSize: endpoint.wMaxPacketSize)
                }
                interfaces.append(USBInterfaceDescriptor(number: setting.bInterfaceNumber, alternateSetting: setting.bAlternateSetting,
                                                         interfaceClass: setting.bInterfaceClass, interfaceSubclass: setting.bInterfaceSubClass,
                                                         interfaceProtocol: setting.bInterfaceProtocol, endpoints: endpoints))
            }
        }
        return USBConfigurationDescriptor(value: config.pointee.bConfigurationValue, interfaces: interfaces)
    }
}
