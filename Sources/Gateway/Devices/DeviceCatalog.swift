// The device models discovery can recognise: each profile's kind and the USB ids it claims (pure values).
import BadgeReaders
import CounterConfig
import CounterCore
import ESCPOS
import Foundation

/// What discovery knows of the models in `drivers/`: which profile a USB id, an input node or a serial adapter
/// belongs to, and of which kind. Built from the printer and reader profiles; tests build it by hand.
public struct DeviceCatalog: Sendable, Hashable {
    /// How a model reaches the gateway, which decides where discovery looks for it.
    public enum Attachment: String, Sendable, Hashable {
        /// A USB device (printers): found on the USB bus by its ids.
        case usb
        /// A USB keyboard-wedge reader: found on the bus and as an input event node by its ids.
        case wedge
        /// A serial device: found as a tty whose USB adapter has one of the ids.
        case serial
    }

    public struct Model: Sendable, Hashable {
        public let profile: String
        public let kind: DeviceKind
        public let attachment: Attachment
        public let usbIDs: [USBProductID]

        public init(profile: String, kind: DeviceKind, attachment: Attachment, usbIDs: [USBProductID]) {
            self.profile = profile
            self.kind = kind
            self.attachment = attachment
            self.usbIDs = usbIDs
        }
    }

    public let models: [Model]

    public init(models: [Model]) {
        self.models = models.sorted { $0.profile < $1.profile }
    }

    /// The models claiming a USB id attached as `attachments`, in profile order. More than one means the id is
    /// ambiguous (two kinds claim it); discovery then takes none of them.
    public func models(vendor: UInt16, product: UInt16, attachments: Set<Attachment>) -> [Model] {
        let id = USBProductID(vendor: vendor, product: product)
        return models.filter { attachments.contains($0.attachment) && $0.usbIDs.contains(id) }
    }

    /// Whether `profile` is a known model of `kind`.
    public func has(profile: String, kind: DeviceKind) -> Bool {
        models.contains { $0.profile == profile && $0.kind == kind }
    }

    /// The catalog of a configuration's profile folders. A folder that cannot be read leaves its kind out and is
    /// reported in `problems` (discovery still finds the other kind).
    public static func load(_ config: HallConfiguration) -> (catalog: DeviceCatalog, problems: [String]) {
        var models: [Model] = []
        var problems: [String] = []
        do {
            for profile in try PrinterProfiles.load(directory: config.printing.profilesDirectory).profiles {
                models.append(Model(profile: profile.id, kind: .printer, attachment: .usb, usbIDs: profile.usbIDs))
            }
        } catch {
            problems.append("printer profiles in \(config.printing.profilesDirectory) cannot be read, so USB printers are not recognised: \(error)")
        }
        do {
            for profile in try ReaderProfiles.load(directory: config.badges.profilesDirectory) {
                models.append(Model(profile: profile.id, kind: .badgeReader, attachment: profile.kind == .wedge ? .wedge : .serial,
                                    usbIDs: profile.usbIDs.map { USBProductID(vendor: $0.vendor, product: $0.product) }))
            }
        } catch {
            problems.append("reader profiles in \(config.badges.profilesDirectory) cannot be read, so badge readers are not recognised: \(error)")
        }
        return (DeviceCatalog(models: models), problems)
    }
}
