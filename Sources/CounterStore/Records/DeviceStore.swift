// Devices and the roles they are bound to; replacing hardware is rebinding a role.
import CounterCore
import Foundation
import GRDB

public struct StoredDevice: Sendable, Hashable {
    public let id: String
    public let identity: DeviceIdentity
    public let power: DevicePowerState
    public let role: String?
}

extension HallStore {
    /// Makes the configured roles and their devices known to the store and binds each role to its device.
    /// A device's id is its configured id; its identity (profile, serial, address) is updated in place.
    public func syncConfiguredDevices(_ devices: [(id: String, identity: DeviceIdentity, role: DeviceRole)], at: Date) async throws {
        try await pool.write { db in
            for device in devices {
                let identity = device.identity
                try db.execute(sql: """
                    INSERT INTO devices (id, kind, profile, serial_number, address, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, profile = excluded.profile,
                        serial_number = excluded.serial_number, address = excluded.address
                    """, arguments: [device.id, identity.kind.rawValue, identity.profile, identity.serialNumber, identity.address,
                                     at.storeSeconds, at.storeSeconds])
                let bound = try String.fetchOne(db, sql: "SELECT device_id FROM device_roles WHERE name = ?", arguments: [device.role.name])
                try db.execute(sql: """
                    INSERT INTO device_roles (name, kind, windows, device_id, bound_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, windows = excluded.windows,
                        device_id = excluded.device_id, bound_at = CASE WHEN device_id IS excluded.device_id THEN bound_at ELSE excluded.bound_at END
                    """, arguments: [device.role.name, device.role.kind.rawValue,
                                     device.role.windows.sorted().map(String.init).joined(separator: ","), device.id, at.storeSeconds])
                if bound != device.id {
                    try AuditChain.append(db, at: at, actor: "config", action: "role.bound", subject: device.role.name,
                                          detail: "device \(device.id) (\(identity.profile) at \(identity.address))")
                }
            }
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
    /// Records what a device's health check found. A change of power state is audited; the same state
    /// again only refreshes `last_seen`.
    /// - Returns: whether the power state changed.
    @discardableResult
    public func recordDeviceState(id: String, power: DevicePowerState, reason: String?, at: Date) async throws -> Bool {
        try await pool.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT power_state FROM devices WHERE id = ?", arguments: [id]) else {
                return false
            }
            try db.execute(sql: """
                UPDATE devices SET power_state = ?, operational_state = ?, operational_reason = ?,
                    last_seen = CASE WHEN ? = 'online' THEN ? ELSE last_seen END
                WHERE id = ?
                """, arguments: [power.rawValue, reason == nil ? "idle" : "error", reason, power.rawValue, at.storeSeconds, id])
            guard current != power.rawValue else { return false }
            try AuditChain.append(db, at: at, actor: "gateway", action: "device.\(power.rawValue)", subject: id, detail: reason ?? "")
            return true
        }
    }
}
