// Input event nodes (/dev/input/event*) as sysfs describes them: where keyboard-wedge badge readers appear.
import Foundation

public struct InputDeviceSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `/dev/input/event5`.
    public let node: String
    public let name: String
    public let vendorID: UInt16?
    public let productID: UInt16?

    public var description: String {
        let ids = vendorID.map { String(format: "%04x:%04x", $0, productID ?? 0) } ?? "no USB ids"
        return "\(node): \(name) (\(ids))"
    }
}

public enum InputDevices {
    /// Lists event nodes from `<sysfs>/class/input`. `sysfsRoot` is `/sys` except in tests.
    public static func scan(sysfsRoot: String = "/sys") -> [InputDeviceSummary] {
        let classDir = sysfsRoot + "/class/input"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: classDir) else { return [] }
        return names.filter { $0.hasPrefix("event") }.sorted().map { name in
            let device = classDir + "/" + name + "/device"
            func read(_ file: String) -> String? {
                (try? String(contentsOfFile: device + "/" + file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return InputDeviceSummary(node: "/dev/input/" + name, name: read("name") ?? "unnamed",
                                      vendorID: read("id/vendor").flatMap { UInt16($0, radix: 16) },
                                      productID: read("id/product").flatMap { UInt16($0, radix: 16) })
        }
    }
}

extension InputDevices {
    /// The event nodes whose USB vendor and product ids are `vendorID`:`productID`, sorted by node name
    /// (`/dev/input/event5`). A re-plugged device usually comes back under another number: call this again.
    public static func nodes(vendorID: UInt16, productID: UInt16, sysfsRoot: String = "/sys") -> [InputDeviceSummary] {
        scan(sysfsRoot: sysfsRoot).filter { $0.vendorID == vendorID && $0.productID == productID }
    }
}
