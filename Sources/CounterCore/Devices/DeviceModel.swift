// The device model (after UnifiedPOS): identity, a role it is bound to, power state apart from operational state.
import Foundation

/// The families of device the hall uses.
public enum DeviceKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 考勤机: fingerprint attendance terminal.
    case terminal
    /// 打印机: receipt / notice printer.
    case printer
    /// 读卡器: badge reader.
    case badgeReader = "badge-reader"

    public var chineseName: String {
        switch self {
        case .terminal: return "考勤机"
        case .printer: return "打印机"
        case .badgeReader: return "读卡器"
        }
    }
}

/// Whether the device can be reached at all.
public enum DevicePowerState: String, Sendable, Hashable, Codable {
    case online
    case offline
    case unknown
}

/// What the device is doing, when it can be reached.
public enum DeviceOperationalState: Sendable, Hashable, Codable {
    case idle
    case busy
    /// Failing, with a reason ops can act on ("out of paper", "cover open", "unauthorised").
    case error(reason: String)
}

/// How to find a device: its model profile and where it is attached.
public struct DeviceIdentity: Sendable, Hashable, Codable {
    public let kind: DeviceKind
    /// The profile file in `drivers/` that describes the model.
    public let profile: String
    /// The device's own serial number, when it has one.
    public let serialNumber: String?
    /// Where it is attached: `tcp://10.0.0.5:4370`, `usb:1-1.2`, `/dev/ttyUSB0`.
    public let address: String

    public init(kind: DeviceKind, profile: String, serialNumber: String?, address: String) {
        self.kind = kind
        self.profile = profile
        self.serialNumber = serialNumber
        self.address = address
    }
}

/// A role is what the rest of the hall talks to ("window-3-printer", "entrance-terminal");
/// replacing hardware is rebinding a role.
public struct DeviceRole: Sendable, Hashable, Codable {
    public let name: String
    public let kind: DeviceKind
    /// The windows the role serves (a terminal at the entrance may serve all of them).
    public let windows: Set<Int>

    public init(name: String, kind: DeviceKind, windows: Set<Int>) {
        self.name = name
        self.kind = kind
        self.windows = windows
    }
}
