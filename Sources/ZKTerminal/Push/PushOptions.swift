// The handshake of the push protocol: a terminal's `GET /iclock/cdata?SN=..&options=all` is answered with
// `GET OPTION FROM: <SN>` and the options it must work by (stamps, delays, what to upload, time zone).
import Foundation

/// What a push terminal may be asked to upload (`TransFlag`).
public enum PushTransFlag: String, Sendable, Hashable, CaseIterable, Codable {
    case attendance = "AttLog"
    case operations = "OpLog"
    case attendancePhotos = "AttPhoto"
    case enrolledUsers = "EnrollUser"
    case changedUsers = "ChgUser"
    case enrolledFingerprints = "EnrollFP"
    case changedFingerprints = "ChgFP"
    case fingerprintImages = "FPImag"
    case userPhotos = "UserPic"

    /// The order of the old 10-digit form (`TransFlag=1111000000`): one digit per flag.
    static let bitmaskOrder: [PushTransFlag] = [.attendance, .operations, .attendancePhotos, .enrolledUsers, .changedUsers,
                                                .enrolledFingerprints, .changedFingerprints, .fingerprintImages, .userPhotos]
}

/// The options a push terminal is given at its handshake.
public struct PushOptions: Sendable, Hashable {
    /// How the answer is written.
    public enum Dialect: Sendable, Hashable {
        /// Push 2.x firmware (it sends `pushver=`): `ATTLOGStamp`/`OPERLOGStamp`/`ATTPHOTOStamp`, word flags, LF.
        case current
        /// Older firmware (no `pushver=`): `Stamp`/`OpStamp`/`PhotoStamp`, the 10-digit flag form, CRLF.
        case legacy
    }

    /// The last ATTLOG stamp the gateway committed; nil means none yet (the terminal sends everything it has).
    public var attendanceStamp: String?
    /// The last OPERLOG stamp the gateway committed.
    public var operationStamp: String?
    /// The last ATTPHOTO stamp (photos are not asked for; kept so the terminal does not resend them).
    public var photoStamp: String?
    /// Seconds to wait before trying again after a failed request (`ErrorDelay`).
    public var errorDelay: Int
    /// Seconds between polls for commands (`Delay`): the terminal's heartbeat.
    public var delay: Int
    /// Times of day (`HH:MM`) the terminal checks for new data even without `Realtime` (`TransTimes`).
    public var transTimes: [String]
    /// Minutes between checks for new data (`TransInterval`).
    public var transInterval: Int
    /// What to upload (`TransFlag`).
    public var transFlags: [PushTransFlag]
    /// The hall's offset from UTC in hours (`TimeZone`); the terminal shows the time of the HTTP `Date` header in it.
    public var timeZone: Int
    /// Upload each punch as it happens (`Realtime=1`) instead of on the interval.
    public var realtime: Bool
    /// Encrypted uploads (`Encrypt`): never; the gateway reads plain text only.
    public var encrypt: Bool
    public var serverVersion: String
    public var pushProtocolVersion: String

    public init(attendanceStamp: String? = nil, operationStamp: String? = nil, photoStamp: String? = nil, errorDelay: Int = 30, delay: Int = 10,
                transTimes: [String] = ["00:00", "14:05"], transInterval: Int = 1,
                transFlags: [PushTransFlag] = [.attendance, .operations, .enrolledUsers, .changedUsers, .enrolledFingerprints, .changedFingerprints],
                timeZone: Int = 8, realtime: Bool = true, encrypt: Bool = false, serverVersion: String = "2.4.1", pushProtocolVersion: String = "2.4.1") {
        self.attendanceStamp = attendanceStamp
        self.operationStamp = operationStamp
        self.photoStamp = photoStamp
        self.errorDelay = errorDelay
        self.delay = delay
        self.transTimes = transTimes
        self.transInterval = transInterval
        self.transFlags = transFlags
        self.timeZone = timeZone
        self.realtime = realtime
        self.encrypt = encrypt
        self.serverVersion = serverVersion
        self.pushProtocolVersion = pushProtocolVersion
    }

    /// The handshake answer for terminal `serial`.
    public func answer(serial: String, dialect: Dialect) -> String {
        let stamp = { (value: String?) in value ?? (dialect == .current ? "None" : "0") }
        var lines = ["GET OPTION FROM: \(serial)"]
        switch dialect {
        case .current:
            lines += ["ATTLOGStamp=\(stamp(attendanceStamp))", "OPERLOGStamp=\(stamp(operationStamp))", "ATTPHOTOStamp=\(stamp(photoStamp))"]
        case .legacy:
            lines += ["Stamp=\(stamp(attendanceStamp))", "OpStamp=\(stamp(operationStamp))", "PhotoStamp=\(stamp(photoStamp))"]
        }
        lines += [
            "ErrorDelay=\(errorDelay)",
            "Delay=\(delay)",
            "TransTimes=\(transTimes.joined(separator: ";"))",
            "TransInterval=\(transInterval)",
        ]
        switch dialect {
        case .current: lines.append("TransFlag=TransData " + transFlags.map(\.rawValue).joined(separator: "\t"))
        case .legacy: lines.append("TransFlag=" + PushTransFlag.bitmaskOrder.map { transFlags.contains($0) ? "1" : "0" }.joined() + "0")
        }
        lines += [
            "TimeZone=\(timeZone)",
            "Realtime=\(realtime ? 1 : 0)",
            "Encrypt=\(encrypt ? "1" : (dialect == .current ? "None" : "0"))",
        ]
        if dialect == .current {
            lines += ["ServerVer=\(serverVersion)", "PushProtVer=\(pushProtocolVersion)"]
        }
        let separator = dialect == .current ? "\n" : "\r\n"
        return lines.joined(separator: separator) + separator
    }

    /// Reads a handshake answer (the terminal's side, for the test fake): either dialect; options not given keep the
    /// defaults a terminal starts with.
    /// - Returns: the serial number the answer is for, and the options.
    /// - Throws: ``PushDecodeError/notAnOptionsAnswer(_:)`` when the answer does not start `GET OPTION FROM:`, or an error
    ///   for an option whose value cannot be read.
    public static func decode(answer: String) throws(PushDecodeError) -> (serial: String, options: PushOptions) {
        let lines = answer.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        guard let first = lines.first, first.hasPrefix("GET OPTION FROM:") else {
            throw .notAnOptionsAnswer(String(lines.first?.prefix(40) ?? ""))
        }
        let serial = first.dropFirst("GET OPTION FROM:".count).trimmingCharacters(in: .whitespaces)
        var options = PushOptions()
        func stamp(_ value: String) -> String? { value == "None" || value.isEmpty ? nil : value }
        for line in lines.dropFirst() {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            switch key {
            case "ATTLOGStamp", "Stamp": options.attendanceStamp = stamp(value)
            case "OPERLOGStamp", "OpStamp": options.operationStamp = stamp(value)
            case "ATTPHOTOStamp", "PhotoStamp": options.photoStamp = stamp(value)
            case "ErrorDelay": options.errorDelay = try PushFields.integer(value, field: "ErrorDelay", range: 0...86_400)
            case "Delay": options.delay = try PushFields.integer(value, field: "Delay", range: 0...86_400)
            case "TransInterval": options.transInterval = try PushFields.integer(value, field: "TransInterval", range: 0...1440)
            case "TransTimes": options.transTimes = value.split(separator: ";").map { String($0).trimmingCharacters(in: .whitespaces) }
            case "TimeZone": options.timeZone = try PushFields.integer(value, field: "TimeZone", range: -12...14)
            case "Realtime": options.realtime = value == "1"
            case "Encrypt": options.encrypt = value == "1"
            case "ServerVer": options.serverVersion = value
            case "PushProtVer": options.pushProtocolVersion = value
            case "TransFlag": options.transFlags = try flags(value)
            default: continue
            }
        }
        return (serial, options)
    }

    static func flags(_ value: String) throws(PushDecodeError) -> [PushTransFlag] {
        if !value.isEmpty, value.allSatisfy({ $0 == "0" || $0 == "1" }) {
            return zip(PushTransFlag.bitmaskOrder, value).filter { $0.1 == "1" }.map(\.0)
        }
        var flags: [PushTransFlag] = []
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) where word != "TransData" {
            guard let flag = PushTransFlag(rawValue: String(word)) else { continue }
            if !flags.contains(flag) { flags.append(flag) }
        }
        return flags
    }
}

/// The configuration answer of push 2.4+/3.x firmware (`/iclock/push` after `/iclock/registry`): the same settings in
/// that protocol's names.
public struct PushRegistryAnswer: Sendable, Hashable {
    public var options: PushOptions
    public var serverName: String
    /// Seconds the terminal may take for one request.
    public var requestTimeout: Int

    public init(options: PushOptions, serverName: String = "CounterGate", requestTimeout: Int = 60) {
        self.options = options
        self.serverName = serverName
        self.requestTimeout = requestTimeout
    }

    public var text: String {
        let tables = [options.transFlags.contains(.attendance) ? "Transaction" : nil,
                      options.transFlags.contains(.enrolledUsers) || options.transFlags.contains(.changedUsers) ? "User" : nil,
                      options.transFlags.contains(.enrolledFingerprints) || options.transFlags.contains(.changedFingerprints) ? "Biodata" : nil]
            .compactMap { $0 }
        return [
            "ServerVersion=\(options.serverVersion)",
            "ServerName=\(serverName)",
            "PushVersion=\(options.pushProtocolVersion)",
            "ErrorDelay=\(options.errorDelay)",
            "RequestDelay=\(options.delay)",
            "TransTimes=\(options.transTimes.joined(separator: ";"))",
            "TransInterval=\(options.transInterval)",
            "TransTables=\(tables.joined(separator: " "))",
            "Realtime=\(options.realtime ? 1 : 0)",
            "TimeoutSec=\(requestTimeout)",
        ].joined(separator: "\n") + "\n"
    }
}
