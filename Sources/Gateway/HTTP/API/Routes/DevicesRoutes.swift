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
        // Devices.
        api.on(.get, "/devices", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceHealth().map(DeviceBody.init))
        }
        api.on(.get, "/devices/candidates", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            return try json(try await store.deviceCandidates().map(CandidateBody.init))
        }
        api.on(.post, "/devices/{role}/replace", "manage-devices") { request, context in
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
        api.on(.post, "/devices/{role}/backup", "manage-devices") { _, context in
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
        api.on(.get, "/devices/{role}/backups", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            let role = try context.parameters.require("role")
            return try json(try await store.terminalBackups(role: role).map(BackupBody.init))
        }
    }
}
