// `countergate devices list`: every device with its role, power state and operational state, as health left them.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Gateway

extension DevicesCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every device: role, power state (online, offline, unknown), operational state (idle, busy, error with the reason).",
            discussion: "The running gateway keeps these current from heartbeats (docs/sign-in-mode.md); power changes are in the audit log.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON, one object per device.") var json = false

        func run() async throws {
            let config = global.loadConfiguration(allowDefaults: true)
            let store = openStoreForTools(config)
            let devices = await reporting { try await store.deviceHealth() }
            if json {
                let rows: [[String: String]] = devices.map { device in
                    var row = ["id": device.id, "kind": device.kind.rawValue, "profile": device.profile, "address": device.address,
                               "power": device.power.rawValue, "state": device.operational.code, "last_seen": HallTime.format(device.lastSeen)]
                    if let role = device.role { row["role"] = role }
                    if let reason = device.operational.reason { row["reason"] = reason }
                    return row
                }
                let data = await reporting { try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) }
                printLine(String(decoding: data, as: UTF8.self))
                return
            }
            if devices.isEmpty { printLine("no devices are configured or discovered"); return }
            for device in devices {
                let state = device.operational.reason.map { "error: \($0)" } ?? device.operational.code
                printLine("\(device.kind.chineseName)\t\(device.role ?? "(no role)")\t\(device.id)\t\(device.power.rawValue)\t\(state)\t\(device.address)")
            }
        }
    }
}
