// Push terminals in the store: uploads committed with their stamps in one transaction, lines that could not be read
// kept raw, what each terminal said about itself, the gateway's copy of each terminal role's users and fingerprints,
// operations done at the terminals, and unknown serials recorded as candidates.
import CounterCore
import Foundation
import GRDB

/// A user in the gateway's copy of a terminal role (what a replacement terminal is given).
public struct PushStoredUser: Sendable, Hashable {
    public var pin: String
    public var name: String
    public var privilege: Int
    public var password: String
    public var card: String
    public var group: String
    public var timeZone: String

    public init(pin: String, name: String, privilege: Int, password: String, card: String, group: String, timeZone: String) {
        self.pin = pin
        self.name = name
        self.privilege = privilege
        self.password = password
        self.card = card
        self.group = group
        self.timeZone = timeZone
    }
}

/// A fingerprint template in the gateway's copy of a terminal role.
public struct PushStoredTemplate: Sendable, Hashable {
    public var pin: String
    public var finger: Int
    public var valid: Int
    public var template: Data

    public init(pin: String, finger: Int, valid: Int, template: Data) {
        self.pin = pin
        self.finger = finger
        self.valid = valid
        self.template = template
    }
}

/// An operation done at a terminal (OPLOG).
public struct PushStoredOperation: Sendable, Hashable {
    public var type: Int
    public var operatorID: String
    public var at: Date
    /// The fields after the time, tab-separated as sent.
    public var objects: String

    public init(type: Int, operatorID: String, at: Date, objects: String) {
        self.type = type
        self.operatorID = operatorID
        self.at = at
        self.objects = objects
    }
}

/// A line that could not be read, kept with its bytes.
public struct PushQuarantinedLine: Sendable, Hashable {
    public var lineNumber: Int
    public var raw: Data
    public var reason: String

    public init(lineNumber: Int, raw: Data, reason: String) {
        self.lineNumber = lineNumber
        self.raw = raw
        self.reason = reason
    }
}

/// One upload of a push terminal, as it is to be committed.
public struct PushUpload: Sendable {
    public var serial: String
    /// The role the terminal serves (its users and templates are that role's copy).
    public var role: String
    /// The table the upload was posted to (`ATTLOG`, `OPERLOG`, `BIODATA`): whose stamp it advances.
    public var table: String
    /// The stamp the terminal sent with the upload; committed with the data it covers, never ahead of it.
    public var stamp: String?
    public var punches: [Punch] = []
    public var flags: [PunchIdentity: String] = [:]
    public var users: [PushStoredUser] = []
    public var templates: [PushStoredTemplate] = []
    /// Users deleted at the terminal (OPLOG 9): removed from the copy with their templates.
    public var deletedUsers: [String] = []
    /// Fingers deleted at the terminal (OPLOG 10): nil finger, all of the user's.
    public var deletedTemplates: [(pin: String, finger: Int?)] = []
    public var operations: [PushStoredOperation] = []
    public var quarantined: [PushQuarantinedLine] = []
    public var receivedAt: Date

    public init(serial: String, role: String, table: String, stamp: String?, receivedAt: Date) {
        self.serial = serial
        self.role = role
        self.table = table
        self.stamp = stamp
        self.receivedAt = receivedAt
    }
}

/// What committing an upload did.
public struct PushUploadOutcome: Sendable, Equatable {
    public var inserted = 0
    public var alreadyStored = 0
    /// Lines kept in quarantine (a resent bad line counts again, but is kept once).
    public var quarantined = 0
    /// Users and templates added, changed or removed in the role's copy.
    public var copyChanges = 0
    public var newOperations = 0
    /// Whether the table's stamp moved forward.
    public var stampAdvanced = false

    public init() {}
}

/// A quarantined line as ops review it.
public struct PushQuarantineRecord: Sendable, Hashable {
    public let id: Int64
    public let serial: String
    public let table: String
    public let lineNumber: Int
    public let raw: Data
    public let reason: String
    public let receivedAt: Date
    public let reviewedBy: String?
    public let reviewedAt: Date?

    /// The raw line as text (UTF-8 where it is; bytes that are not shown as `\xNN`).
    public var rawText: String {
        if let text = String(data: raw, encoding: .utf8) { return text }
        return raw.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }
}

/// What a push terminal last said about itself.
public struct PushTerminalRecord: Sendable, Hashable {
    public let serial: String
    public let firstSeen: Date
    public let lastSeen: Date
    public let lastHandshake: Date?
    public let pushVersion: String?
    public let remoteAddress: String?
    /// `utf-8` or `gb18030`, once the terminal sent text beyond ASCII.
    public let textEncoding: String?
    /// What it reported (table=options, INFO).
    public let facts: [String: String]
}

/// Whether an unknown serial was recorded.
public enum PushCandidateOutcome: Sendable, Equatable {
    /// A new candidate, with its device id.
    case recorded(String)
    /// Already a candidate (its last sighting refreshed).
    case known(String)
    /// Not recorded: the store holds the most candidates allowed (a flood of made-up serials).
    case full
}

extension HallStore {
    /// Commits uploads in one transaction: each one's punches (idempotently, the identity of pull-mode punches),
    /// quarantined lines, users, templates and operations, and its table's stamp, which moves only forward and only
    /// with the data it covers. Quarantined lines are audited per upload.
    /// - Returns: one outcome per upload, in order.
    public func commitPushUploads(_ uploads: [PushUpload]) async throws -> [PushUploadOutcome] {
        try await pool.write { db in
            // Punches are written as pulled ones are (PunchWriter): the same identity, so a punch is stored once however it came.
            let punches = uploads.contains { !$0.punches.isEmpty } ? try PunchWriter(db) : nil
            var outcomes: [PushUploadOutcome] = []
            for upload in uploads {
                var outcome = PushUploadOutcome()
                let received = upload.receivedAt.storeSeconds
                if let punches {
                    outcome.inserted = try punches.insert(upload.punches, flags: upload.flags, receivedAt: upload.receivedAt)
                    try punches.recordBatch(db, at: upload.receivedAt, source: "push")
                    outcome.alreadyStored = upload.punches.count - outcome.inserted
                }
                for line in upload.quarantined {
                    try db.execute(sql: """
                        INSERT INTO push_quarantine (serial, table_name, line_number, raw, reason, received_at) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (serial, table_name, raw) DO NOTHING
                        """, arguments: [upload.serial, upload.table, line.lineNumber, line.raw, line.reason, received])
                    outcome.quarantined += 1
                }
                if !upload.quarantined.isEmpty {
                    let first = upload.quarantined[0]
                    try AuditChain.append(db, at: upload.receivedAt, actor: "terminal:\(upload.serial)", action: "push.quarantined", subject: upload.serial,
                                          detail: "\(upload.quarantined.count) \(upload.table) line(s) could not be read and were kept aside "
                                              + "(line \(first.lineNumber): \(first.reason)); the rest of the upload was stored. Review: countergate terminal quarantine")
                }
                for user in upload.users {
                    try db.execute(sql: """
                        INSERT INTO push_users (role, pin, name, privilege, password, card, grp, time_zone, serial, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (role, pin) DO UPDATE SET name = excluded.name, privilege = excluded.privilege, password = excluded.password,
                            card = excluded.card, grp = excluded.grp, time_zone = excluded.time_zone, serial = excluded.serial, updated_at = excluded.updated_at
                        WHERE name IS NOT excluded.name OR privilege IS NOT excluded.privilege OR password IS NOT excluded.password
                            OR card IS NOT excluded.card OR grp IS NOT excluded.grp OR time_zone IS NOT excluded.time_zone
                        """, arguments: [upload.role, user.pin, user.name, user.privilege, user.password, user.card, user.group, user.timeZone,
                                         upload.serial, received])
                    outcome.copyChanges += db.changesCount
                }
                for template in upload.templates {
                    try db.execute(sql: """
                        INSERT INTO push_templates (role, pin, finger, valid, template, serial, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (role, pin, finger) DO UPDATE SET valid = excluded.valid, template = excluded.template, serial = excluded.serial,
                            updated_at = excluded.updated_at
                        WHERE valid IS NOT excluded.valid OR template IS NOT excluded.template
                        """, arguments: [upload.role, template.pin, template.finger, template.valid, template.template, upload.serial, received])
                    outcome.copyChanges += db.changesCount
                }
                for pin in upload.deletedUsers {
                    try db.execute(sql: "DELETE FROM push_users WHERE role = ? AND pin = ?", arguments: [upload.role, pin])
                    outcome.copyChanges += db.changesCount
                    try db.execute(sql: "DELETE FROM push_templates WHERE role = ? AND pin = ?", arguments: [upload.role, pin])
                    outcome.copyChanges += db.changesCount
                }
                for (pin, finger) in upload.deletedTemplates {
                    if let finger {
                        try db.execute(sql: "DELETE FROM push_templates WHERE role = ? AND pin = ? AND finger = ?", arguments: [upload.role, pin, finger])
                    } else {
                        try db.execute(sql: "DELETE FROM push_templates WHERE role = ? AND pin = ?", arguments: [upload.role, pin])
                    }
                    outcome.copyChanges += db.changesCount
                }
                for operation in upload.operations {
                    try db.execute(sql: """
                        INSERT INTO push_operations (serial, op_type, operator, at, objects, received_at) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (serial, op_type, at, operator, objects) DO NOTHING
                        """, arguments: [upload.serial, operation.type, operation.operatorID, operation.at.storeSeconds, operation.objects, received])
                    outcome.newOperations += db.changesCount
                }
                if let stamp = upload.stamp {
                    let current = try String.fetchOne(db, sql: "SELECT stamp FROM push_stamps WHERE serial = ? AND table_name = ?",
                                                      arguments: [upload.serial, upload.table])
                    if current.map({ Self.stamp(stamp, isAfter: $0) }) ?? true {
                        try db.execute(sql: """
                            INSERT INTO push_stamps (serial, table_name, stamp, updated_at) VALUES (?, ?, ?, ?)
                            ON CONFLICT (serial, table_name) DO UPDATE SET stamp = excluded.stamp, updated_at = excluded.updated_at
                            """, arguments: [upload.serial, upload.table, stamp, received])
                        outcome.stampAdvanced = true
                    }
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    /// Whether stamp `a` is later than `b`: both are digit strings (checked on the way in), compared as numbers.
    static func stamp(_ a: String, isAfter b: String) -> Bool {
        let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
        return x.count != y.count ? x.count > y.count : x > y
    }

    /// The stamps committed for a terminal, by table (`ATTLOG`, `OPERLOG`, …).
    public func pushStamps(serial: String) async throws -> [String: String] {
        try await pool.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT table_name, stamp FROM push_stamps WHERE serial = ?", arguments: [serial])
                .map { ($0["table_name"] as String, $0["stamp"] as String) }, uniquingKeysWith: { first, _ in first })
        }
    }

    // MARK: - What terminals say about themselves

    /// Records a request of a known terminal: first and last seen, and what changed (handshake time, push version,
    /// address, encoding, facts merged in).
    public func notePushTerminal(serial: String, at: Date, remoteAddress: String?, pushVersion: String? = nil, handshake: Bool = false,
                                 textEncoding: String? = nil, facts: [String: String] = [:]) async throws {
        try await pool.write { db in
            let now = at.storeSeconds
            var merged: [String: String] = [:]
            if let stored = try String.fetchOne(db, sql: "SELECT facts FROM push_terminals WHERE serial = ?", arguments: [serial]),
               let data = stored.data(using: .utf8), let decoded = try? JSONDecoder().decode([String: String].self, from: data) {
                merged = decoded
            }
            merged.merge(facts) { _, new in new }
            let encodedFacts = String(decoding: (try? JSONEncoder().encode(merged)) ?? Data("{}".utf8), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO push_terminals (serial, first_seen, last_seen, last_handshake, push_version, remote_address, text_encoding, facts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (serial) DO UPDATE SET last_seen = excluded.last_seen,
                    last_handshake = COALESCE(excluded.last_handshake, last_handshake),
                    push_version = COALESCE(excluded.push_version, push_version),
                    remote_address = COALESCE(excluded.remote_address, remote_address),
                    text_encoding = COALESCE(excluded.text_encoding, text_encoding),
                    facts = excluded.facts
                """, arguments: [serial, now, now, handshake ? now : nil, pushVersion, remoteAddress, textEncoding, encodedFacts])
        }
    }

    public func pushTerminal(serial: String) async throws -> PushTerminalRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM push_terminals WHERE serial = ?", arguments: [serial]).map(Self.pushTerminalRecord)
        }
    }

    public func pushTerminals() async throws -> [PushTerminalRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM push_terminals ORDER BY serial").map(Self.pushTerminalRecord) }
    }

    static func pushTerminalRecord(_ row: Row) -> PushTerminalRecord {
        let facts = (row["facts"] as String?).flatMap { $0.data(using: .utf8) }.flatMap { try? JSONDecoder().decode([String: String].self, from: $0) } ?? [:]
        return PushTerminalRecord(serial: row["serial"], firstSeen: Date(storeSeconds: row["first_seen"]), lastSeen: Date(storeSeconds: row["last_seen"]),
                                  lastHandshake: (row["last_handshake"] as Int64?).map(Date.init(storeSeconds:)), pushVersion: row["push_version"],
                                  remoteAddress: row["remote_address"], textEncoding: row["text_encoding"], facts: facts)
    }

    // MARK: - Quarantine

    /// Quarantined lines, newest first: those not reviewed yet, or all.
    public func pushQuarantine(serial: String? = nil, includeReviewed: Bool = false, limit: Int = 200) async throws -> [PushQuarantineRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM push_quarantine WHERE 1"
            var arguments = StatementArguments()
            if let serial {
                sql += " AND serial = ?"
                arguments += [serial]
            }
            if !includeReviewed { sql += " AND reviewed_at IS NULL" }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                PushQuarantineRecord(id: row["id"], serial: row["serial"], table: row["table_name"], lineNumber: row["line_number"],
                                     raw: row["raw"], reason: row["reason"], receivedAt: Date(storeSeconds: row["received_at"]),
                                     reviewedBy: row["reviewed_by"], reviewedAt: (row["reviewed_at"] as Int64?).map(Date.init(storeSeconds:)))
            }
        }
    }

    /// Marks quarantined lines reviewed (ops looked at them, and entered by hand what they meant); audited.
    /// - Returns: how many were marked.
    @discardableResult
    public func reviewPushQuarantine(ids: [Int64], actor: String, note: String, at: Date) async throws -> Int {
        try await pool.write { db in
            var marked = 0
            for id in ids {
                try db.execute(sql: "UPDATE push_quarantine SET reviewed_by = ?, reviewed_at = ? WHERE id = ? AND reviewed_at IS NULL",
                               arguments: [actor, at.storeSeconds, id])
                marked += db.changesCount
            }
            if marked > 0 {
                try AuditChain.append(db, at: at, actor: actor, action: "push.quarantine.reviewed", subject: ids.map(String.init).joined(separator: ","),
                                      detail: note)
            }
            return marked
        }
    }

    // MARK: - The gateway's copy of users and templates

    public func pushUsers(role: String) async throws -> [PushStoredUser] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM push_users WHERE role = ? ORDER BY pin", arguments: [role]).map { row in
                PushStoredUser(pin: row["pin"], name: row["name"], privilege: row["privilege"], password: row["password"], card: row["card"],
                               group: row["grp"], timeZone: row["time_zone"])
            }
        }
    }

    public func pushTemplates(role: String) async throws -> [PushStoredTemplate] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM push_templates WHERE role = ? ORDER BY pin, finger", arguments: [role]).map { row in
                PushStoredTemplate(pin: row["pin"], finger: row["finger"], valid: row["valid"], template: row["template"])
            }
        }
    }

    /// Operations done at a terminal, newest first.
    public func pushOperations(serial: String, limit: Int = 100) async throws -> [PushStoredOperation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM push_operations WHERE serial = ? ORDER BY at DESC, id DESC LIMIT ?", arguments: [serial, limit]).map { row in
                PushStoredOperation(type: row["op_type"], operatorID: row["operator"], at: Date(storeSeconds: row["at"]), objects: row["objects"])
            }
        }
    }

    // MARK: - Unknown serials

    /// Records a terminal that called with a serial no role is bound to as a candidate for ops to approve (a device of
    /// kind terminal at `push:SERIAL`, origin `discovered`), or refreshes its last sighting. Audited when new.
    /// - Parameters:
    ///   - limit: candidates of push terminals kept at most; beyond it nothing is recorded (``PushCandidateOutcome/full``).
    public func recordPushCandidate(serial: String, profile: String, remoteAddress: String?, limit: Int, at: Date) async throws -> PushCandidateOutcome {
        try await pool.write { db in
            let identityKey = "\(profile)#serial=\(serial)"
            let address = DeviceLink.pushTerminal(serial: serial).description
            let now = at.storeSeconds
            if let id = try String.fetchOne(db, sql: "SELECT id FROM devices WHERE identity_key = ? OR (address = ? AND kind = 'terminal')",
                                            arguments: [identityKey, address]) {
                try db.execute(sql: "UPDATE devices SET last_seen = ? WHERE id = ?", arguments: [now, id])
                return .known(id)
            }
            let candidates = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM devices d WHERE d.address LIKE 'push:%' AND d.origin <> 'config'
                    AND NOT EXISTS (SELECT 1 FROM device_roles r WHERE r.device_id = d.id)
                """) ?? 0
            guard candidates < limit else { return .full }
            let suggested = "push-terminal-\(serial)"
            var id = suggested
            var n = 2
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE id = ?", arguments: [id]) == true {
                id = "\(suggested)-\(n)"
                n += 1
            }
            // presence stays NULL: discovery's scans do not watch network terminals, so they never mark it absent.
            try db.execute(sql: """
                INSERT INTO devices (id, kind, profile, serial_number, address, first_seen, last_seen, origin, identity_key)
                VALUES (?, 'terminal', ?, ?, ?, ?, ?, 'discovered', ?)
                """, arguments: [id, profile, serial, address, now, now, identityKey])
            try AuditChain.append(db, at: at, actor: "gateway", action: "device.candidate", subject: id,
                                  detail: "unknown push terminal \(serial) called" + (remoteAddress.map { " from \($0)" } ?? "")
                                      + "; nothing of it is stored until ops approve it (countergate terminal approve \(serial) --role ROLE)")
            return .recorded(id)
        }
    }
}
