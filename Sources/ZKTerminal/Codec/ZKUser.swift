// Users enrolled on a terminal, in the 28-byte (ZK6) and 72-byte (ZK8) layouts; names are GB18030 on Chinese firmware.
import DeviceKit
import Foundation

/// A user as the terminal stores it.
public struct ZKUser: Sendable, Hashable, Codable {
    /// The terminal's internal slot number.
    public var uid: UInt16
    /// 0 user, 2 enroller, 6 manager, 14 administrator.
    public var privilege: UInt8
    public var password: String
    public var name: String
    public var card: UInt32
    public var group: String
    /// The user id (工号 on the terminal); what punches carry and what staff records map to.
    public var userID: String

    public init(uid: UInt16, privilege: UInt8 = 0, password: String = "", name: String, card: UInt32 = 0, group: String = "1", userID: String) {
        self.uid = uid
        self.privilege = privilege
        self.password = password
        self.name = name
        self.card = card
        self.group = group
        self.userID = userID
    }
}

public enum ZKUserLayout: Int, Sendable, CaseIterable {
    /// `<H B 5s 8s I x B h I>`: numeric user id, 8-byte name.
    case zk6 = 28
    /// `<H B 8s 24s I x 7s x 24s>`: text user id, 24-byte name.
    case zk8 = 72

    /// The record for USER_WRQ and for datasets. Names are written in GB18030.
    public func encode(_ u: ZKUser) -> [UInt8] {
        let name = GB18030.encode(u.name) ?? Array(u.name.utf8)
        var b: [UInt8] = []
        b.appendLE(u.uid)
        b.append(u.privilege)
        switch self {
        case .zk6:
            b.appendField(Array(u.password.utf8), width: 5)
            b.appendField(name, width: 8)
            b.appendLE(u.card)
            b.append(0)
            b.append(UInt8(u.group) ?? 0)
            b.appendLE(UInt16(0))  // time zone
            b.appendLE(UInt32(u.userID) ?? 0)
        case .zk8:
            b.appendField(Array(u.password.utf8), width: 8)
            b.appendField(name, width: 24)
            b.appendLE(u.card)
            b.append(0)
            b.appendField(Array(u.group.utf8), width: 7)
            b.append(0)
            b.appendField(Array(u.userID.utf8), width: 24)
        }
        return b
    }

    public func decode(_ bytes: some Collection<UInt8>) throws(ZKDecodeError) -> ZKUser {
        var r = ByteReader(bytes, what: "\(rawValue)-byte user record")
        guard r.remaining == rawValue else { throw .inconsistentLength(what: "\(rawValue)-byte user record", declared: rawValue, actual: r.remaining) }
        let uid = try r.u16()
        let privilege = try r.u8()
        switch self {
        case .zk6:
            let password = GB18030.decodeField(try r.take(5))
            let name = GB18030.decodeField(try r.take(8))
            let card = try r.u32()
            try r.skip(1)
            let group = try r.u8()
            try r.skip(2)
            let userID = try r.u32()
            return ZKUser(uid: uid, privilege: privilege, password: password, name: name, card: card, group: String(group), userID: String(userID))
        case .zk8:
            let password = GB18030.decodeField(try r.take(8))
            let name = GB18030.decodeField(try r.take(24))
            let card = try r.u32()
            try r.skip(1)
            let group = GB18030.decodeField(try r.take(7))
            try r.skip(1)
            let userID = GB18030.decodeField(try r.take(24))
            return ZKUser(uid: uid, privilege: privilege, password: password, name: name, card: card, group: group, userID: userID)
        }
    }
}

extension ZKDataset {
    /// Decodes a user dataset of `records` users; the layout is derived from the sizes.
    public static func users(_ dataset: [UInt8], records: Int) throws(ZKDecodeError) -> (ZKUserLayout?, [ZKUser]) {
        let body = try body(dataset, what: "user dataset")
        if body.isEmpty && records == 0 { return (nil, []) }
        guard records > 0, body.count % records == 0, let layout = ZKUserLayout(rawValue: body.count / records) else {
            throw .unknownRecordSize(what: "user dataset", totalBytes: body.count, records: records)
        }
        var users: [ZKUser] = []
        var i = body.startIndex
        while i < body.endIndex {
            users.append(try layout.decode(body[i..<(i + layout.rawValue)]))
            i += layout.rawValue
        }
        return (layout, users)
    }
}
