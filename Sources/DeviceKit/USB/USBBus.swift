// What is on the USB bus, read through libusb: the ids and classes discovery and `doctor` need.
import CLibUSB
import Foundation

/// A device seen on the USB bus.
public struct USBDeviceSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    public let vendorID: UInt16
    public let productID: UInt16
    public let bus: UInt8
    /// The port path from the root hub (`1-1.2` is bus 1, port 1, then port 2).
    public let portPath: String
    public let deviceClass: UInt8
    /// The classes of the first configuration's interfaces (7 is printer, 3 is HID).
    public let interfaceClasses: [UInt8]

    public var ids: String { String(format: "%04x:%04x", vendorID, productID) }
    public var description: String { "\(ids) at usb:\(portPath)" + (interfaceClasses.contains(7) ? " (printer class)" : "") }
}

/// A libusb failure, with what to do about it.
public struct USBError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let code: Int32

    public var description: String {
        let name = String(cString: libusb_error_name(code))
        var hint = ""
        if code == LIBUSB_ERROR_ACCESS.rawValue { hint = ": the service user may not open USB devices; install udev/70-countergate.rules and add the user to the countergate group" }
        if code == LIBUSB_ERROR_NO_DEVICE.rawValue { hint = ": the device was unplugged" }
        return "\(call) failed with \(name)\(hint)"
    }
}

public enum USBBus {
    /// The libusb version the gateway runs with.
    public static var libraryVersion: String {
        guard let v = libusb_get_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.micro)"
    }

    /// Lists the devices on the bus. An empty list is normal on a machine with no USB bus (a container).
    public static func devices() throws(USBError) -> [USBDeviceSummary] {
        var context: OpaquePointer?
        let initResult = libusb_init(&context)
        guard initResult == 0 else { throw USBError(call: "libusb_init", code: initResult) }
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw USBError(call: "libusb_get_device_list", code: Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        var result: [USBDeviceSummary] = []
        for i in 0..<Int(count) {
            guard let device = list[i] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0 else { continue }
            var ports = [UInt8](repeating: 0, count: 8)
            let depth = libusb_get_port_numbers(device, &ports, Int32(ports.count))
            let bus = libusb_get_bus_number(device)
            let path = depth > 0 ? "\(bus)-" + ports.prefix(Int(depth)).map(String.init).joined(separator: ".") : "\(bus)"
            var classes: [UInt8] = []
            var config: UnsafeMutablePointer<libusb_config_descriptor>?
            if libusb_get_config_descriptor(device, 0, &config) == 0, let config {
                defer { libusb_free_config_descriptor(config) }
                for j in 0..<Int(config.pointee.bNumInterfaces) {
                    let interface = config.pointee.interface[j]
                    if interface.num_altsetting > 0 { classes.append(interface.altsetting[0].bInterfaceClass) }
                }
            }
            result.append(USBDeviceSummary(vendorID: descriptor.idVendor, productID: descriptor.idProduct, bus: bus,
                                           portPath: path, deviceClass: descriptor.bDeviceClass, interfaceClasses: classes))
        }
        return result.sorted { $0.portPath < $1.portPath }
    }
}
