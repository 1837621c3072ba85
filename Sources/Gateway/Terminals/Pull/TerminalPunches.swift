// Turning what a terminal reported into the hall's punches, with the checks a terminal's clock needs.
import CounterCore
import Foundation
import ZKTerminal

/// Converts terminal records to punches and flags those whose time cannot be trusted.
struct TerminalPunches {
    let serialNumber: String
    let zone: TimeZone
    /// The gateway's "now" when the records were read.
    let now: Date
    /// The terminal's clock minus the gateway's, in seconds, when it was read.
    let clockDrift: TimeInterval?
    let maxDrift: TimeInterval

    /// The punches and, for each that needs a look, why.
    func convert(_ records: [ZKAttendanceRecord]) -> (punches: [Punch], flags: [PunchIdentity: String]) {
        var punches: [Punch] = []
        punches.reserveCapacity(records.count)
        var flags: [PunchIdentity: String] = [:]
        let driftNote: String? = clockDrift.flatMap { drift in
            abs(drift) > maxDrift
                ? "terminal clock \(Int(abs(drift).rounded())) s \(drift > 0 ? "ahead" : "behind") when read; correct it with `countergate terminal time set`"
                : nil
        }
        for record in records {
            let punch = convert(userID: record.userID, time: record.time, verify: record.verifyType, state: record.state)
            punches.append(punch.punch)
            if let note = punch.flag ?? driftNote { flags[punch.punch.identity] = note }
        }
        return (punches, flags)
    }

    func convert(_ event: ZKLiveAttendance) -> (punch: Punch, flag: String?) {
        let result = convert(userID: event.userID, time: event.time, verify: event.verifyType, state: event.state)
        let drift: String? = clockDrift.flatMap { abs($0) > maxDrift ? "terminal clock \(Int(abs($0).rounded())) s off" : nil }
        return (result.punch, result.flag ?? drift)
    }

    private func convert(userID: String, time: ZKLocalTime, verify: UInt8, state: UInt8) -> (punch: Punch, flag: String?) {
        var flag: String?
        let instant: Date
        if let exact = time.instant(in: zone) {
            instant = exact
        } else {
            // A day that does not exist (Feb 31): keep the punch at the packed value's offset, flagged.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            instant = calendar.date(from: DateComponents(year: time.year, month: 1, day: 1)).map {
                $0.addingTimeInterval(TimeInterval(((time.month - 1) * 31 + time.day - 1) * 86400 + (time.hour * 60 + time.minute) * 60 + time.second))
            } ?? Date(timeIntervalSince1970: 0)
            flag = "impossible time \(time) as sent by the terminal"
        }
        if flag == nil && (time.year < 2010 || instant > now.addingTimeInterval(86400)) {
            flag = "impossible time \(time) (terminal clock reset or wrong); check the terminal's clock"
        }
        let punch = Punch(terminalSerial: serialNumber, terminalUserID: userID, at: instant,
                          verification: PunchVerification(terminalCode: Int(verify)), direction: PunchDirection(terminalState: Int(state)))
        return (punch, flag)
    }
}
