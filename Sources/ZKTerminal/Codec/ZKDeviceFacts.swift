// What a terminal says about itself: record counts (GET_FREE_SIZES), options (`~SerialNumber=...`), live events.
import Foundation

/// Counts and capacities from GET_FREE_SIZES (20 little-endian i32, optionally 3 more for faces).
public struct ZKFreeSizes: Sendable, Equatable {
    public var users: Int
    public var fingers: Int
    public var records: Int
    public var cards: Int
    public var fingerCapacity: Int
    public var userCapacity: Int
    public var recordCapacity: Int
    public var faces: Int

    public init(users: Int, fingers: Int, records: Int, cards: Int = 0, fingerCapacity: Int = 3000, userCapacity: Int = 3000,
                recordCapacity: Int = 200_000, faces: Int = 0) {
        self.users = users
        self.fingers = fingers
        self.records = records
        self.cards = cards
        self.fingerCapacity = fingerCapacity
        self.userCapacity = userCapacity
        self.recordCapacity = recordCapacity
        self.faces = faces
    }

    public static func decode(_ payload: [UInt8]) throws(ZKDecodeError) -> ZKFreeSizes {
        guard payload.count >= 80 else { throw .tooShort(what: "GET_FREE_SIZES reply", needed: 80, got: payload.count) }
        var r = ByteReader(payload, what: "GET_FREE_SIZES reply")
        var f: [Int] = []
        for _ in 0..<20 { f.append(Int(Int32(bitPattern: try r.u32()))) }
        var faces = 0
        if r.remaining >= 12 { faces = Int(Int32(bitPattern: try r.u32())) }
        let sizes = ZKFreeSizes(users: f[4], fingers: f[6], records: f[8], cards: f[12], fingerCapacity: f[14],
                                userCapacity: f[15], recordCapacity: f[16], faces: faces)
        for (name, value) in [("users", sizes.users), ("fingers", sizes.fingers), ("records", sizes.records)] where value < 0 {
            throw .invalidField(what: "GET_FREE_SIZES reply", detail: "negative \(name) count \(value)")
        }
        return sizes
    }

    public func encode() -> [UInt8] {
        var f = [Int32](repeating: 0, count: 23)
        f[4] = Int32(clamping: users); f[6] = Int32(clamping: fingers); f[8] = Int32(clamping: records); f[12] = Int32(clamping: cards)
        f[14] = Int32(clamping: fingerCapacity); f[15] = Int32(clamping: userCapacity); f[16] = Int32(clamping: recordCapacity)
        f[17] = Int32(clamping: fingerCapacity - fingers); f[18] = Int32(clamping: userCapacity - users); f[19] = Int32(clamping: recordCapacity - records)
        f[20] = Int32(clamping: faces)
        var b: [UInt8] = []
        for v in f { b.appendLE(v) }
        return b
    }
}

/// OPTIONS_RRQ asks `~SerialNumber\0`; the terminal answers `~SerialNumber=ABC123\0`.
public enum ZKOption {
    public static func request(_ name: String) -> [UInt8] { Array(name.utf8) + [0] }

    /// The value of an options reply, up to the NUL.
    public static func value(of payload: [UInt8]) -> String {
        let text = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
        guard let eq = text.firstIndex(of: "=") else { return text }
        return String(text[text.index(after: eq)...])
    }

    /// The name asked for by a request (the terminal's side).
    public static func name(ofRequest payload: [UInt8]) -> String {
        String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
    }

    public static func reply(name: String, value: String) -> [UInt8] { Array("\(name)=\(value)".utf8) + [0] }
}

/// A live attendance event (REG_EVENT packet with EF_ATTLOG in its session field).
public struct ZKLiveAttendance: Sendable, Hashable {
    public var userID: String
    public var verifyType: UInt8
    public var state: UInt8
    public var time: ZKLocalTime

    public init(userID: String, verifyType: UInt8, state: UInt8, time: ZKLocalTime) {
        self.userID = userID
        self.verifyType = verifyType
        self.state = state
        self.time = time
    }

    /// Decodes the payload of an attendance event. Firmware sends 10, 12, 14, 32, 36, 37 or 52+ bytes: a
    /// numeric (u16 or u32) or text (24 bytes) user id, verify type, state, then 6 time bytes.
    public static func decode(_ payload: [UInt8]) throws(ZKDecodeError) -> ZKLiveAttendance {
        var r = ByteReader(payload, what: "live attendance event")
        let userID: String
        switch payload.count {
        case 10, 14: userID = String(try r.u16())
        case 12: userID = String(try r.u32())
        case 32, 36, 37, 52...: userID = String(decoding: try r.take(24).prefix { $0 != 0 }, as: UTF8.self)
        default: throw .unknownRecordSize(what: "live attendance event", totalBytes: payload.count, records: 1)
        }
        let verify = try r.u8()
        let state = try r.u8()
        let time = try ZKLocalTime(eventBytes: try r.take(6))
        guard time.isValidDate else { throw .invalidField(what: "live attendance event", detail: "impossible time \(time)") }
        return ZKLiveAttendance(userID: userID, verifyType: verify, state: state, time: time)
    }

    /// The 52-byte form current firmware sends (text user id, 20 reserved bytes at the end).
    public func encode52() -> [UInt8] {
        var b: [UInt8] = []
        b.appendField(Array(userID.utf8), width: 24)
        b.append(verifyType)
        b.append(state)
        b.append(contentsOf: time.eventBytes)
        b.append(contentsOf: [UInt8](repeating: 0, count: 20))
        return b
    }
}
