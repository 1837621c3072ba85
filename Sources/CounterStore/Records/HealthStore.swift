// What the health checks found, per device: power state and operational state; power changes are audited.
import CounterCore
import Foundation
import GRDB

/// A device's health as stored.
public struct StoredDeviceHealth: Sendable, Hashable {
    public let id: String
    public let kind: DeviceKind
    public let profile: String
    public let address: String
    public let role: String?
    public let power: DevicePowerState
    public let operational: DeviceOperationalState
    /// The last time it was seen online.
    public let lastSeen: Date
}

extension DeviceOperationalState {
    /// `idle`, `busy` or `error`, as stored.
    public var code: String {
        switch self {
        case .idle: return "idle"
        case .busy: return "busy"
        case .error: return "error"
        }
    }

    public var reason: String? { if case .error(let reason) = self { reason } else { nil } }

    init(code: String, reason: String?) {
        switch code {
        case "busy": self = .busy
        case "error": self = .error(reason: reason ?? "")
        default: self = .idle
        }
    }
}

extension HallStore {
    /// Stores a device's power and operational state; a change of power state gets its audit entry in the same
    /// transaction. Unknown devices are ignored (nothing to record against).
    /// - Returns: whether the power state changed.
    @discardableResult
    public func recordDeviceHealth(id: String, power: DevicePowerState, operational: DeviceOperationalState, at: Date) async throws -> Bool {
        try await pool.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT power_state FROM devices WHERE id = ?", arguments: [id]) else {
                return false
            }
            try db.execute(sql: """
                UPDATE devices SET power_state = ?, operational_state = ?, operational_reason = ?,
                    last_seen = CASE WHEN ? = 'online' THEN ? ELSE last_seen END
                WHERE id = ?
                """, arguments: [power.rawValue, operational.code, operational.reason, power.rawValue, at.storeSeconds, id])
            guard current != power.rawValue else { return false }
            try AuditChain.append(db, at: at, actor: "gateway", action: "device.\(power.rawValue)", subject: id,
                                  detail: operational.reason ?? "")
            return true
        }
    }

    /// Every device with its stored health and role, by id.
    public func deviceHealth() async throws -> [StoredDeviceHealth] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, r.name AS role FROM devices d LEFT JOIN device_roles r ON r.device_id = d.id ORDER BY d.id
                """).map { row in
                StoredDeviceHealth(id: row["id"], kind: DeviceKind(rawValue: row["kind"]) ?? .terminal, profile: row["profile"],
                                   address: row["address"], role: row["role"],
                                   power: DevicePowerState(rawValue: row["power_state"]) ?? .unknown,
                                   operational: DeviceOperationalState(code: row["operational_state"], reason: row["operational_reason"]),
                                   lastSeen: Date(storeSeconds: row["last_seen"]))
            }
        }
    }
}
