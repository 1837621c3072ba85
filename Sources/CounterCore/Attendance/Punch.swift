// A punch (打卡): one person verified at one terminal at one instant, stored exactly once.
import Foundation

/// How the terminal verified the person.
public enum PunchVerification: Sendable, Hashable, Codable {
    case fingerprint
    case password
    case card
    case face
    /// A code the terminal sent that we do not name; kept as sent.
    case other(Int)

    /// From the verify code of ZK-style terminals (1 fingerprint, 0/3 password, 2/4 card, 15 face).
    public init(terminalCode: Int) {
        switch terminalCode {
        case 1: self = .fingerprint
        case 0, 3: self = .password
        case 2, 4: self = .card
        case 15: self = .face
        default: self = .other(terminalCode)
        }
    }

    public var code: String {
        switch self {
        case .fingerprint: return "fingerprint"
        case .password: return "password"
        case .card: return "card"
        case .face: return "face"
        case .other(let n): return "other-\(n)"
        }
    }

    public init?(code: String) {
        switch code {
        case "fingerprint": self = .fingerprint
        case "password": self = .password
        case "card": self = .card
        case "face": self = .face
        default:
            guard code.hasPrefix("other-"), let n = Int(code.dropFirst(6)) else { return nil }
            self = .other(n)
        }
    }

    public var chineseName: String {
        switch self {
        case .fingerprint: return "指纹"
        case .password: return "密码"
        case .card: return "刷卡"
        case .face: return "人脸"
        case .other(let n): return "其他(\(n))"
        }
    }
}

/// Whether a punch starts or ends a stretch of work, as the terminal's state key said.
public enum PunchDirection: String, Sendable, Hashable, Codable {
    case checkIn = "in"
    case checkOut = "out"
    case breakOut = "break-out"
    case breakIn = "break-in"
    case overtimeIn = "overtime-in"
    case overtimeOut = "overtime-out"
    /// The terminal did not say (or said something we do not know).
    case unknown

    /// From the punch state of ZK-style terminals (0 in, 1 out, 2 break out, 3 break in, 4 OT in, 5 OT out).
    public init(terminalState: Int) {
        switch terminalState {
        case 0: self = .checkIn
        case 1: self = .checkOut
        case 2: self = .breakOut
        case 3: self = .breakIn
        case 4: self = .overtimeIn
        case 5: self = .overtimeOut
        default: self = .unknown
        }
    }
}

/// One punch as a terminal reported it. Its identity is terminal serial + terminal user id + time: the same
/// punch downloaded twice is the same punch.
public struct Punch: Sendable, Hashable, Codable {
    /// The serial number of the terminal that took the punch.
    public let terminalSerial: String
    /// The user id enrolled on the terminal.
    public let terminalUserID: String
    /// The instant of the punch, as the terminal's clock read it (converted from the hall's local time).
    public let at: Date
    public let verification: PunchVerification
    public let direction: PunchDirection
    /// The staff member the terminal user id belongs to, when known.
    public var staffID: String?

    public init(terminalSerial: String, terminalUserID: String, at: Date, verification: PunchVerification,
                direction: PunchDirection, staffID: String? = nil) {
        self.terminalSerial = terminalSerial
        self.terminalUserID = terminalUserID
        // Terminals keep whole seconds; dropping sub-second noise keeps the identity stable.
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970).rounded(.down))
        self.verification = verification
        self.direction = direction
        self.staffID = staffID
    }

    /// The idempotency key of a punch.
    public var identity: PunchIdentity { PunchIdentity(terminalSerial: terminalSerial, terminalUserID: terminalUserID, at: at) }
}

public struct PunchIdentity: Sendable, Hashable {
    public let terminalSerial: String
    public let terminalUserID: String
    public let at: Date
}
