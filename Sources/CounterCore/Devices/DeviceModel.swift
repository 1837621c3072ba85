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
    /// Where it is attached, as written: `tcp://10.0.0.5:4370`, `push:A8N5211960213`, `usb:0416:5011`, `/dev/ttyUSB0`.
    public let address: String
    /// How it is reached, parsed from ``address`` once, when the identity is made (the store's devices are loaded
    /// through here); nil when the text is no address a device of its kind can have (the reason in ``linkProblem``).
    public let link: DeviceLink?
    /// Why ``address`` could not be parsed, or nil.
    public let linkProblem: DeviceLinkError?

    public init(kind: DeviceKind, profile: String, serialNumber: String?, address: String) {
        self.kind = kind
        self.profile = profile
        self.serialNumber = serialNumber
        self.address = address
        do {
            link = try DeviceLink(parsing: address, kind: kind)
            linkProblem = nil
        } catch {
            link = nil
            linkProblem = error as? DeviceLinkError
                ?? DeviceLinkError(text: address, kind: kind, problem: "\(error)", expected: "an address of a \(kind.rawValue)")
        }
    }

    /// The identity of a device reached through `link`.
    public init(profile: String, serialNumber: String?, link: DeviceLink) {
        self.init(kind: link.kind, profile: profile, serialNumber: serialNumber, address: link.description)
    }

    enum CodingKeys: String, CodingKey { case kind, profile, serialNumber, address }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try container.decode(DeviceKind.self, forKey: .kind), profile: try container.decode(String.self, forKey: .profile),
                  serialNumber: try container.decodeIfPresent(String.self, forKey: .serialNumber), address: try container.decode(String.self, forKey: .address))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(profile, forKey: .profile)
        try container.encodeIfPresent(serialNumber, forKey: .serialNumber)
        try container.encode(address, forKey: .address)
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
