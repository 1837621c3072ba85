// Discovery's pure decisions on made-up scans: which profile, which stable identity, what is new, gone, proposed.
import CounterCore
import CounterStore
@testable import DeviceKit
import ESCPOS
import Foundation
import Testing
@testable import Gateway

@Suite("Device discovery: matching and identity (pure)")
struct DeviceMatchingTests {
    static let catalog = DeviceCatalog(models: [
        .init(profile: "xprinter-xp80", kind: .printer, attachment: .usb, usbIDs: [USBProductID("0416:5011")!]),
        .init(profile: "generic-usb-wedge-125khz", kind: .badgeReader, attachment: .wedge, usbIDs: [USBProductID("ffff:0035")!]),
        .init(profile: "rdm6300-serial", kind: .badgeReader, attachment: .serial, usbIDs: [USBProductID("1a86:7523")!]),
    ])

    static func usb(_ ids: String, port: String, serial: String? = nil, deviceClass: UInt8 = 0, interfaces: [UInt8] = [7]) -> USBDeviceSighting {
        let id = USBProductID(ids)!
        return USBDeviceSighting(summary: USBDeviceSummary(vendorID: id.vendor, productID: id.product, bus: 1, portPath: port,
                                                           deviceClass: deviceClass, interfaceClasses: interfaces),
                                 serialNumber: serial)
    }

    static func known(_ id: String, kind: DeviceKind = .printer, profile: String = "xprinter-xp80", serial: String? = nil, address: String,
                      origin: DeviceOrigin, key: String? = nil, presence: DevicePresence? = nil, role: String? = nil,
                      power: DevicePowerState = .unknown) -> KnownDevice {
        KnownDevice(id: id, identity: DeviceIdentity(kind: kind, profile: profile, serialNumber: serial, address: address), origin: origin,
                    identityKey: key, presence: presence, firstSeen: Date(timeIntervalSince1970: 0), lastSeen: Date(timeIntervalSince1970: 0),
                    power: power, role: role, proposedFor: nil, proposedAt: nil)
    }

    @Test("a printer with a serial number is known by profile and serial, wherever it is plugged in")
    func serialNumberIdentity() throws {
        let here = DeviceMatcher.match(HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.2", serial: "A1B2")]), catalog: Self.catalog)
        let there = DeviceMatcher.match(HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.4", serial: "A1B2")]), catalog: Self.catalog)
        let device = try #require(here.devices.first)
        #expect(device.kind == .printer && device.profile == "xprinter-xp80")
        #expect(device.identityKey == "xprinter-xp80#serial=A1B2")
        #expect(device.suggestedID == "xprinter-xp80-A1B2")
        #expect(device.address == "usb:0416:5011?serial=A1B2")
        #expect(there.devices.first?.identityKey == device.identityKey, "moving ports keeps the identity")
        #expect(there.devices.first?.portPath == "1-1.4")
    }

    @Test("without a usable serial number the port path is the identity; zero serials do not count")
    func portIdentity() throws {
        let scan = HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.3"), Self.usb("0416:5011", port: "1-1.5", serial: "000000")])
        let devices = DeviceMatcher.match(scan, catalog: Self.catalog).devices
        #expect(devices.map(\.identityKey) == ["xprinter-xp80@usb:1-1.3", "xprinter-xp80@usb:1-1.5"])
        #expect(devices.map(\.address) == ["usb:1-1.3", "usb:1-1.5"])
        #expect(devices.map(\.suggestedID) == ["xprinter-xp80-1-1.3", "xprinter-xp80-1-1.5"])
        #expect(devices.allSatisfy { $0.serialNumber == nil })
    }

    @Test("hubs and devices no profile claims are not devices of the hall")
    func unknownDevicesIgnored() {
        let scan = HardwareScan(usb: [Self.usb("1d6b:0002", port: "1", deviceClass: 9), Self.usb("05e3:0608", port: "1-1", deviceClass: 9),
                                      Self.usb("046d:c52b", port: "1-1.7", interfaces: [3])])
        let match = DeviceMatcher.match(scan, catalog: Self.catalog)
        #expect(match.devices.isEmpty)
    }

    @Test("a wedge reader seen on the bus and as an input node is one device, with its node")
    func wedgeReaderMergesBusAndNode() throws {
        let node = InputDeviceSighting(input: InputDeviceSummary(node: "/dev/input/event5", name: "SYC ID&IC USB Reader", vendorID: 0xffff, productID: 0x0035),
                                       usb: USBSysfsDevice(portPath: "1-1.5", vendorID: 0xffff, productID: 0x0035, serialNumber: nil))
        let scan = HardwareScan(usb: [Self.usb("ffff:0035", port: "1-1.5", interfaces: [3])], inputs: [node])
        let devices = DeviceMatcher.match(scan, catalog: Self.catalog).devices
        #expect(devices.count == 1)
        let reader = try #require(devices.first)
        #expect(reader.kind == .badgeReader && reader.profile == "generic-usb-wedge-125khz")
        #expect(reader.identityKey == "generic-usb-wedge-125khz@usb:1-1.5")
        #expect(reader.address == "usb:ffff:0035")
        #expect(reader.nodes == ["/dev/input/event5"])
    }

    @Test("a serial reader is recognised by its adapter's ids and reached through its stable tty link")
    func serialReaderByAdapter() throws {
        let port = SerialPortSighting(path: "/dev/ttyUSB0", stablePath: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0-port0",
                                      usb: USBSysfsDevice(portPath: "1-3", vendorID: 0x1a86, productID: 0x7523, serialNumber: nil))
        let board = SerialPortSighting(path: "/dev/ttyS0", stablePath: nil, usb: nil)
        let scan = HardwareScan(usb: [Self.usb("1a86:7523", port: "1-3", interfaces: [255])], serialPorts: [port, board])
        let match = DeviceMatcher.match(scan, catalog: Self.catalog)
        #expect(match.devices.count == 1, "the adapter on the bus and its tty are one reader")
        let reader = try #require(match.devices.first)
        #expect(reader.profile == "rdm6300-serial")
        #expect(reader.address == "serial:/dev/serial/by-path/pci-0000:00:14.0-usb-0:3:1.0-port0")
        #expect(reader.identityKey == "rdm6300-serial@usb:1-3")
        #expect(match.unmatched.map(\.description).contains { $0.contains("/dev/ttyS0") }, "a board port is listed as not recognised")
    }

    @Test("a USB id claimed by two profiles of different kinds is taken by neither, and said so")
    func ambiguousID() {
        let catalog = DeviceCatalog(models: Self.catalog.models + [.init(profile: "odd-reader", kind: .badgeReader, attachment: .wedge, usbIDs: [USBProductID("0416:5011")!])])
        let match = DeviceMatcher.match(HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.2", serial: "A1B2")]), catalog: catalog)
        #expect(match.devices.isEmpty)
        #expect(match.unmatched.first?.description.contains("odd-reader") == true)
    }

    @Test("reconcile: new devices appear, known ones are seen at their new address, missing ones go absent, configured ones are no candidates")
    func reconcile() throws {
        let found = DeviceMatcher.match(HardwareScan(usb: [
            Self.usb("0416:5011", port: "1-1.2", serial: "A1B2"),   // configured by serial
            Self.usb("0416:5011", port: "1-1.4", serial: "E5F6"),   // known candidate, moved port
            Self.usb("0416:5011", port: "1-1.6", serial: "NEW1"),   // new
        ]), catalog: Self.catalog).devices
        let known = [
            Self.known("p1", address: "usb:0416:5011?serial=A1B2", origin: .config, role: "window-1-printer"),
            Self.known("xprinter-xp80-E5F6", serial: "E5F6", address: "usb:0416:5011?serial=E5F6", origin: .discovered,
                       key: "xprinter-xp80#serial=E5F6", presence: .absent),
            Self.known("xprinter-xp80-1-1.9", address: "usb:1-1.9", origin: .discovered, key: "xprinter-xp80@usb:1-1.9", presence: .present),
        ]
        let update = DeviceMatcher.reconcile(found, known: known)
        #expect(update.appeared.map(\.identityKey) == ["xprinter-xp80#serial=NEW1"])
        #expect(update.appeared.first?.suggestedID == "xprinter-xp80-NEW1")
        #expect(update.seen == [DiscoveryUpdate.Seen(id: "xprinter-xp80-E5F6", address: "usb:0416:5011?serial=E5F6")])
        #expect(update.missing == ["xprinter-xp80-1-1.9"])
    }

    @Test("an ids-only configured address claims one of two alike printers (the first port), the other is a candidate")
    func idsOnlyAddressClaimsOne() {
        let found = DeviceMatcher.match(HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.3"), Self.usb("0416:5011", port: "1-1.2")]),
                                        catalog: Self.catalog).devices
        let update = DeviceMatcher.reconcile(found, known: [Self.known("p1", address: "usb:0416:5011", origin: .config)])
        #expect(update.appeared.map(\.identityKey) == ["xprinter-xp80@usb:1-1.3"])
    }

    @Test("a printer configured by its device node is recognised through the node's USB port")
    func printerNode() {
        let found = DeviceMatcher.match(HardwareScan(usb: [Self.usb("0416:5011", port: "1-1.2")]), catalog: Self.catalog).devices
        let update = DeviceMatcher.reconcile(found, known: [Self.known("p1", address: "/dev/usb/lp0", origin: .config)],
                                             printerNodes: ["/dev/usb/lp0": "1-1.2"])
        #expect(update.appeared.isEmpty)
    }

    @Test("a failed role gets a proposal only when exactly one present candidate of its kind and a known profile fits, and it fits no other failed role")
    func proposals() {
        func binding(_ role: String, kind: DeviceKind = .printer, device: String, power: DevicePowerState) -> RoleBinding {
            RoleBinding(role: role, kind: kind, windows: [1], deviceID: device, device: nil, power: power, boundAt: nil, boundBy: "config")
        }
        let candidate = Self.known("xprinter-xp80-NEW1", serial: "NEW1", address: "usb:0416:5011?serial=NEW1", origin: .discovered,
                                   key: "k1", presence: .present)
        let reader = Self.known("generic-usb-wedge-125khz-1-1.5", kind: .badgeReader, profile: "generic-usb-wedge-125khz", address: "usb:ffff:0035",
                                origin: .discovered, key: "k2", presence: .present)
        let unplugged = Self.known("xprinter-xp80-OLD", address: "usb:1-1.8", origin: .discovered, key: "k3", presence: .absent)
        let oldConfigured = Self.known("p0", address: "tcp://10.0.0.5:9100", origin: .config)  // replaced earlier: unbound, not a candidate

        // One printer role offline, one printer candidate: proposed.
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-printer", device: "p1", power: .offline)],
                                        devices: [candidate, reader, unplugged, oldConfigured], catalog: Self.catalog)
                == ["window-1-printer": "xprinter-xp80-NEW1"])
        // The role is online: nothing.
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-printer", device: "p1", power: .online)],
                                        devices: [candidate], catalog: Self.catalog).isEmpty)
        // Two candidates fit: ops choose, nothing is proposed.
        let second = Self.known("xprinter-xp80-NEW2", serial: "NEW2", address: "usb:0416:5011?serial=NEW2", origin: .discovered, key: "k4", presence: .present)
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-printer", device: "p1", power: .offline)],
                                        devices: [candidate, second], catalog: Self.catalog).isEmpty)
        // One candidate, two failed printer roles: it would fit both, so neither gets it.
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-printer", device: "p1", power: .offline),
                                                   binding("window-2-printer", device: "p2", power: .offline)],
                                        devices: [candidate], catalog: Self.catalog).isEmpty)
        // A profile the catalog does not know is not suitable.
        let strange = Self.known("odd", profile: "no-such-profile", address: "usb:1-1.9", origin: .discovered, key: "k5", presence: .present)
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-printer", device: "p1", power: .offline)],
                                        devices: [strange], catalog: Self.catalog).isEmpty)
        // A failed reader role gets the reader, not the printer.
        #expect(DeviceMatcher.proposals(bindings: [binding("window-1-reader", kind: .badgeReader, device: "r1", power: .offline)],
                                        devices: [candidate, reader], catalog: Self.catalog)
                == ["window-1-reader": "generic-usb-wedge-125khz-1-1.5"])
    }
}
