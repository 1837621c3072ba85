// A reader profile as the udev rules generator sees it (drivers/readers -> udev/70-countergate.rules).
import DeviceKit

extension ReaderProfile {
    /// The profile's id, kind and USB ids, for ``UdevRules/render(_:)``: a wedge reader's ids name its input device,
    /// a serial reader's ids name its USB serial adapter.
    public var udevProfile: UdevRules.Profile {
        UdevRules.Profile(id: id, kind: kind == .wedge ? .wedgeReader : .serialReader,
                          usbIDs: usbIDs.map { (vendor: $0.vendor, product: $0.product) })
    }
}
