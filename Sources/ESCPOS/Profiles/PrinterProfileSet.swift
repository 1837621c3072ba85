// The loaded printer profiles, found by id or by the USB ids a plugged-in printer reports.

/// All printer profiles, each fully resolved.
public struct PrinterProfileSet: Sendable {
    /// Every profile, ordered by id.
    public let profiles: [PrinterProfile]
    private let byID: [String: PrinterProfile]
    private let byUSB: [USBProductID: PrinterProfile]

    public init(_ profiles: [PrinterProfile]) {
        self.profiles = profiles.sorted { $0.id < $1.id }
        var byID: [String: PrinterProfile] = [:]
        var byUSB: [USBProductID: PrinterProfile] = [:]
        for profile in self.profiles {
            byID[profile.id] = profile
            for usb in profile.usbIDs where byUSB[usb] == nil { byUSB[usb] = profile }
        }
        self.byID = byID
        self.byUSB = byUSB
    }

    /// The profile with this id (its file name without `.toml`), or nil.
    public subscript(id: String) -> PrinterProfile? { byID[id] }

    /// The profile whose `usb` list holds this vendor and product id, or nil (then ops name the profile in the
    /// configuration). The loader makes sure no two profiles claim the same id.
    public func match(vendor: UInt16, product: UInt16) -> PrinterProfile? {
        byUSB[USBProductID(vendor: vendor, product: product)]
    }
}
