// One look at what is attached to this machine: USB devices, input event nodes, serial ports. Injectable for tests.
import DeviceKit
import Foundation
import NIOPosix

/// What one scan saw, before any matching.
public struct HardwareScan: Sendable, Hashable, Codable {
    public var usb: [USBDeviceSighting]
    public var inputs: [InputDeviceSighting]
    public var serialPorts: [SerialPortSighting]
    /// Printer device nodes (`/dev/usb/lp0`) by the USB port of the printer behind them, so a printer configured by
    /// its node is known when it is seen on the bus.
    public var printerNodes: [String: String]
    /// What could not be looked at (libusb unavailable, say), for the log and `devices scan`.
    public var problems: [String]

    public init(usb: [USBDeviceSighting] = [], inputs: [InputDeviceSighting] = [], serialPorts: [SerialPortSighting] = [],
                printerNodes: [String: String] = [:], problems: [String] = []) {
        self.usb = usb
        self.inputs = inputs
        self.serialPorts = serialPorts
        self.printerNodes = printerNodes
        self.problems = problems
    }
}

/// Looks at the hardware. The gateway uses ``SystemHardwareScanner``; tests pass a fake.
public protocol HardwareScanner: Sendable {
    func scan() async -> HardwareScan
}

/// The real scan: libusb, `/sys/class/input`, `/dev` ttys, `/sys/class/usbmisc` printer nodes. It reads
/// descriptors and sysfs only, on a thread of NIO's pool so the gateway's tasks never block on it.
public struct SystemHardwareScanner: HardwareScanner {
    public let sysfsRoot: String
    public let devRoot: String

    public init(sysfsRoot: String = "/sys", devRoot: String = "/dev") {
        self.sysfsRoot = sysfsRoot
        self.devRoot = devRoot
    }

    public func scan() async -> HardwareScan {
        let (sysfs, dev) = (sysfsRoot, devRoot)
        do {
            return try await NIOThreadPool.singleton.runIfActive { Self.scanNow(sysfsRoot: sysfs, devRoot: dev) }
        } catch {
            return HardwareScan(problems: ["the scan could not run: \(error)"])
        }
    }

    /// The scan on the calling thread (the CLI uses it directly).
    public static func scanNow(sysfsRoot: String = "/sys", devRoot: String = "/dev") -> HardwareScan {
        var scan = HardwareScan()
        do { scan.usb = try USBBus.sightings() } catch {
            scan.problems.append("USB devices cannot be listed: \(error)")
        }
        scan.inputs = InputDevices.sightings(sysfsRoot: sysfsRoot)
        scan.serialPorts = SerialPorts.sightings(devRoot: devRoot, sysfsRoot: sysfsRoot)
        let usbmisc = sysfsRoot + "/class/usbmisc"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: usbmisc)) ?? []).sorted() where name.hasPrefix("lp") {
            if let usb = USBSysfs.device(of: usbmisc + "/" + name) { scan.printerNodes[devRoot + "/usb/" + name] = usb.portPath }
        }
        return scan
    }
}
