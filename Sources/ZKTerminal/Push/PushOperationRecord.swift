// OPERLOG (and BIODATA) lines of the push protocol: `USER` (a user), `FP` / `BIODATA` (a fingerprint template) and
// `OPLOG` (an operation at the terminal: enrolment, deletion, menu, alarm …).
import Foundation

/// A user as the push protocol carries it (`USER PIN=..\tName=..\tPri=..\tPasswd=..\tCard=..\tGrp=..\tTZ=..`), and as
/// `DATA UPDATE USERINFO` writes it.
public struct PushUserRecord: Sendable, Hashable, Codable {
    public var pin: String
    /// The name as enrolled (GB18030 on Chinese firmware; decoded here).
    public var name: String
    /// 0 user, 2 enroller, 6 manager, 14 administrator.
    public var privilege: Int
    /// The terminal password (the digits typed instead of a finger), empty when none.
    public var password: String
    /// The card number as the terminal writes it (decimal; some firmware writes `[hex]`), empty when none.
    public var card: String
    public var group: String
    /// The user's time zones (access control), kept as sent.
    public var timeZone: String

    public init(pin: String, name: String, privilege: Int = 0, password: String = "", card: String = "", group: String = "1", timeZone: String = "0") {
        self.pin = pin
        self.name = name
        self.privilege = privilege
        self.password = password
        self.card = card
        self.group = group
        self.timeZone = timeZone
    }

    /// Reads the fields after `USER ` (or after `DATA UPDATE USERINFO `).
    /// - Throws: ``PushDecodeError`` without `PIN=`, with an unusable PIN, or a `Pri=` that is not a number in 0...255.
    public init(fields text: Substring) throws(PushDecodeError) {
        let pairs = PushFields.pairs(text, record: "USER")
        pin = try PushFields.pin(try PushFields.required("PIN", in: pairs, record: "the USER record"))
        name = PushFields.value("Name", in: pairs) ?? ""
        if let pri = PushFields.value("Pri", in: pairs) ?? PushFields.value("Privilege", in: pairs), !pri.isEmpty {
            privilege = try PushFields.integer(pri, field: "privilege (Pri)", range: 0...255)
        } else {
            privilege = 0
        }
        password = PushFields.value("Passwd", in: pairs) ?? ""
        card = PushFields.value("Card", in: pairs) ?? ""
        group = PushFields.value("Grp", in: pairs) ?? ""
        timeZone = PushFields.value("TZ", in: pairs) ?? ""
    }

    /// `PIN=..\tName=..\tPri=..\tPasswd=..\tCard=..\tGrp=..\tTZ=..`.
    /// - Throws: ``PushDecodeError/forbiddenCharacter(field:value:)`` when a value holds a tab, line break or control.
    public func fields() throws(PushDecodeError) -> String {
        _ = try PushFields.pin(pin)
        for (field, value) in [("name", name), ("password", password), ("card", card), ("group", group), ("time zones", timeZone)] {
            try PushFields.checkSendable(value, field: "the user's \(field)")
        }
        return "PIN=\(pin)\tName=\(name)\tPri=\(privilege)\tPasswd=\(password)\tCard=\(card)\tGrp=\(group)\tTZ=\(timeZone)"
    }
}

/// One enrolled finger as the push protocol carries it: `FP PIN=..\tFID=..\tSize=..\tValid=..\tTMP=<base64>` (and
/// `BIODATA Pin=..\tNo=..\tType=1\t…\tTmp=<base64>` on push 2.4+ firmware).
public struct PushTemplateRecord: Sendable, Hashable, Codable {
    public var pin: String
    /// Which finger, 0-9.
    public var finger: Int
    /// 1 valid, 3 duress finger, 0 invalid.
    public var valid: Int
    /// The template bytes (as the pull protocol reads them; base64 on the wire).
    public var template: [UInt8]

    public init(pin: String, finger: Int, valid: Int = 1, template: [UInt8]) {
        self.pin = pin
        self.finger = finger
        self.valid = valid
        self.template = template
    }

    /// Reads the fields after `FP ` (or after `DATA UPDATE FINGERTMP `).
    /// - Throws: ``PushDecodeError`` without `PIN=`, `FID=` or `TMP=`, with a finger outside 0-9, template data that is
    ///   not base64 or larger than ``ZKFingerprintTemplate/maximumSize``, or a `Size=` that matches neither the base64
    ///   text nor the bytes.
    public init(fields text: Substring) throws(PushDecodeError) {
        let pairs = PushFields.pairs(text, record: "FP")
        pin = try PushFields.pin(try PushFields.required("PIN", in: pairs, record: "the FP record"))
        let fid = PushFields.value("FID", in: pairs) ?? PushFields.value("FingerID", in: pairs)
        guard let fid else { throw .missingKey(record: "the FP record", key: "FID") }
        finger = try PushFields.integer(fid, field: "finger (FID)", range: 0...9)
        valid = try PushFields.value("Valid", in: pairs).map { v throws(PushDecodeError) in try PushFields.integer(v, field: "Valid", range: 0...255) } ?? 1
        let data = try PushFields.required("TMP", in: pairs, record: "the FP record")
        template = try Self.decodeTemplate(data)
        if let size = PushFields.value("Size", in: pairs), !size.isEmpty {
            let declared = try PushFields.integer(size, field: "Size", range: 0...1_000_000)
            let text = data.trimmingCharacters(in: .whitespaces)
            guard declared == text.utf8.count || declared == template.count || declared == text.trimmingCharacters(in: CharacterSet(charactersIn: "=")).utf8.count else {
                throw .sizeMismatch(declared: declared, actual: text.utf8.count)
            }
        }
    }

    /// Reads the fields after `BIODATA `; nil for biometrics other than fingerprints (`Type=` not 1: faces, palms),
    /// which the gateway does not keep.
    public static func biodata(fields text: Substring) throws(PushDecodeError) -> PushTemplateRecord? {
        let pairs = PushFields.pairs(text, record: "BIODATA")
        if let type = PushFields.value("Type", in: pairs), !type.isEmpty {
            guard try PushFields.integer(type, field: "biometric Type", range: 0...255) == 1 else { return nil }
        }
        let pin = try PushFields.pin(try PushFields.required("Pin", in: pairs, record: "the BIODATA record"))
        let finger = try PushFields.integer(try PushFields.required("No", in: pairs, record: "the BIODATA record"), field: "finger (No)", range: 0...9)
        let valid = try PushFields.value("Valid", in: pairs).map { v throws(PushDecodeError) in try PushFields.integer(v, field: "Valid", range: 0...255) } ?? 1
        let duress = PushFields.value("Duress", in: pairs) == "1"
        let template = try decodeTemplate(try PushFields.required("Tmp", in: pairs, record: "the BIODATA record"))
        return PushTemplateRecord(pin: pin, finger: finger, valid: duress ? 3 : valid, template: template)
    }

    /// `PIN=..\tFID=..\tSize=..\tValid=..\tTMP=..`, Size being the length of the base64 text.
    public func fields() throws(PushDecodeError) -> String {
        _ = try PushFields.pin(pin)
        guard (0...9).contains(finger) else { throw .outOfRange(field: "finger (FID)", value: finger, range: 0...9) }
        let data = Data(template).base64EncodedString()
        return "PIN=\(pin)\tFID=\(finger)\tSize=\(data.utf8.count)\tValid=\(valid)\tTMP=\(data)"
    }

    static func decodeTemplate(_ text: String) throws(PushDecodeError) -> [UInt8] {
        var data = text.trimmingCharacters(in: .whitespaces)
        guard !data.isEmpty else { throw .invalidTemplate("is empty (TMP=)") }
        if data.utf8.count % 4 != 0 { data += String(repeating: "=", count: 4 - data.utf8.count % 4) }
        guard let bytes = Data(base64Encoded: data) else { throw .invalidTemplate("is not base64") }
        guard !bytes.isEmpty else { throw .invalidTemplate("decodes to nothing") }
        guard bytes.count <= ZKFingerprintTemplate.maximumSize else {
            throw .invalidTemplate("is \(bytes.count) bytes; templates are at most \(ZKFingerprintTemplate.maximumSize)")
        }
        return [UInt8](bytes)
    }
}

/// Something done at the terminal (`OPLOG type \t operator \t time \t object \t value1 \t value2 \t reserved`):
/// 0 start-up, 3 alarm, 4 menu entered, 6 fingerprint enrolled, 9 user deleted, 10 fingerprints deleted, 30 user
/// added, and so on.
public struct PushOperationEvent: Sendable, Hashable {
    /// The operation code.
    public var type: Int
    /// Who did it: the administrator's user id, 0 for the terminal itself.
    public var operatorID: String
    public var time: ZKLocalTime
    /// The fields after the time: the object (usually a user id) and values, as sent.
    public var objects: [String]

    public init(type: Int, operatorID: String = "0", time: ZKLocalTime, objects: [String] = ["0", "0", "0", "0"]) {
        self.type = type
        self.operatorID = operatorID
        self.time = time
        self.objects = objects
    }

    /// Reads the fields after `OPLOG `.
    /// - Throws: ``PushDecodeError`` for fewer than 3 fields, a type that is not a number, or a time that is not one.
    public init(fields text: Substring) throws(PushDecodeError) {
        let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 3 else { throw .tooFewFields(what: "the OPLOG record", found: fields.count, needed: 3) }
        type = try PushFields.integer(String(fields[0]), field: "operation type", range: 0...65_535)
        operatorID = String(fields[1]).trimmingCharacters(in: .whitespaces)
        time = try PushFields.time(String(fields[2]), field: "operation time")
        objects = fields.dropFirst(3).map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    public var fields: String {
        ([String(type), operatorID, time.description] + objects).joined(separator: "\t")
    }

    /// The user id an operation is about (enrolment, deletion), when it names one.
    public var subject: String? { objects.first.flatMap { $0.isEmpty || $0 == "0" ? nil : $0 } }

    /// What the code means, for ops (the codes of the protocol's operation table).
    public var meaning: String {
        switch type {
        case 0: return "terminal started"
        case 1: return "terminal shut down"
        case 2: return "verification failed"
        case 3: return "alarm"
        case 4: return "menu entered"
        case 5: return "settings changed"
        case 6: return "fingerprint enrolled"
        case 7: return "password enrolled"
        case 8: return "card enrolled"
        case 9: return "user deleted"
        case 10: return "fingerprints deleted"
        case 11: return "password deleted"
        case 12: return "card deleted"
        case 13: return "all data cleared"
        case 21: return "time set"
        case 22: return "factory settings restored"
        case 23: return "attendance records deleted"
        case 24: return "administrator rights removed"
        case 30: return "user added"
        case 31: return "fingerprint changed"
        case 32: return "duress alarm"
        default: return "operation \(type)"
        }
    }
}

/// One line of an OPERLOG (or BIODATA) upload.
public enum PushOperationRecord: Sendable, Hashable {
    case user(PushUserRecord)
    case fingerprint(PushTemplateRecord)
    case event(PushOperationEvent)
    /// A record of a kind the protocol has and the gateway does not keep (user photos, faces, palms): named, not kept.
    case other(kind: String)

    /// Reads one line. `BIODATA` uploads whose lines lack the `BIODATA ` prefix are read by
    /// ``init(biodataLine:)``.
    /// - Throws: ``PushDecodeError/unknownRecord(_:)`` for a line of no known kind, or the record's own error.
    public init(line: String) throws(PushDecodeError) {
        let trimmed = line.drop { $0 == " " }
        let head = trimmed.prefix { $0 != " " && $0 != "\t" }
        let rest = trimmed.dropFirst(head.count).drop { $0 == " " }
        switch head.uppercased() {
        case "USER", "USERINFO": self = .user(try PushUserRecord(fields: rest))
        case "FP", "FINGERTMP": self = .fingerprint(try PushTemplateRecord(fields: rest))
        case "OPLOG": self = .event(try PushOperationEvent(fields: rest))
        case "BIODATA":
            if let template = try PushTemplateRecord.biodata(fields: rest) { self = .fingerprint(template) } else { self = .other(kind: "BIODATA") }
        case "USERPIC", "BIOPHOTO", "FACE", "FVEIN", "ATTPHOTO", "WORKCODE", "SMS", "USER_SMS", "IDCARD", "ERRORLOG":
            self = .other(kind: head.uppercased())
        default:
            throw .unknownRecord(String(trimmed.prefix(24)))
        }
    }

    /// Reads a line of a `table=BIODATA` upload, with or without its `BIODATA ` prefix.
    public init(biodataLine line: String) throws(PushDecodeError) {
        let upper = line.uppercased()
        if ["BIODATA ", "FP ", "USER ", "OPLOG "].contains(where: { upper.hasPrefix($0) }) {
            try self.init(line: line)
        } else if let template = try PushTemplateRecord.biodata(fields: Substring(line)) {
            self = .fingerprint(template)
        } else {
            self = .other(kind: "BIODATA")
        }
    }

    /// The line a terminal sends for it (a test fake's upload).
    public func line() throws(PushDecodeError) -> String {
        switch self {
        case .user(let user): return "USER " + (try user.fields())
        case .fingerprint(let template): return "FP " + (try template.fields())
        case .event(let event): return "OPLOG " + event.fields
        case .other(let kind): throw .unknownRecord(kind)
        }
    }
}
