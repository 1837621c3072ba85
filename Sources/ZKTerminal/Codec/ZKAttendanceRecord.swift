// Attendance records of the three layouts firmware uses (8, 16 and 40 bytes), and the dataset that holds them.
import Foundation

/// One punch as the terminal stores it.
public struct ZKAttendanceRecord: Sendable, Hashable {
    /// The terminal's internal user slot (8- and 40-byte layouts), when the layout carries it.
    public var uid: UInt16?
    /// The user id enrolled on the terminal (what staff records map to).
    public var userID: String
    public var time: ZKLocalTime
    /// How the person was verified (pyzk calls it `status`): 1 fingerprint, 0/3 password, 2/4 card, 15 face.
    public var verifyType: UInt8
    /// Check-in/out state (pyzk calls it `punch`): 0 in, 1 out, 2 break out, 3 break in, 4/5 overtime.
    public var state: UInt8
    public var workCode: UInt32

    public init(uid: UInt16?, userID: String, time: ZKLocalTime, verifyType: UInt8, state: UInt8, workCode: UInt32 = 0) {
        self.uid = uid
        self.userID = userID
        self.time = time
        self.verifyType = verifyType
        self.state = state
        self.workCode = workCode
    }
}

/// The byte layouts of attendance records.
public enum ZKAttendanceLayout: Int, Sendable, CaseIterable {
    /// `<H B 4s B>`: uid, verify type, time, state (old ZK6 firmware).
    case compact = 8
    /// `<I 4s B B 2s I>`: user id (number), time, verify type, state, reserved, work code.
    case numeric = 16
    /// `<H 24s B 4s B 8s>`: uid, user id (text), verify type, time, state, reserved (most current firmware).
    case full = 40

    public func encode(_ r: ZKAttendanceRecord) -> [UInt8] {
        var b: [UInt8] = []
        switch self {
        case .compact:
            b.appendLE(r.uid ?? UInt16(r.userID) ?? 0)
            b.append(r.verifyType)
            b.appendLE(r.time.packed)
            b.append(r.state)
        case .numeric:
            b.appendLE(UInt32(r.userID) ?? 0)
            b.appendLE(r.time.packed)
            b.append(r.verifyType)
            b.append(r.state)
            b.append(contentsOf: [0, 0])
            b.appendLE(r.workCode)
        case .full:
            b.appendLE(r.uid ?? 0)
            b.appendField(Array(r.userID.utf8), width: 24)
            b.append(r.verifyType)
            b.appendLE(r.time.packed)
            b.append(r.state)
            b.append(contentsOf: [UInt8](repeating: 0, count: 8))
        }
        return b
    }

    public func decode(_ bytes: some Collection<UInt8>) throws(ZKDecodeError) -> ZKAttendanceRecord {
        var r = ByteReader(bytes, what: "\(rawValue)-byte attendance record")
        guard r.remaining == rawValue else { throw .inconsistentLength(what: "\(rawValue)-byte attendance record", declared: rawValue, actual: r.remaining) }
        switch self {
        case .compact:
            let uid = try r.u16()
            let verify = try r.u8()
            let time = try r.u32()
            let state = try r.u8()
            return ZKAttendanceRecord(uid: uid, userID: String(uid), time: ZKLocalTime(packed: time), verifyType: verify, state: state)
        case .numeric:
            let user = try r.u32()
            let time = try r.u32()
            let verify = try r.u8()
            let state = try r.u8()
            try r.skip(2)
            let work = try r.u32()
            return ZKAttendanceRecord(uid: nil, userID: String(user), time: ZKLocalTime(packed: time), verifyType: verify, state: state, workCode: work)
        case .full:
            let uid = try r.u16()
            let user = try r.take(24)
            let verify = try r.u8()
            let time = try r.u32()
            let state = try r.u8()
            let userID = String(decoding: user.prefix { $0 != 0 }, as: UTF8.self)
            return ZKAttendanceRecord(uid: uid, userID: userID, time: ZKLocalTime(packed: time), verifyType: verify, state: state)
        }
    }
}

extension ZKAttendanceLayout {
    /// Decodes consecutive records of this layout (a download's body, or a part of it) in one pass over the bytes.
    /// The same fields as ``decode(_:)``; a byte count that is not a whole number of records is an error.
    public func decodeAll(_ body: ArraySlice<UInt8>) throws(ZKDecodeError) -> [ZKAttendanceRecord] {
        let size = rawValue
        guard body.count % size == 0 else {
            throw .inconsistentLength(what: "\(size)-byte attendance records", declared: body.count / size * size, actual: body.count)
        }
        var result: [ZKAttendanceRecord] = []
        result.reserveCapacity(body.count / size)
        body.withUnsafeBufferPointer { bytes in
            func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
            func u32(_ i: Int) -> UInt32 { UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24 }
            var at = 0
            while at < bytes.count {
                switch self {
                case .compact:
                    let uid = u16(at)
                    result.append(ZKAttendanceRecord(uid: uid, userID: String(uid), time: ZKLocalTime(packed: u32(at + 3)),
                                                     verifyType: bytes[at + 2], state: bytes[at + 7]))
                case .numeric:
                    result.append(ZKAttendanceRecord(uid: nil, userID: String(u32(at)), time: ZKLocalTime(packed: u32(at + 4)),
                                                     verifyType: bytes[at + 8], state: bytes[at + 9], workCode: u32(at + 12)))
                case .full:
                    var length = 0
                    while length < 24 && bytes[at + 2 + length] != 0 { length += 1 }
                    let userID = String(decoding: UnsafeBufferPointer(rebasing: bytes[(at + 2)..<(at + 2 + length)]), as: UTF8.self)
                    result.append(ZKAttendanceRecord(uid: u16(at), userID: userID, time: ZKLocalTime(packed: u32(at + 27)),
                                                     verifyType: bytes[at + 26], state: bytes[at + 31]))
                }
                at += size
            }
        }
        return result
    }
}

/// A whole dataset as a bulk read returns it: a u32 byte count, then the records.
public enum ZKDataset {
    /// Splits a dataset into its body, checking the declared byte count against what arrived.
    public static func body(_ dataset: [UInt8], what: String) throws(ZKDecodeError) -> ArraySlice<UInt8> {
        guard dataset.count >= 4 else {
            if dataset.isEmpty { return [] }
            throw .tooShort(what: what, needed: 4, got: dataset.count)
        }
        let declared = Int(UInt32(dataset[0]) | UInt32(dataset[1]) << 8 | UInt32(dataset[2]) << 16 | UInt32(dataset[3]) << 24)
        guard declared == dataset.count - 4 else { throw .inconsistentLength(what: what, declared: declared, actual: dataset.count - 4) }
        return dataset[4...]
    }

    /// Wraps records into a dataset.
    public static func wrap(_ body: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        b.appendLE(UInt32(body.count))
        b.append(contentsOf: body)
        return b
    }

    /// The record layout of an attendance dataset: its byte count divided by the record count the terminal
    /// reported. A size that fits no layout is an error, never a guess.
    public static func attendanceLayout(bodyBytes: Int, records: Int) throws(ZKDecodeError) -> ZKAttendanceLayout? {
        if bodyBytes == 0 && records == 0 { return nil }
        guard records > 0, bodyBytes % records == 0, let layout = ZKAttendanceLayout(rawValue: bodyBytes / records) else {
            throw .unknownRecordSize(what: "attendance dataset", totalBytes: bodyBytes, records: records)
        }
        return layout
    }

    /// Decodes an attendance dataset of `records` records.
    public static func attendance(_ dataset: [UInt8], records: Int) throws(ZKDecodeError) -> (ZKAttendanceLayout?, [ZKAttendanceRecord]) {
        let body = try body(dataset, what: "attendance dataset")
        guard let layout = try attendanceLayout(bodyBytes: body.count, records: records) else { return (nil, []) }
        return (layout, try layout.decodeAll(body))
    }
}
