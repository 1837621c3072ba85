// TEST FAKE: what the simulated terminal holds (users, fingers, the attendance log, its clock) and what every
// session shares (faults, counters, session ids).
import CounterCore
import Foundation
import ZKTerminal

/// The terminal's data and settings, shared by all its sessions. A value: the simulator keeps it behind its lock
/// and hands it `inout` to the session handling a packet.
struct SimulatedTerminal: Sendable {
    let configuration: ZKTerminalSimulator.Configuration
    let clock: any HallClock
    var users: [ZKUser]
    var templates: [ZKFingerprintTemplate]
    var records: [ZKAttendanceRecord]
    var isEnabled = true
    /// Every time the terminal was disabled, with what it did meanwhile (the last may still be open).
    var disabledIntervals: [ZKTerminalSimulator.DisabledInterval] = []
    /// Punches made while the keypad was locked: logged (and sent live) once the terminal is enabled again.
    var heldPunches: [ZKAttendanceRecord] = []
    /// The terminal clock's distance from `clock` (SET_TIME changes it).
    var clockOffset: TimeInterval
    var faults = ZKTerminalSimulator.Faults()
    /// READ_BUFFER chunks served since the faults were last set (for ``ZKTerminalSimulator/Faults/dropConnectionAfterChunks``).
    var chunksSinceFaultsSet = 0
    var counters = ZKTerminalSimulator.Counters()
    /// What `IPAddress` answers: the address the simulator listens on.
    var ipAddress = "127.0.0.1"
    private var random: SimulatorRandom
    private var lastSessionID: UInt16

    init(configuration: ZKTerminalSimulator.Configuration, clock: any HallClock, users: [ZKUser],
         templates: [ZKFingerprintTemplate], records: [ZKAttendanceRecord]) {
        self.configuration = configuration
        self.clock = clock
        self.users = users
        self.templates = templates
        self.records = records
        self.clockOffset = configuration.clockOffset
        var random = SimulatorRandom(seed: UInt64(configuration.serialNumber.utf8.reduce(0) { $0 &* 31 &+ UInt32($1) }))
        self.lastSessionID = UInt16(truncatingIfNeeded: random.next())
        self.random = random
    }

    // MARK: Clock

    /// The terminal's wall clock.
    func now() -> ZKLocalTime {
        ZKLocalTime(clock.now().addingTimeInterval(clockOffset), in: configuration.timeZone)
    }

    /// Sets the wall clock (SET_TIME). A time that is no calendar time, or cannot be packed, is refused.
    mutating func setTime(_ time: ZKLocalTime) -> Bool {
        guard (2000...2099).contains(time.year), let instant = time.instant(in: configuration.timeZone) else { return false }
        clockOffset = instant.timeIntervalSince(clock.now())
        return true
    }

    // MARK: Sessions

    /// A nonzero session id, different from the last one.
    mutating func newSessionID() -> UInt16 {
        lastSessionID &+= 1
        if lastSessionID == 0 { lastSessionID = 1 }
        return lastSessionID
    }

    /// 16-64 random bytes that do not start like a TCP frame (so a client cannot take them for one).
    mutating func garbage() -> [UInt8] {
        var bytes = (0..<Int.random(in: 16...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        if bytes[0] == ZKTCPFrame.magic[0] { bytes[0] ^= 0xFF }
        return bytes
    }

    // MARK: Facts

    /// The value OPTIONS_RRQ answers for `name`, or nil for an option this terminal does not know.
    func option(_ name: String) -> String? {
        switch name {
        case "~SerialNumber": return configuration.serialNumber
        case "~Platform": return configuration.platform
        case "~DeviceName": return configuration.deviceName
        case "~ZKFPVersion": return String(configuration.fingerprintVersion)
        case "~ExtendFmt": return configuration.attendanceLayout == .full ? "1" : "0"
        case "~UserExtFmt": return configuration.userLayout == .zk8 ? "1" : "0"
        case "FaceFunOn": return "0"
        case "CompatOldFirmware": return "0"
        case "IPAddress": return ipAddress
        case "NetMask": return "255.255.255.0"
        case "GATEIPAddress": return "0.0.0.0"
        case "MAC": return configuration.macAddress
        case "~OS": return "1"
        default: return nil
        }
    }

    func freeSizes() -> ZKFreeSizes {
        ZKFreeSizes(users: users.count, fingers: templates.count, records: records.count,
                    fingerCapacity: max(3000, templates.count), userCapacity: max(3000, users.count),
                    recordCapacity: max(200_000, records.count))
    }

    // MARK: Data sets

    /// The data set PREPARE_BUFFER asks for: attendance (command 13), users (9 with fct 5) or templates (7 with
    /// fct 2), with its u32 byte count in front; nil for anything else.
    func dataset(command: ZKCommand, fct: Int32) -> [UInt8]? {
        var body: [UInt8] = []
        switch (command, fct) {
        case (.attendanceRead, _):
            let layout = configuration.attendanceLayout
            body.reserveCapacity(records.count * layout.rawValue)
            for record in records { body.append(contentsOf: layout.encode(record)) }
        case (.userTemplateRead, ZKTable.users.rawValue):
            body.reserveCapacity(users.count * configuration.userLayout.rawValue)
            for user in users { body.append(contentsOf: configuration.userLayout.encode(user)) }
        case (.dbRead, ZKTable.fingerprintTemplates.rawValue):
            for template in templates { body.append(contentsOf: template.datasetRecord()) }
        default:
            return nil
        }
        return ZKDataset.wrap(body)
    }

    // MARK: Changes

    /// Adds or replaces users, by uid.
    mutating func upsert(users new: [ZKUser]) {
        for user in new {
            if let i = users.firstIndex(where: { $0.uid == user.uid }) { users[i] = user } else { users.append(user) }
        }
    }

    /// Adds or replaces fingers, by uid and finger index.
    mutating func upsert(templates new: [ZKFingerprintTemplate]) {
        for template in new {
            if let i = templates.firstIndex(where: { $0.uid == template.uid && $0.fingerIndex == template.fingerIndex }) {
                templates[i] = template
            } else {
                templates.append(template)
            }
        }
    }

    /// Removes a user and the user's fingers.
    mutating func deleteUser(uid: UInt16) {
        users.removeAll { $0.uid == uid }
        templates.removeAll { $0.uid == uid }
    }

    /// A punch at the terminal; the uid is the enrolled user's (or the user id read as a number).
    func makePunch(userID: String, verifyType: UInt8, state: UInt8, at time: ZKLocalTime?) -> ZKAttendanceRecord {
        let uid = users.first { $0.userID == userID }?.uid ?? UInt16(userID) ?? 0
        return ZKAttendanceRecord(uid: uid, userID: userID, time: time ?? now(), verifyType: verifyType, state: state)
    }

    // MARK: Enabled and disabled

    /// DISABLEDEVICE: the keypad and sensor lock; an interval opens (a second DISABLEDEVICE keeps the one open).
    mutating func disable() {
        guard isEnabled else { return }
        isEnabled = false
        disabledIntervals.append(ZKTerminalSimulator.DisabledInterval(start: .now))
    }

    /// ENABLEDEVICE: the interval closes (the hub then logs the punches held meanwhile).
    mutating func enable() {
        guard !isEnabled else { return }
        isEnabled = true
        if !disabledIntervals.isEmpty { disabledIntervals[disabledIntervals.count - 1].end = .now }
    }

    /// Notes a command handled while disabled, in the open interval.
    mutating func noteWhileDisabled(_ command: ZKCommand, attendanceBytes: Int = 0) {
        guard !isEnabled, !disabledIntervals.isEmpty else { return }
        disabledIntervals[disabledIntervals.count - 1].commands.append(command)
        disabledIntervals[disabledIntervals.count - 1].attendanceBytesServed += attendanceBytes
    }
}
