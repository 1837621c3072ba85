// ATTLOG lines of the push protocol: one punch per line, `PIN \t time \t status \t verify \t workcode \t reserved \t reserved`.
import Foundation

/// One punch as a push terminal uploads it (`table=ATTLOG`). The time is the terminal's wall clock, no zone.
public struct PushAttendanceRecord: Sendable, Hashable {
    /// The user id (PIN, 工号) enrolled on the terminal.
    public var userID: String
    public var time: ZKLocalTime
    /// In/out state (0 in, 1 out, 2 break out, 3 break in, 4/5 overtime), as the pull protocol's `state`.
    public var status: UInt8
    /// How the person was verified (1 fingerprint, 0/3 password, 2/4 card, 15 face), as the pull protocol's `verifyType`.
    public var verify: UInt8
    public var workCode: String
    /// The fields after the work code (two reserved ones on current firmware; mask and temperature on some).
    public var reserved: [String]

    public init(userID: String, time: ZKLocalTime, status: UInt8 = 0, verify: UInt8 = 1, workCode: String = "0", reserved: [String] = ["0", "0"]) {
        self.userID = userID
        self.time = time
        self.status = status
        self.verify = verify
        self.workCode = workCode
        self.reserved = reserved
    }

    /// Reads one ATTLOG line: 7 tab-separated fields on current firmware; the 4-field form (PIN, time, status,
    /// verify) of older firmware and longer forms (extra columns) are read too. Firmware that separates with spaces
    /// (`PIN YYYY-MM-DD HH:MM:SS status verify …`) is read as well.
    /// - Throws: ``PushDecodeError`` for fewer than 4 fields, an empty or unusable user id, a time that is not
    ///   `YYYY-MM-DD HH:MM:SS` or does not exist, or a status or verify code that is not a number in 0...255.
    public init(line: String) throws(PushDecodeError) {
        var fields: [Substring]
        if line.contains("\t") {
            fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        } else {
            let tokens = line.split(separator: " ", omittingEmptySubsequences: true)
            guard tokens.count >= 5 else { throw .tooFewFields(what: "the ATTLOG line", found: max(0, tokens.count - 1), needed: 4) }
            fields = [tokens[0], Substring("\(tokens[1]) \(tokens[2])")] + tokens[3...]
        }
        guard fields.count >= 4 else { throw .tooFewFields(what: "the ATTLOG line", found: fields.count, needed: 4) }
        userID = try PushFields.pin(fields[0])
        time = try PushFields.time(fields[1], field: "punch time")
        status = UInt8(try PushFields.integer(fields[2], field: "status (in/out state)", range: 0...255))
        verify = UInt8(try PushFields.integer(fields[3], field: "verify code", range: 0...255))
        workCode = fields.count > 4 ? String(PushFields.trimmed(fields[4])) : ""
        reserved = fields.count > 5 ? fields[5...].map { String($0) } : []
    }

    /// The 7-field line current firmware sends (a test fake's upload; the gateway never writes ATTLOG lines).
    public var line: String {
        var fields = [userID, PushFields.format(time), String(status), String(verify), workCode]
        fields += reserved
        while fields.count < 7 { fields.append("0") }
        return fields.joined(separator: "\t")
    }

    /// The 4-field line of older firmware.
    public var shortLine: String {
        [userID, PushFields.format(time), String(status), String(verify)].joined(separator: "\t")
    }

    /// As the pull protocol's record, so both modes turn into punches the same way.
    public var record: ZKAttendanceRecord {
        ZKAttendanceRecord(uid: nil, userID: userID, time: time, verifyType: verify, state: status, workCode: UInt32(workCode) ?? 0)
    }
}
