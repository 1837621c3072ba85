// Serial ports with what makes them recognisable again: the USB adapter behind them and a stable /dev/serial link.
import Foundation

/// A serial port as discovery sees it.
public struct SerialPortSighting: Sendable, Hashable, Codable {
    /// `/dev/ttyUSB0`.
    public let path: String
    /// A link that names the same port across re-plugging: `/dev/serial/by-id/…` (adapter with a serial number) or
    /// `/dev/serial/by-path/…` (the USB port); nil when udev made none.
    public let stablePath: String?
    /// The USB adapter the port is on; nil for a board's own port.
    public let usb: USBSysfsDevice?

    public init(path: String, stablePath: String?, usb: USBSysfsDevice?) {
        self.path = path
        self.stablePath = stablePath
        self.usb = usb
    }
}

extension SerialPorts {
    /// The ports of ``scan(devRoot:)`` with their USB adapters (from `<sysfsRoot>/class/tty`) and stable links.
    public static func sightings(devRoot: String = "/dev", sysfsRoot: String = "/sys") -> [SerialPortSighting] {
        let byID = links(in: devRoot + "/serial/by-id")
        let byPath = links(in: devRoot + "/serial/by-path")
        return scan(devRoot: devRoot).map { path in
            let name = (path as NSString).lastPathComponent
            return SerialPortSighting(path: path, stablePath: byID[name] ?? byPath[name],
                                      usb: USBSysfs.device(of: sysfsRoot + "/class/tty/" + name))
        }
    }

    /// The links in `directory`, by the name of the node they point at.
    static func links(in directory: String) -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var result: [String: String] = [:]
        for name in names.sorted() {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + name) else { continue }
            let node = (target as NSString).lastPathComponent
            if result[node] == nil { result[node] = directory + "/" + name }
        }
        return result
    }
}
