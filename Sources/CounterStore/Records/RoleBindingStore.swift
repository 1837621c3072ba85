// Role bindings as ops change them, discovered devices (candidates) and the gateway's proposals for failed roles.
import CounterCore
import Foundation
import GRDB

/// Who put a device row in the store.
public enum DeviceOrigin: String, Sendable, Hashable, Codable {
    /// The configuration file names it.
    case config
    /// The gateway's discovery found it on USB, as an input node or a serial port.
    case discovered
    /// Ops named it by its address when replacing (a network terminal or printer).
    case ops
}

/// What the last scan saw of a discovered device.
public enum DevicePresence: String, Sendable, Hashable, Codable {
    case present
    case absent
}

/// A device as discovery and replacement see it.
public struct KnownDevice: Sendable, Hashable {
    public let id: String
    public let identity: DeviceIdentity
    public let origin: DeviceOrigin
    /// A discovered device's stable identity (profile + USB serial number, else port); nil for configured devices.
    public let identityKey: String?
    /// nil for devices discovery does not watch (configured and network devices).
    public let presence: DevicePresence?
    public let firstSeen: Date
    public let lastSeen: Date
    /// As the health checks last stored it.
    public let power: DevicePowerState
    /// The role it serves, if bound.
    public let role: String?
    /// The failed role the gateway proposes it for.
    public let proposedFor: String?
    public let proposedAt: Date?

    public init(id: String, identity: DeviceIdentity, origin: DeviceOrigin, identityKey: String?, presence: DevicePresence?, firstSeen: Date,
                lastSeen: Date, power: DevicePowerState, role: String?, proposedFor: String?, proposedAt: Date?) {
        self.id = id
        self.identity = identity
        self.origin = origin
        self.identityKey = identityKey
        self.presence = presence
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.power = power
        self.role = role
        self.proposedFor = proposedFor
        self.proposedAt = proposedAt
    }

    /// Unbound and not from the configuration: what ops may bind to a role.
    public var isCandidate: Bool { role == nil && origin != .config }
}

/// A role and what it is bound to.
public struct RoleBinding: Sendable, Hashable {
    public let role: String
    public let kind: DeviceKind
    public let windows: Set<Int>
    /// nil when the role is bound to no device.
    public let deviceID: String?
    public let device: DeviceIdentity?
    /// The bound device's power state as the health checks stored it.
    public let power: DevicePowerState?
    public let boundAt: Date?
    /// `config`, or the ops actor who bound it (`ops:wang`).
    public let boundBy: String

    public init(role: String, kind: DeviceKind, windows: Set<Int>, deviceID: String?, device: DeviceIdentity?, power: DevicePowerState?,
                boundAt: Date?, boundBy: String) {
        self.role = role
        self.kind = kind
        self.windows = windows
        self.deviceID = deviceID
        self.device = device
        self.power = power
        self.boundAt = boundAt
        self.boundBy = boundBy
    }
}

/// A device discovery found that the store does not know yet.
public struct DeviceSighting: Sendable, Hashable {
    /// The id to give it (made unique by the store if taken).
    public let suggestedID: String
    public let identityKey: String
    public let identity: DeviceIdentity

    public init(suggestedID: String, identityKey: String, identity: DeviceIdentity) {
        self.suggestedID = suggestedID
        self.identityKey = identityKey
        self.identity = identity
    }
}

/// What one scan changes in the store.
public struct DiscoveryUpdate: Sendable, Hashable {
    /// A known discovered device seen again, at the address it is at now.
    public struct Seen: Sendable, Hashable {
        public let id: String
        public let address: String

        public init(id: String, address: String) {
            self.id = id
            self.address = address
        }
    }

    /// Devices seen for the first time.
    public var appeared: [DeviceSighting]
    /// Known discovered devices seen again.
    public var seen: [Seen]
    /// Known discovered devices the scan did not see.
    public var missing: [String]

    public init(appeared: [DeviceSighting] = [], seen: [Seen] = [], missing: [String] = []) {
        self.appeared = appeared
        self.seen = seen
        self.missing = missing
    }
}

/// What a scan changed, for the log.
public struct DiscoveryChanges: Sendable, Hashable {
    /// New candidates (ids as stored).
    public var added: [String] = []
    /// Known devices seen again after being absent.
    public var returned: [String] = []
    /// Devices that were present and are gone.
    public var gone: [String] = []

    public var isEmpty: Bool { added.isEmpty && returned.isEmpty && gone.isEmpty }
}

/// A rebinding that happened.
public struct RoleRebinding: Sendable, Hashable {
    public let role: String
    public let kind: DeviceKind
    /// The device the role was bound to before, if any.
    public let previous: KnownDevice?
    public let device: KnownDevice
    public let boundBy: String
    /// False when the role was already bound to the device (nothing changed, nothing audited).
    public let changed: Bool
    /// Waiting print jobs of the role made due at once, so they print on the new printer without waiting out a retry.
    public let waitingJobs: Int
}

/// A binding that cannot be made, with what to do.
public enum DeviceBindingError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownRole(String, known: [String])
    case unknownDevice(String)
    case kindMismatch(role: String, roleKind: DeviceKind, device: String, deviceKind: DeviceKind)
    case servesAnotherRole(device: String, role: String)

    public var description: String {
        switch self {
        case .unknownRole(let role, let known):
            return "no role \(role) in the store" + (known.isEmpty ? "" : "; roles: " + known.joined(separator: ", "))
                + ". Roles come from the configuration's [[device]] entries (the gateway writes them at start)"
        case .unknownDevice(let id):
            return "no device \(id): list the candidates with `countergate devices candidates`, or name a network device by its address"
        case .kindMismatch(let role, let roleKind, let device, let deviceKind):
            return "role \(role) needs a \(roleKind.rawValue) (\(roleKind.chineseName)), but \(device) is a \(deviceKind.rawValue) (\(deviceKind.chineseName)); "
                + "choose a candidate of kind \(roleKind.rawValue)"
        case .servesAnotherRole(let device, let role):
            return "\(device) serves role \(role); a device serves one role. Replace \(role)'s device first if it should move"
        }
    }
}

extension HallStore {
    /// Every role with its binding, by name. One small query: the gateway's binding watcher runs it every second.
    public func roleBindings() async throws -> [RoleBinding] {
        try await pool.read { db in try Self.fetchBindings(db, role: nil) }
    }

    /// One role's binding, or nil when there is no such role.
    public func roleBinding(_ role: String) async throws -> RoleBinding? {
        try await pool.read { db in try Self.fetchBindings(db, role: role).first }
    }

    /// Every device with its role and what discovery knows of it, by id.
    public func knownDevices() async throws -> [KnownDevice] {
        try await pool.read { db in try Self.fetchDevices(db, id: nil) }
    }

    public func knownDevice(id: String) async throws -> KnownDevice? {
        try await pool.read { db in try Self.fetchDevices(db, id: id).first }
    }

    /// The devices ops may bind: unbound, not from the configuration; absent ones only when asked.
    public func deviceCandidates(includingAbsent: Bool = false) async throws -> [KnownDevice] {
        try await knownDevices().filter { $0.isCandidate && (includingAbsent || $0.presence != .absent) }
    }

    /// Stores what a scan found: new devices become candidates (first and last seen now), devices seen again are
    /// present with their current address, missing ones absent. Configured devices are never changed here.
    public func applyDiscovery(_ update: DiscoveryUpdate, at: Date) async throws -> DiscoveryChanges {
        try await pool.write { db in
            var changes = DiscoveryChanges()
            let now = at.storeSeconds
            for sighting in update.appeared {
                // Another scan (the CLI's) may have stored it a moment ago.
                if let id = try String.fetchOne(db, sql: "SELECT id FROM devices WHERE identity_key = ?", arguments: [sighting.identityKey]) {
                    try db.execute(sql: "UPDATE devices SET presence = 'present', last_seen = ?, address = ? WHERE id = ?",
                                   arguments: [now, sighting.identity.address, id])
                    continue
                }
                var id = sighting.suggestedID
                var n = 2
                while try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE id = ?", arguments: [id]) == true {
                    id = "\(sighting.suggestedID)-\(n)"
                    n += 1
                }
                let identity = sighting.identity
                try db.execute(sql: """
                    INSERT INTO devices (id, kind, profile, serial_number, address, first_seen, last_seen, origin, identity_key, presence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'discovered', ?, 'present')
                    """, arguments: [id, identity.kind.rawValue, identity.profile, identity.serialNumber, identity.address, now, now, sighting.identityKey])
                changes.added.append(id)
            }
            for seen in update.seen {
                let (id, address) = (seen.id, seen.address)
                let before = try String.fetchOne(db, sql: "SELECT presence FROM devices WHERE id = ? AND origin <> 'config'", arguments: [id])
                try db.execute(sql: "UPDATE devices SET presence = 'present', last_seen = ?, address = ? WHERE id = ? AND origin <> 'config'",
                               arguments: [now, address, id])
                if before == DevicePresence.absent.rawValue { changes.returned.append(id) }
            }
            for id in update.missing {
                try db.execute(sql: "UPDATE devices SET presence = 'absent' WHERE id = ? AND origin <> 'config' AND presence = 'present'", arguments: [id])
                if db.changesCount > 0 { changes.gone.append(id) }
            }
            return changes
        }
    }

    /// Records ops naming a device by its address (a network terminal or printer), or finds the row already made for
    /// the same identity. Returns the device's id.
    public func registerDevice(suggestedID: String, identityKey: String, identity: DeviceIdentity, at: Date) async throws -> String {
        try await pool.write { db in
            let now = at.storeSeconds
            if let id = try String.fetchOne(db, sql: "SELECT id FROM devices WHERE identity_key = ?", arguments: [identityKey]) {
                try db.execute(sql: "UPDATE devices SET address = ?, profile = ?, serial_number = ?, last_seen = ? WHERE id = ?",
                               arguments: [identity.address, identity.profile, identity.serialNumber, now, id])
                return id
            }
            var id = suggestedID
            var n = 2
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE id = ?", arguments: [id]) == true {
                id = "\(suggestedID)-\(n)"
                n += 1
            }
            try db.execute(sql: """
                INSERT INTO devices (id, kind, profile, serial_number, address, first_seen, last_seen, origin, identity_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'ops', ?)
                """, arguments: [id, identity.kind.rawValue, identity.profile, identity.serialNumber, identity.address, now, now, identityKey])
            try AuditChain.append(db, at: at, actor: "gateway", action: "device.registered", subject: id,
                                  detail: "\(identity.kind.rawValue) \(identity.profile) at \(identity.address)")
            return id
        }
    }

    /// Replaces the gateway's proposals with `proposals` (role → candidate id). A proposal that is new is audited
    /// and returned (so the gateway logs it once); proposals no longer made are cleared.
    @discardableResult
    public func setProposals(_ proposals: [String: String], at: Date) async throws -> [(role: String, device: String)] {
        try await pool.write { db in
            var made: [(role: String, device: String)] = []
            let current = try Row.fetchAll(db, sql: "SELECT id, proposed_for FROM devices WHERE proposed_for IS NOT NULL")
            for row in current {
                let id: String = row["id"], role: String = row["proposed_for"]
                if proposals[role] != id {
                    try db.execute(sql: "UPDATE devices SET proposed_for = NULL, proposed_at = NULL WHERE id = ?", arguments: [id])
                }
            }
            for (role, id) in proposals.sorted(by: { $0.key < $1.key }) {
                let already = try String.fetchOne(db, sql: "SELECT proposed_for FROM devices WHERE id = ?", arguments: [id])
                guard already != role else { continue }
                try db.execute(sql: "UPDATE devices SET proposed_for = ?, proposed_at = ? WHERE id = ?", arguments: [role, at.storeSeconds, id])
                guard db.changesCount > 0 else { continue }
                try AuditChain.append(db, at: at, actor: "gateway", action: "device.proposed", subject: role,
                                      detail: "candidate \(id) proposed for the failed role; binding it is up to ops (countergate devices replace \(role) --with \(id))")
                made.append((role, id))
            }
            return made
        }
    }

    /// Binds `role` to `deviceID` in one transaction, audited with the actor and the old and new device.
    ///
    /// For a printer role, the role's waiting print jobs are made due at once (their retry wait and failover clock
    /// start again), so they print on the new printer as soon as the gateway notices the binding.
    /// - Parameters:
    ///   - actor: who did it, for the audit log (`ops:wang`).
    ///   - boundBy: what the binding counts as: the actor, or `config` when ops bind the device the configuration
    ///     names for the role (the configuration owns the role again).
    /// - Throws: ``DeviceBindingError`` when the role or device is unknown, the kinds differ, or the device serves
    ///   another role.
    public func bindRole(_ role: String, to deviceID: String, actor: String, boundBy: String? = nil, at: Date) async throws -> RoleRebinding {
        try await pool.write { db in
            guard let binding = try Self.fetchBindings(db, role: role).first else {
                throw DeviceBindingError.unknownRole(role, known: try String.fetchAll(db, sql: "SELECT name FROM device_roles ORDER BY name"))
            }
            guard let device = try Self.fetchDevices(db, id: deviceID).first else { throw DeviceBindingError.unknownDevice(deviceID) }
            guard device.identity.kind == binding.kind else {
                throw DeviceBindingError.kindMismatch(role: role, roleKind: binding.kind, device: deviceID, deviceKind: device.identity.kind)
            }
            if let other = device.role, other != role { throw DeviceBindingError.servesAnotherRole(device: deviceID, role: other) }
            let previous = try binding.deviceID.flatMap { try Self.fetchDevices(db, id: $0).first }
            let by = boundBy ?? actor
            let changed = binding.deviceID != deviceID
            try db.execute(sql: """
                UPDATE device_roles SET device_id = ?, bound_by = ?, bound_at = CASE WHEN device_id IS ? THEN bound_at ELSE ? END WHERE name = ?
                """, arguments: [deviceID, by, deviceID, at.storeSeconds, role])
            try db.execute(sql: "UPDATE devices SET proposed_for = NULL, proposed_at = NULL WHERE proposed_for = ?", arguments: [role])
            var waiting = 0
            if binding.kind == .printer {
                try db.execute(sql: """
                    UPDATE print_jobs SET next_attempt_at = 0, waiting_since = NULL, updated_at = ? WHERE printer_role = ? AND state IN ('waiting', 'queued')
                    """, arguments: [at.storeSeconds, role])
                waiting = db.changesCount
            }
            if changed {
                func describe(_ d: KnownDevice) -> String { "\(d.id) (\(d.identity.profile) at \(d.identity.address)" + (d.identity.serialNumber.map { ", serial \($0)" } ?? "") + ")" }
                var detail = "from \(previous.map(describe) ?? "no device") to \(describe(device))"
                if binding.kind == .printer { detail += "; \(waiting) waiting print job(s) re-routed" }
                if by == "config" { detail += "; the configuration owns the role again" }
                try AuditChain.append(db, at: at, actor: actor, action: "role.rebound", subject: role, detail: detail)
            }
            let bound = try Self.fetchDevices(db, id: deviceID).first ?? device
            return RoleRebinding(role: role, kind: binding.kind, previous: previous, device: bound, boundBy: by, changed: changed, waitingJobs: waiting)
        }
    }

    static func fetchBindings(_ db: Database, role: String?) throws -> [RoleBinding] {
        var sql = """
            SELECT r.name, r.kind, r.windows, r.device_id, r.bound_at, r.bound_by,
                   d.kind AS device_kind, d.profile, d.serial_number, d.address, d.power_state
            FROM device_roles r LEFT JOIN devices d ON d.id = r.device_id
            """
        var arguments = StatementArguments()
        if let role {
            sql += " WHERE r.name = ?"
            arguments += [role]
        }
        sql += " ORDER BY r.name"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let kind = DeviceKind(rawValue: row["kind"]) else { return nil }
            let windows = Set(((row["windows"] as String?) ?? "").split(separator: ",").compactMap { Int($0) })
            var device: DeviceIdentity?
            if (row["device_id"] as String?) != nil, let deviceKind = DeviceKind(rawValue: row["device_kind"] ?? "") {
                device = DeviceIdentity(kind: deviceKind, profile: row["profile"], serialNumber: row["serial_number"], address: row["address"])
            }
            return RoleBinding(role: row["name"], kind: kind, windows: windows, deviceID: row["device_id"], device: device,
                               power: (row["power_state"] as String?).flatMap(DevicePowerState.init(rawValue:)),
                               boundAt: (row["bound_at"] as Int64?).map(Date.init(storeSeconds:)), boundBy: row["bound_by"])
        }
    }

    static func fetchDevices(_ db: Database, id: String?) throws -> [KnownDevice] {
        var sql = "SELECT d.*, r.name AS role FROM devices d LEFT JOIN device_roles r ON r.device_id = d.id"
        var arguments = StatementArguments()
        if let id {
            sql += " WHERE d.id = ?"
            arguments += [id]
        }
        sql += " ORDER BY d.id"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            // A kind this version does not know (a newer gateway's row) is left out rather than misread.
            guard let kind = DeviceKind(rawValue: row["kind"]) else { return nil }
            return KnownDevice(id: row["id"],
                               identity: DeviceIdentity(kind: kind, profile: row["profile"], serialNumber: row["serial_number"], address: row["address"]),
                               origin: DeviceOrigin(rawValue: row["origin"]) ?? .config, identityKey: row["identity_key"],
                               presence: (row["presence"] as String?).flatMap(DevicePresence.init(rawValue:)),
                               firstSeen: Date(storeSeconds: row["first_seen"]), lastSeen: Date(storeSeconds: row["last_seen"]),
                               power: DevicePowerState(rawValue: row["power_state"]) ?? .unknown, role: row["role"],
                               proposedFor: row["proposed_for"], proposedAt: (row["proposed_at"] as Int64?).map(Date.init(storeSeconds:)))
        }
    }
}
