// The USB device behind a sysfs node (an input event node, a tty): its port path, ids and serial number.
import CounterCore
import Foundation

/// A USB device as sysfs describes it, found by walking up from one of its interfaces' nodes.
public struct USBSysfsDevice: Sendable, Hashable, Codable {
    /// `1-1.4`.
    public let portPath: String
    public let vendorID: UInt16?
    public let productID: UInt16?
    /// The `serial` attribute, when the device has one.
    public let serialNumber: String?

    public init(portPath: String, vendorID: UInt16?, productID: UInt16?, serialNumber: String?) {
        self.portPath = portPath
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
    }
}

public enum USBSysfs {
    /// The USB device `node` (e.g. `/sys/class/input/event5`, `/sys/class/tty/ttyUSB0`) belongs to, or nil when it
    /// is on no USB device (a board's own serial port) or sysfs does not say.
    ///
    /// Resolves the class link by hand (readlink and string joins, not realpath), so it works the same under
    /// umockdev, which redirects `/sys` by path.
    public static func device(of node: String) -> USBSysfsDevice? {
        guard let path = resolve(node) else { return nil }
        var components = path.split(separator: "/").map(String.init)
        while let last = components.last {
            if USBPrinterMatch.isPortPath(last) {
                let directory = "/" + components.joined(separator: "/")
                func read(_ name: String) -> String? {
                    let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                    let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
                    return trimmed?.isEmpty == false ? trimmed : nil
                }
                let vendor = read("idVendor").flatMap { UInt16($0, radix: 16) }
                let product = read("idProduct").flatMap { UInt16($0, radix: 16) }
                if vendor != nil || FileManager.default.fileExists(atPath: directory + "/busnum") {
                    return USBSysfsDevice(portPath: last, vendorID: vendor, productID: product, serialNumber: read("serial"))
                }
            }
            components.removeLast()
        }
        return nil
    }

    /// The sysfs path `node` stands for, following the class link and then `device` links (at most 8).
    static func resolve(_ node: String) -> String? {
        var path = node
        for _ in 0..<8 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { break }
            path = target.hasPrefix("/") ? target : standardize((path as NSString).deletingLastPathComponent + "/" + target)
        }
        // Nodes whose class entry is a directory (some umockdev testbeds) name their device through `device`.
        if USBPrinterMatch.isPortPath((path as NSString).lastPathComponent) == false,
           let device = try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/device"),
           !path.contains("/devices/") {
            return resolve(device.hasPrefix("/") ? device : standardize(path + "/" + device))
        }
        return path
    }

    /// `a/b/../c` → `a/c`, without touching the file system.
    static func standardize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
