// The USB bus with each device's serial number: what discovery needs to tell two devices of one model apart.
import Foundation

/// A device on the USB bus and its serial number (from sysfs; nil when it has none).
public struct USBDeviceSighting: Sendable, Hashable, Codable {
    public let summary: USBDeviceSummary
    public let serialNumber: String?

    public init(summary: USBDeviceSummary, serialNumber: String?) {
        self.summary = summary
        self.serialNumber = serialNumber
    }
}

extension USBBus {
    /// The devices on the bus with their serial numbers. Reads descriptors and sysfs only; opens nothing, so it
    /// needs no permission on the devices and does not disturb one that is printing. An empty list is normal on a
    /// machine with no USB bus (a container).
    public static func sightings() throws(USBError) -> [USBDeviceSighting] {
        let context = try LibUSBContext()
        return context.devices().map { USBDeviceSighting(summary: $0.summary, serialNumber: $0.sysfsSerialNumber) }
            .sorted { $0.summary.portPath < $1.summary.portPath }
    }
}
