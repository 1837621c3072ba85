// Fingerprint templates: read as a dataset of `<H H b b>` + template records, written back with users in one buffer.
import Foundation

/// One enrolled finger.
public struct ZKFingerprintTemplate: Sendable, Hashable, Codable {
    /// The user's internal slot on the terminal.
    public var uid: UInt16
    /// Which finger, 0-9.
    public var fingerIndex: UInt8
    public var valid: UInt8
    public var template: [UInt8]

    public init(uid: UInt16, fingerIndex: UInt8, valid: UInt8 = 1, template: [UInt8]) {
        self.uid = uid
        self.fingerIndex = fingerIndex
        self.valid = valid
        self.template = template
    }

    /// The largest template we accept (real ones are 0.5-2 KiB).
    public static let maximumSize = 16 * 1024

    /// The dataset record: size (header included), uid, finger, valid, template.
    public func datasetRecord() -> [UInt8] {
        var b: [UInt8] = []
        b.appendLE(UInt16(template.count + 6))
        b.appendLE(uid)
        b.append(fingerIndex)
        b.append(valid)
        b.append(contentsOf: template)
        return b
    }
}

extension ZKDataset {
    /// Decodes a template dataset.
    public static func templates(_ dataset: [UInt8]) throws(ZKDecodeError) -> [ZKFingerprintTemplate] {
        let body = try body(dataset, what: "template dataset")
        var r = ByteReader(body, what: "template record")
        var result: [ZKFingerprintTemplate] = []
        while r.remaining > 0 {
            let size = Int(try r.u16())
            guard size > 6, size - 6 <= ZKFingerprintTemplate.maximumSize else {
                throw .invalidField(what: "template record at byte \(r.offset - 2)", detail: "size \(size) is not a template size")
            }
            let uid = try r.u16()
            let finger = try r.u8()
            let valid = try r.u8()
            guard finger <= 9 else { throw .invalidField(what: "template of uid \(uid)", detail: "finger index \(finger) is not 0-9") }
            let template = Array(try r.take(size - 6))
            result.append(ZKFingerprintTemplate(uid: uid, fingerIndex: finger, valid: valid, template: template))
        }
        return result
    }

    /// The buffer SAVE_USERTEMPS reads: three u32 lengths, the users (each 0x02-prefixed), a table of
    /// `<b H b I>` (2, uid, 0x10 + finger, offset) and the templates (each u16 size + bytes).
    public static func userTemplateUpload(users: [ZKUser], layout: ZKUserLayout, templates: [ZKFingerprintTemplate]) -> [UInt8] {
        var userPart: [UInt8] = []
        for user in users {
            userPart.append(2)
            userPart.append(contentsOf: layout.encode(user))
        }
        var table: [UInt8] = []
        var fingers: [UInt8] = []
        for t in templates {
            table.append(2)
            table.appendLE(t.uid)
            table.append(0x10 + t.fingerIndex)
            table.appendLE(UInt32(fingers.count))
            fingers.appendLE(UInt16(t.template.count))
            fingers.append(contentsOf: t.template)
        }
        var b: [UInt8] = []
        b.appendLE(UInt32(userPart.count))
        b.appendLE(UInt32(table.count))
        b.appendLE(UInt32(fingers.count))
        return b + userPart + table + fingers
    }

    /// Reads back what ``userTemplateUpload(users:layout:templates:)`` wrote (the terminal's side, and the
    /// simulator's).
    public static func parseUserTemplateUpload(_ bytes: [UInt8]) throws(ZKDecodeError) -> (users: [ZKUser], templates: [ZKFingerprintTemplate]) {
        var r = ByteReader(bytes, what: "user/template upload")
        let userBytes = Int(try r.u32()), tableBytes = Int(try r.u32()), fingerBytes = Int(try r.u32())
        guard 12 + userBytes + tableBytes + fingerBytes == bytes.count else {
            throw .inconsistentLength(what: "user/template upload", declared: 12 + userBytes + tableBytes + fingerBytes, actual: bytes.count)
        }
        let users: [ZKUser]
        let userRecords = try r.take(userBytes)
        if userBytes == 0 { users = [] } else if userBytes % 73 == 0 {
            users = try stride(from: userRecords.startIndex, to: userRecords.endIndex, by: 73).map { i throws(ZKDecodeError) in
                try ZKUserLayout.zk8.decode(userRecords[(i + 1)..<(i + 73)])
            }
        } else if userBytes % 29 == 0 {
            users = try stride(from: userRecords.startIndex, to: userRecords.endIndex, by: 29).map { i throws(ZKDecodeError) in
                try ZKUserLayout.zk6.decode(userRecords[(i + 1)..<(i + 29)])
            }
        } else {
            throw .unknownRecordSize(what: "uploaded users", totalBytes: userBytes, records: 0)
        }
        guard tableBytes % 8 == 0 else { throw .unknownRecordSize(what: "template table", totalBytes: tableBytes, records: tableBytes / 8) }
        let tablePart = Array(try r.take(tableBytes))
        let fingerPart = Array(try r.take(fingerBytes))
        var templates: [ZKFingerprintTemplate] = []
        for i in stride(from: 0, to: tablePart.count, by: 8) {
            var t = ByteReader(tablePart[i..<(i + 8)], what: "template table entry")
            _ = try t.u8()
            let uid = try t.u16()
            let finger = try t.u8()
            let offset = Int(try t.u32())
            var f = ByteReader(fingerPart, what: "uploaded template")
            try f.skip(offset)
            let size = Int(try f.u16())
            guard size <= ZKFingerprintTemplate.maximumSize else { throw .invalidField(what: "uploaded template", detail: "size \(size)") }
            guard finger >= 0x10, finger - 0x10 <= 9 else { throw .invalidField(what: "template table entry", detail: "finger \(finger)") }
            templates.append(ZKFingerprintTemplate(uid: uid, fingerIndex: finger - 0x10, template: Array(try f.take(size))))
        }
        return (users, templates)
    }
}
