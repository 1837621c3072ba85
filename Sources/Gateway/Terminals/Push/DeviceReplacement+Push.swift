// Replacing a terminal with one that calls the gateway (push): it is named by its serial (`push:SERIAL`, or the
// candidate it became when it first called), and the backup's users and fingerprints reach it through its command
// queue at its next polls.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import ZKTerminal

extension DeviceReplacement {
    /// The identity of a push terminal named `push:SERIAL`: the same identity key as the candidate recorded when it
    /// called, so naming it by address finds that candidate.
    static func pushTerminal(_ target: String, serial: String, profile: String?, say: @Sendable (String) -> Void) throws -> (DeviceIdentity, String, String) {
        guard DeviceLink.isValidTerminalSerial(serial) else {
            throw ReplacementError(description: "\(target) is not push:SERIAL with the serial the terminal shows (菜单 > 系统信息 > 设备信息 > 序列号): "
                                   + "1-32 letters, digits, - or _")
        }
        say("push terminal \(serial): it calls the gateway, which serves it from its next call on")
        let identity = DeviceIdentity(kind: .terminal, profile: profile ?? PushTerminalServer.candidateProfile, serialNumber: serial, address: target)
        return (identity, "\(PushTerminalServer.candidateProfile)#serial=\(serial)", DeviceMatcher.idSafe("push-terminal-\(serial)"))
    }

    /// Queues the backup's users and fingerprints for push terminal `serial` (audited), and says how to follow them.
    func queuePushRestore(_ backup: TerminalBackupRecord, serial: String, role: String, device: KnownDevice, actor: String,
                          say: @Sendable (String) -> Void) async throws {
        say("queuing backup \(backup.id) of \(role) (taken \(Self.format(backup.takenAt)) from \(backup.deviceID), serial \(backup.serialNumber)): "
            + "\(backup.userCount) users, \(backup.templateCount) fingerprint templates")
        let queued = try await PushTerminalCommands(store: store, settings: config.push, clock: clock).restore(backup, serial: serial, by: actor)
        try await store.audit(at: clock.now(), actor: actor, action: "terminal.restore.queued", subject: role,
                              detail: "backup \(backup.id) for push terminal \(device.id) (serial \(serial)): \(queued.users) users, \(queued.templates) templates "
                                  + "as commands \(queued.ids.first ?? 0)…\(queued.ids.last ?? 0)")
        say("queued \(queued.users) users and \(queued.templates) templates as \(queued.ids.count) commands; the terminal takes them at its next polls "
            + "(every \(config.push.delaySeconds) s). Follow them: countergate terminal commands --role \(role)")
    }
}
