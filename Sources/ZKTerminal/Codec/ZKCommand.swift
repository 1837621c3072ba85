// Command and reply codes of the ZK pull protocol (port 4370), as the vendor's manual and pyzk name them.
import Foundation

/// A command or reply code. A struct, not an enum: firmware sends codes we do not know, and they must
/// decode (and be reported) rather than fail.
public struct ZKCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ raw: UInt16) { self.rawValue = raw }

    public static let dbRead = ZKCommand(7)              // CMD_DB_RRQ: templates and other tables
    public static let userWrite = ZKCommand(8)           // CMD_USER_WRQ
    public static let userTemplateRead = ZKCommand(9)    // CMD_USERTEMP_RRQ: users (fct 5)
    public static let optionsRead = ZKCommand(11)        // CMD_OPTIONS_RRQ
    public static let optionsWrite = ZKCommand(12)       // CMD_OPTIONS_WRQ
    public static let attendanceRead = ZKCommand(13)     // CMD_ATTLOG_RRQ
    public static let clearAttendance = ZKCommand(15)
    public static let deleteUser = ZKCommand(18)
    public static let getFreeSizes = ZKCommand(50)
    public static let startVerify = ZKCommand(60)
    public static let cancelCapture = ZKCommand(62)
    public static let getUserTemplate = ZKCommand(88)    // undocumented: one template (uid, fid)
    public static let saveUserTemplates = ZKCommand(110) // undocumented: users + templates from the buffer
    public static let getTime = ZKCommand(201)
    public static let setTime = ZKCommand(202)
    public static let registerEvents = ZKCommand(500)    // CMD_REG_EVENT; also the code of event packets
    public static let connect = ZKCommand(1000)
    public static let exit = ZKCommand(1001)
    public static let enableDevice = ZKCommand(1002)
    public static let disableDevice = ZKCommand(1003)
    public static let restart = ZKCommand(1004)
    public static let refreshData = ZKCommand(1013)
    public static let getVersion = ZKCommand(1100)
    public static let auth = ZKCommand(1102)
    public static let prepareData = ZKCommand(1500)
    public static let data = ZKCommand(1501)
    public static let freeData = ZKCommand(1502)
    public static let prepareBuffer = ZKCommand(1503)    // undocumented: start a buffered (chunked) read
    public static let readBuffer = ZKCommand(1504)       // undocumented: read one chunk of that buffer

    public static let ackOK = ZKCommand(2000)
    public static let ackError = ZKCommand(2001)
    public static let ackData = ZKCommand(2002)
    public static let ackRetry = ZKCommand(2003)
    public static let ackRepeat = ZKCommand(2004)
    public static let ackUnauthorized = ZKCommand(2005)
    public static let ackUnknown = ZKCommand(0xFFFF)

    static let names: [UInt16: String] = [
        7: "DB_RRQ", 8: "USER_WRQ", 9: "USERTEMP_RRQ", 11: "OPTIONS_RRQ", 12: "OPTIONS_WRQ", 13: "ATTLOG_RRQ",
        15: "CLEAR_ATTLOG", 18: "DELETE_USER", 50: "GET_FREE_SIZES", 60: "STARTVERIFY", 62: "CANCELCAPTURE",
        88: "GET_USERTEMP", 110: "SAVE_USERTEMPS", 201: "GET_TIME", 202: "SET_TIME", 500: "REG_EVENT",
        1000: "CONNECT", 1001: "EXIT", 1002: "ENABLEDEVICE", 1003: "DISABLEDEVICE", 1004: "RESTART",
        1013: "REFRESHDATA", 1100: "GET_VERSION", 1102: "AUTH", 1500: "PREPARE_DATA", 1501: "DATA",
        1502: "FREE_DATA", 1503: "PREPARE_BUFFER", 1504: "READ_BUFFER", 2000: "ACK_OK", 2001: "ACK_ERROR",
        2002: "ACK_DATA", 2003: "ACK_RETRY", 2004: "ACK_REPEAT", 2005: "ACK_UNAUTH", 0xFFFF: "ACK_UNKNOWN",
    ]

    public var description: String { ZKCommand.names[rawValue].map { "\($0) (\(rawValue))" } ?? "command \(rawValue)" }
}

/// Table selectors (`fct`) of PREPARE_BUFFER.
public enum ZKTable: Int32, Sendable {
    case fingerprintTemplates = 2   // FCT_FINGERTMP
    case users = 5                  // FCT_USER
}

/// Event flags of REG_EVENT.
public struct ZKEventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let attendance = ZKEventFlags(rawValue: 1)
    public static let finger = ZKEventFlags(rawValue: 2)
    public static let enrollUser = ZKEventFlags(rawValue: 4)
    public static let enrollFinger = ZKEventFlags(rawValue: 8)
    public static let button = ZKEventFlags(rawValue: 16)
    public static let unlock = ZKEventFlags(rawValue: 32)
    public static let verify = ZKEventFlags(rawValue: 128)
    public static let fingerFeature = ZKEventFlags(rawValue: 256)
    public static let alarm = ZKEventFlags(rawValue: 512)
}
