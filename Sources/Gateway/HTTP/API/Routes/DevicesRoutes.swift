// /api/v1, one resource: devices: health, candidates, replacement, terminal backups. Each route states the permission it needs (HallRequestContext.require).
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension HallAPI {
    /// The devices routes.
    func registerDevices(on api: APIRouteBuilder) {
        let devicesRoutes = api.group("/devices")
        // Devices.
        devicesRoutes.on(.get, "", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceHealth().map(DeviceBody.init))
        }
        devicesRoutes.on(.get, "/candidates", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceCandidates().map(CandidateBody.init))
        }
        devicesRoutes.on(.post, "/{role}/replace", "manage-devices") { request, context in
            let caller = try context.require(.manageDevices)
            let role = try context.parameters.require("role")
            let body = try await decodeJSON(ReplaceRequest.self, from: request, context: context)
            let events = self.events
            var steps: [String] = []
            let said = Mutex<[String]>([])
            do {
                let report = try await DeviceReplacement(config: config, store: store, clock: clock, logger: logger).replace(
                    role: role, with: body.with,
                    options: .init(actor: "api:\(caller.name)", profile: body.profile, restore: body.restore ?? true)) { line in
                        said.withLock { $0.append(line) }
                        events.publish(GatewayEvent(name: "replace", fields: ["role": role, "message": line]))
                    }
                steps = said.withLock { $0 }
                doorbell?.ring()
                return try json(ReplaceAnswer(report, role: role, steps: steps))
            } catch let error as ReplacementError {
                throw APIProblem.conflict(error.description)
            } catch let error as DeviceBindingError {
                throw APIProblem.unprocessable(field: "with", error.description)
            }
        }
        devicesRoutes.on(.post, "/{role}/backup", "manage-devices") { _, context in
            _ = try context.require(.manageDevices)
            let role = try context.parameters.require("role")
            guard config.devices.contains(where: { $0.role == role && $0.kind == .terminal }) else {
                throw APIProblem.notFound("no terminal role \(role); backups are of terminals")
            }
            do {
                let record = try await TerminalBackupService(config: config, store: store, bindings: bindings, clock: clock, logger: logger).backUp(role)
                return try json(BackupBody(record), status: .created)
            } catch let error as TerminalBackupError {
                throw APIProblem.conflict(error.description)
            }
        }
        devicesRoutes.on(.get, "/{role}/backups", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            let role = try context.parameters.require("role")
            return try json(try await store.terminalBackups(role: role).map(BackupBody.init))
        }
    }
}

// MARK: - Bodies (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as YYYY-MM-DD; docs/api/openapi.yaml)

struct DeviceBody: Encodable, Sendable {
    let id: String
    let kind: String
    let kindName: String
    let role: String?
    let profile: String
    let address: String
    let power: String
    let state: String
    let reason: String?
    let lastSeen: String

    init(_ device: StoredDeviceHealth) {
        id = device.id
        kind = device.kind.rawValue
        kindName = device.kind.chineseName
        role = device.role
        profile = device.profile
        address = device.address
        power = device.power.rawValue
        state = device.operational.code
        reason = device.operational.reason
        lastSeen = APITime.string(device.lastSeen)
    }
}

struct CandidateBody: Encodable, Sendable {
    let id: String
    let kind: String
    let profile: String
    let serialNumber: String?
    let address: String
    let present: Bool?
    let firstSeen: String
    let lastSeen: String
    let proposedFor: String?

    init(_ device: KnownDevice) {
        id = device.id
        kind = device.identity.kind.rawValue
        profile = device.identity.profile
        serialNumber = device.identity.serialNumber
        address = device.identity.address
        present = device.presence.map { $0 == .present }
        firstSeen = APITime.string(device.firstSeen)
        lastSeen = APITime.string(device.lastSeen)
        proposedFor = device.proposedFor
    }
}

struct ReplaceRequest: Decodable, Sendable {
    /// A candidate's id (GET /devices/candidates), or an address for a network device (tcp://10.0.0.9:4370).
    var with: String
    /// The profile of a device named by address (default: that of the device it replaces).
    var profile: String?
    /// Restore the latest backup onto a replacement terminal (default true).
    var restore: Bool?
}

struct ReplaceAnswer: Encodable, Sendable {
    struct Restore: Encodable, Sendable {
        let backupId: Int64
        let backupTakenAt: String
        let backupUsers: Int
        let backupTemplates: Int
        let terminalUsers: Int
        let terminalTemplates: Int
        let countsMatch: Bool
    }
    let role: String
    let from: String?
    let to: String
    let restore: Restore?
    /// What went wrong after the binding was made, with what to do; nil when all went well.
    let problem: String?
    /// Each step, as it was reported while it ran.
    let steps: [String]

    init(_ report: ReplacementReport, role: String, steps: [String]) {
        self.role = role
        from = report.rebinding.previous?.id
        to = report.rebinding.device.id
        restore = report.restore.map {
            Restore(backupId: $0.backupID, backupTakenAt: APITime.string($0.backupTakenAt), backupUsers: $0.backupUsers,
                    backupTemplates: $0.backupTemplates, terminalUsers: $0.terminalUsers, terminalTemplates: $0.terminalTemplates,
                    countsMatch: $0.countsMatch)
        }
        problem = report.problem
        self.steps = steps
    }
}

struct BackupBody: Encodable, Sendable {
    let id: Int64
    let role: String
    let deviceId: String
    let serialNumber: String
    let takenAt: String
    let takenBy: String
    let users: Int
    let templates: Int

    init(_ record: TerminalBackupRecord) {
        id = record.id
        role = record.role
        deviceId = record.deviceID
        serialNumber = record.serialNumber
        takenAt = APITime.string(record.takenAt)
        takenBy = record.takenBy
        users = record.userCount
        templates = record.templateCount
    }
}
