// Devices and the roles they are bound to; replacing hardware is rebinding a role.
import CounterCore
import Foundation
import GRDB

/// A configured binding the store did not make because ops bound otherwise (`countergate devices replace`).
public struct KeptOpsBinding: Sendable, Hashable, CustomStringConvertible {
    public let role: String
    /// The device the configuration names for the role.
    public let configuredDevice: String
    /// The device the role stays bound to (nil: the role is left unbound, its configured device serves `otherRole`).
    public let boundDevice: String?
    /// The role ops bound the configured device to, when that is why the role could not get it.
    public let otherRole: String?
    /// Who made the binding that was kept (`ops:<name>`).
    public let boundBy: String

    public var description: String {
        if let otherRole {
            return "role \(role) is left without a device: its configured device \(configuredDevice) serves role \(otherRole) (bound by \(boundBy)); "
                + "bind \(role) with `countergate devices replace \(role) --with <candidate>`"
        }
        return "role \(role) stays bound to \(boundDevice ?? "-") (bound by \(boundBy)); the configuration names \(configuredDevice). "
            + "Update the configuration to the new device, or run `countergate devices replace \(role) --with \(configuredDevice)` to go back"
    }
}

public struct StoredDevice: Sendable, Hashable {
    public let id: String
    public let identity: DeviceIdentity
    public let power: DevicePowerState
    public let role: String?
}

extension HallStore {
    /// Makes the configured roles and their devices known to the store and binds each role to its device, unless
    /// ops rebound the role (`countergate devices replace`): the configuration binds a role only when it is unbound
    /// or was bound by the configuration, so a replacement survives a restart with the old configuration file.
    /// A device's id is its configured id; its identity (profile, serial, address) is updated in place.
    /// - Returns: the roles whose ops binding was kept although the configuration names another device.
    @discardableResult
    public func syncConfiguredDevices(_ devices: [(id: String, identity: DeviceIdentity, role: DeviceRole)], at: Date) async throws -> [KeptOpsBinding] {
        try await pool.write { db in
            var kept: [KeptOpsBinding] = []
            for device in devices {
                let identity = device.identity
                try db.execute(sql: """
                    INSERT INTO devices (id, kind, profile, serial_number, address, first_seen, last_seen, origin) VALUES (?, ?, ?, ?, ?, ?, ?, 'config')
                    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, profile = excluded.profile,
                        serial_number = excluded.serial_number, address = excluded.address, origin = 'config'
                    """, arguments: [device.id, identity.kind.rawValue, identity.profile, identity.serialNumber, identity.address,
                                     at.storeSeconds, at.storeSeconds])
                let windows = device.role.windows.sorted().map(String.init).joined(separator: ",")
                let binding = try Row.fetchOne(db, sql: "SELECT device_id, bound_by FROM device_roles WHERE name = ?", arguments: [device.role.name])
                let bound: String? = binding?["device_id"]
                let boundBy: String = binding?["bound_by"] ?? "config"
                // The configured device serving another role by ops' choice cannot be bound here as well.
                let elsewhere = try Row.fetchOne(db, sql: "SELECT name, bound_by FROM device_roles WHERE device_id = ? AND name <> ?",
                                                 arguments: [device.id, device.role.name])
                if let bound, boundBy != "config", bound != device.id {
                    try db.execute(sql: "UPDATE device_roles SET kind = ?, windows = ? WHERE name = ?",
                                   arguments: [device.role.kind.rawValue, windows, device.role.name])
                    kept.append(KeptOpsBinding(role: device.role.name, configuredDevice: device.id, boundDevice: bound, otherRole: nil, boundBy: boundBy))
                    continue
                }
                if let elsewhere, (elsewhere["bound_by"] as String?) == "config" {
                    // The configuration moved the device to this role; the role it leaves gets its new device in its turn.
                    try db.execute(sql: "UPDATE device_roles SET device_id = NULL, bound_at = NULL WHERE device_id = ?", arguments: [device.id])
                } else if let elsewhere {
                    try db.execute(sql: """
                        INSERT INTO device_roles (name, kind, windows) VALUES (?, ?, ?)
                        ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, windows = excluded.windows
                        """, arguments: [device.role.name, device.role.kind.rawValue, windows])
                    kept.append(KeptOpsBinding(role: device.role.name, configuredDevice: device.id, boundDevice: bound,
                                               otherRole: elsewhere["name"], boundBy: elsewhere["bound_by"]))
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO device_roles (name, kind, windows, device_id, bound_at, bound_by) VALUES (?, ?, ?, ?, ?, 'config')
                    ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, windows = excluded.windows, bound_by = 'config',
                        device_id = excluded.device_id, bound_at = CASE WHEN device_id IS excluded.device_id THEN bound_at ELSE excluded.bound_at END
                    """, arguments: [device.role.name, device.role.kind.rawValue, windows, device.id, at.storeSeconds])
                if bound != device.id {
                    try AuditChain.append(db, at: at, actor: "config", action: "role.bound", subject: device.role.name,
                                          detail: "device \(device.id) (\(identity.profile) at \(identity.address))")
                }
            }
            return kept
        }
    }

    public func devices() async throws -> [StoredDevice] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, r.name AS role FROM devices d LEFT JOIN device_roles r ON r.device_id = d.id ORDER BY d.id
                """).map { row in
                StoredDevice(id: row["id"],
                             identity: DeviceIdentity(kind: DeviceKind(rawValue: row["kind"]) ?? .terminal, profile: row["profile"],
                                                      serialNumber: row["serial_number"], address: row["address"]),
                             power: DevicePowerState(rawValue: row["power_state"]) ?? .unknown, role: row["role"])
            }
        }
    }
}

extension HallStore {
    /// Records what a device's health check found, without debouncing (tools and devices the health monitor does not
    /// follow): a reason means an error. A change of power state is audited; the same state again only refreshes
    /// `last_seen`.
    /// - Returns: whether the power state changed.
    @discardableResult
    public func recordDeviceState(id: String, power: DevicePowerState, reason: String?, at: Date) async throws -> Bool {
        try await recordDeviceHealth(id: id, power: power, operational: reason.map { .error(reason: $0) } ?? .idle, at: at)
    }
}
