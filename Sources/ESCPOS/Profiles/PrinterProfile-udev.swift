// A printer profile as the udev rules generator sees it (drivers/printers -> udev/70-countergate.rules).
import DeviceKit

extension PrinterProfile {
    /// The profile's id and USB ids, for ``UdevRules/render(_:)``.
    public var udevProfile: UdevRules.Profile {
        UdevRules.Profile(id: id, kind: .printer, usbIDs: usbIDs.map { (vendor: $0.vendor, product: $0.product) })
    }
}
