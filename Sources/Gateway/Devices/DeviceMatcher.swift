// Discovery's decisions, pure: which profile a sighting is, its stable identity, what is new, gone or proposed.
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation

/// A device a scan recognised as one of the catalog's models.
public struct DiscoveredDevice: Sendable, Hashable, Codable {
    /// Profile + USB serial number where the device has one (`xprinter-xp80#serial=A1B2`), else profile + where it
    /// is attached (`xprinter-xp80@usb:1-1.3`, `rdm6300-serial@/dev/ttyS0`). The same device plugged into another
    /// port keeps its identity when it has a serial number; one without keeps it only in the same port.
    public let identityKey: String
    /// The id it gets as a candidate: `xprinter-xp80-A1B2`, `xprinter-xp80-1-1.3`.
    public let suggestedID: String
    public let kind: DeviceKind
    public let profile: String
    public let serialNumber: String?
    /// The USB port (`1-1.3`), when on USB.
    public let portPath: String?
    /// `vvvv:pppp`, when on USB.
    public let usbIDs: String?
    /// Where the gateway reaches it, in the configuration's address form.
    public let address: String
    /// The nodes it showed up as (input event nodes, a tty), for ops.
    public let nodes: [String]

    public var identity: DeviceIdentity { DeviceIdentity(kind: kind, profile: profile, serialNumber: serialNumber, address: address) }
}

/// Something attached that no profile claims (or that two claim), shown by `countergate devices scan`.
public struct UnmatchedSighting: Sendable, Hashable, Codable, CustomStringConvertible {
    public let description: String
}

public struct DeviceMatch: Sendable, Hashable, Codable {
    public var devices: [DiscoveredDevice] = []
    public var unmatched: [UnmatchedSighting] = []
}

/// Pure discovery logic: sightings → recognised devices → what the store must change → proposals for failed roles.
public enum DeviceMatcher {
    /// Recognises the devices of a scan by the catalog's USB ids. A wedge reader seen on the bus and as an input
    /// node, or a serial reader seen as its USB adapter and its tty, is one device (same profile and serial or port).
    public static func match(_ scan: HardwareScan, catalog: DeviceCatalog) -> DeviceMatch {
        var result = DeviceMatch()
        var byKey: [String: DiscoveredDevice] = [:]
        var order: [String] = []
        func add(_ device: DiscoveredDevice) {
            if let existing = byKey[device.identityKey] {
                // Keep the first address (the bus's), gather the nodes.
                byKey[device.identityKey] = DiscoveredDevice(
                    identityKey: existing.identityKey, suggestedID: existing.suggestedID, kind: existing.kind, profile: existing.profile,
                    serialNumber: existing.serialNumber ?? device.serialNumber, portPath: existing.portPath ?? device.portPath,
                    usbIDs: existing.usbIDs ?? device.usbIDs, address: preferredAddress(existing, device),
                    nodes: Array(Set(existing.nodes + device.nodes)).sorted())
            } else {
                byKey[device.identityKey] = device
                order.append(device.identityKey)
            }
        }

        for sighting in scan.usb {
            let summary = sighting.summary
            // Hubs and root hubs are never devices of the hall.
            if summary.deviceClass == 9 { continue }
            let models = catalog.models(vendor: summary.vendorID, product: summary.productID, attachments: [.usb, .wedge, .serial])
            guard let model = single(models, what: "USB device \(summary.ids) at usb:\(summary.portPath)", into: &result.unmatched) else { continue }
            let serial = usable(sighting.serialNumber)
            let address: String
            switch model.attachment {
            case .usb:
                // As USBPrinterDevice names it: by ids and serial when there is one, else by port.
                address = serial.map { "usb:\(summary.ids)?serial=\($0)" } ?? "usb:\(summary.portPath)"
            case .wedge:
                address = "usb:\(summary.ids)"
            case .serial:
                // The adapter itself is not where the reader is read; its tty is (matched below).
                continue
            }
            add(device(model, serial: serial, port: summary.portPath, ids: summary.ids, address: address, nodes: []))
        }

        for input in scan.inputs {
            guard let vendor = input.input.vendorID, let product = input.input.productID else { continue }
            let models = catalog.models(vendor: vendor, product: product, attachments: [.wedge])
            let ids = USBProductID(vendor: vendor, product: product).description
            guard let model = single(models, what: "input node \(input.input.node) (\(ids))", into: &result.unmatched) else { continue }
            add(device(model, serial: usable(input.usb?.serialNumber), port: input.usb?.portPath, ids: ids,
                       address: "usb:\(ids)", nodes: [input.input.node]))
        }

        for port in scan.serialPorts {
            let where_ = port.stablePath ?? port.path
            guard let usb = port.usb, let vendor = usb.vendorID, let product = usb.productID else {
                result.unmatched.append(UnmatchedSighting(description: "serial port \(where_): no USB adapter ids to recognise it by; "
                                                          + "name it by its address (serial:\(where_)) with --profile when replacing"))
                continue
            }
            let ids = USBProductID(vendor: vendor, product: product).description
            let models = catalog.models(vendor: vendor, product: product, attachments: [.serial])
            guard let model = single(models, what: "serial port \(where_) (adapter \(ids))", into: &result.unmatched) else { continue }
            add(device(model, serial: usable(usb.serialNumber), port: usb.portPath, ids: ids, address: "serial:\(where_)", nodes: [port.path]))
        }
        result.devices = order.compactMap { byKey[$0] }
        return result
    }

    /// What the store must change after a scan, given the devices it knows:
    /// - a recognised device whose identity is stored is seen again (at its current address);
    /// - one that is a configured or ops-named device (same address, or same profile and serial) is left alone:
    ///   it is no candidate;
    /// - any other is a new candidate;
    /// - a stored discovered device the scan did not recognise is missing.
    public static func reconcile(_ found: [DiscoveredDevice], known: [KnownDevice], printerNodes: [String: String] = [:]) -> DiscoveryUpdate {
        var update = DiscoveryUpdate()
        let byKey = Dictionary(known.compactMap { d in d.identityKey.map { ($0, d) } }, uniquingKeysWith: { first, _ in first })
        // Each configured device claims the first recognised device its address means (by port order, as the
        // transports pick), so two printers of one model behind an ids-only address leave one candidate.
        var claimed: Set<String> = []
        let ordered = found.sorted { ($0.portPath ?? $0.address) < ($1.portPath ?? $1.address) }
        for device in known where device.identityKey == nil {
            if let match = ordered.first(where: { !claimed.contains($0.identityKey) && means(device.identity, $0, printerNodes: printerNodes) }) {
                claimed.insert(match.identityKey)
            }
        }
        for device in found {
            if let stored = byKey[device.identityKey] {
                if stored.origin != .config { update.seen.append(.init(id: stored.id, address: device.address)) }
            } else if !claimed.contains(device.identityKey) {
                update.appeared.append(DeviceSighting(suggestedID: device.suggestedID, identityKey: device.identityKey, identity: device.identity))
            }
        }
        let foundKeys = Set(found.map(\.identityKey))
        for device in known where device.origin == .discovered && device.presence != .absent {
            if let key = device.identityKey, !foundKeys.contains(key) { update.missing.append(device.id) }
        }
        return update
    }

    /// The candidates the gateway proposes: for each role whose device is offline, the one present candidate of the
    /// role's kind with a known profile of that kind, when there is exactly one and it suits no other failed role.
    /// - Returns: role → candidate id.
    public static func proposals(bindings: [RoleBinding], devices: [KnownDevice], catalog: DeviceCatalog) -> [String: String] {
        let failed = bindings.filter { $0.deviceID != nil && $0.power == .offline }
        var suitable: [String: [String]] = [:]
        var roles: [String: [String]] = [:]
        for binding in failed {
            let fits = devices.filter {
                $0.isCandidate && $0.presence == .present && $0.identity.kind == binding.kind && catalog.has(profile: $0.identity.profile, kind: binding.kind)
            }.map(\.id)
            suitable[binding.role] = fits
            for id in fits { roles[id, default: []].append(binding.role) }
        }
        var proposals: [String: String] = [:]
        for (role, fits) in suitable where fits.count == 1 {
            if roles[fits[0]]?.count == 1 { proposals[role] = fits[0] }
        }
        return proposals
    }

    // MARK: - Helpers

    /// Whether a stored identity (configured or named by ops) is the recognised device.
    static func means(_ identity: DeviceIdentity, _ device: DiscoveredDevice, printerNodes: [String: String]) -> Bool {
        guard identity.kind == device.kind else { return false }
        if let serial = identity.serialNumber, let found = device.serialNumber {
            return serial == found && identity.profile == device.profile
        }
        if identity.address.trimmingCharacters(in: .whitespaces) == device.address { return true }
        guard let link = identity.link else { return false }
        let ids = device.usbIDs.flatMap { ids -> (vendor: UInt16, product: UInt16)? in
            guard let vendor = UInt16(ids.prefix(4), radix: 16), let product = UInt16(ids.suffix(4), radix: 16) else { return nil }
            return (vendor, product)
        }
        switch link {
        case .printer(.usb(let match)):
            guard let port = device.portPath, let ids else { return false }
            return match.matches(vendorID: ids.vendor, productID: ids.product, portPath: port, serialNumber: device.serialNumber)
        case .reader(.usb(let vendor?, let product?, _)):
            // `usb:vvvv:pppp` means any reader with those ids.
            guard device.portPath != nil, let ids else { return false }
            return ids.vendor == vendor && ids.product == product
        case .printer(let address) where address.isUSBKernelNode:
            guard let path = link.devicePath, let port = printerNodes[path] else { return false }
            return port == device.portPath
        default:
            guard let path = link.devicePath else { return false }
            return device.nodes.contains(path) || device.identity.link?.devicePath == path
        }
    }

    private static func device(_ model: DeviceCatalog.Model, serial: String?, port: String?, ids: String?, address: String, nodes: [String]) -> DiscoveredDevice {
        let place = port.map { "usb:\($0)" } ?? nodes.first ?? address
        let key = serial.map { "\(model.profile)#serial=\($0)" } ?? "\(model.profile)@\(place)"
        let suffix = serial ?? port ?? ((nodes.first ?? address) as NSString).lastPathComponent
        return DiscoveredDevice(identityKey: key, suggestedID: idSafe("\(model.profile)-\(suffix)"), kind: model.kind, profile: model.profile,
                                serialNumber: serial, portPath: port, usbIDs: ids, address: address, nodes: nodes)
    }

    private static func single(_ models: [DeviceCatalog.Model], what: String, into unmatched: inout [UnmatchedSighting]) -> DeviceCatalog.Model? {
        if models.count == 1 { return models[0] }
        if models.count > 1 {
            unmatched.append(UnmatchedSighting(description: "\(what): claimed by several profiles (" + models.map(\.profile).joined(separator: ", ")
                                               + "); give the USB id to one profile only"))
        } else if what.hasPrefix("serial port") {
            unmatched.append(UnmatchedSighting(description: "\(what): no reader profile lists the adapter's USB id; name it by its address with --profile when replacing"))
        }
        return nil
    }

    /// A serial number worth telling devices apart by: not empty, not all zeros (cheap devices report 0000…).
    static func usable(_ serial: String?) -> String? {
        guard let serial = serial?.trimmingCharacters(in: .whitespaces), !serial.isEmpty, serial.contains(where: { $0 != "0" }) else { return nil }
        return serial
    }

    /// Letters, digits, `-`, `_` and `.`; anything else becomes `-`.
    static func idSafe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
    }

    private static func preferredAddress(_ a: DiscoveredDevice, _ b: DiscoveredDevice) -> String {
        // A serial reader is read through its tty, never its adapter's bus address.
        if a.kind == .badgeReader, case .reader(.serial)? = b.identity.link { return b.address }
        return a.address
    }
}
