// Input event nodes with the USB device they belong to, so a wedge reader seen as a node and on the bus is one device.
import Foundation

/// An input event node and the USB device it is on (nil when sysfs does not say).
public struct InputDeviceSighting: Sendable, Hashable, Codable {
    public let input: InputDeviceSummary
    public let usb: USBSysfsDevice?

    public init(input: InputDeviceSummary, usb: USBSysfsDevice?) {
        self.input = input
        self.usb = usb
    }
}

extension InputDevices {
    /// ``scan(sysfsRoot:)`` with each node's USB device.
    public static func sightings(sysfsRoot: String = "/sys") -> [InputDeviceSighting] {
        scan(sysfsRoot: sysfsRoot).map { input in
            let name = (input.node as NSString).lastPathComponent
            return InputDeviceSighting(input: input, usb: USBSysfs.device(of: sysfsRoot + "/class/input/" + name))
        }
    }
}
