// Commands for push terminals as the CLI and the replacement workflow give them: queued in the store (the running
// gateway hands them out at the terminal's next poll, even when it is another process), and waited on by id.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import ZKTerminal

/// Why commands could not be queued or their results did not come.
public struct PushCommandError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Queues commands for a push terminal and follows them to their results.
public struct PushTerminalCommands: Sendable {
    public let store: HallStore
    public let settings: HallConfiguration.Push
    public let clock: any HallClock

    public init(store: HallStore, settings: HallConfiguration.Push, clock: any HallClock) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// Queues `commands` for terminal `serial`, in order.
    /// - Returns: their ids.
    /// - Throws: ``PushCommandError`` when a command cannot be written (a value with a tab or line break).
    @discardableResult
    public func queue(_ commands: [PushCommand], serial: String, purpose: String, by actor: String) async throws -> [Int64] {
        var texts: [NewPushCommand] = []
        for command in commands {
            do { texts.append(NewPushCommand(text: try command.text(), purpose: purpose)) } catch {
                throw PushCommandError(description: "cannot send \(command.echo) to terminal \(serial): \(error)")
            }
        }
        return try await store.enqueuePushCommands(serial: serial, texts, by: actor, maxAttempts: settings.commandAttempts,
                                                   timeoutSeconds: settings.commandTimeoutSeconds, at: clock.now())
    }

    /// Queues the users and fingerprints of `backup` for terminal `serial` (a replacement push terminal): users
    /// first, then templates. The terminal receives them at its next polls.
    /// - Returns: the ids, and how many users and templates were queued.
    public func restore(_ backup: TerminalBackupRecord, serial: String, by actor: String) async throws -> (ids: [Int64], users: Int, templates: Int) {
        let (users, templates) = try TerminalBackups.contents(of: backup)
        return try await restore(users: users, templates: templates, serial: serial, purpose: "restore of backup \(backup.id) of \(backup.role)", by: actor)
    }

    /// Queues users and fingerprints (a backup file's, or the store's) for terminal `serial`.
    public func restore(users: [ZKUser], templates: [ZKFingerprintTemplate], serial: String, purpose: String, by actor: String) async throws
        -> (ids: [Int64], users: Int, templates: Int) {
        let commands: [PushCommand]
        do { commands = try PushTerminalCopy.restoreCommands(users: users, templates: templates) } catch {
            throw PushCommandError(description: "the backup cannot be sent to terminal \(serial): \(error); correct that user on a working terminal or in the file")
        }
        let ids = try await queue(commands, serial: serial, purpose: purpose, by: actor)
        let templateCount = commands.filter { if case .updateTemplate = $0 { return true } else { return false } }.count
        return (ids, commands.count - templateCount, templateCount)
    }

    /// Waits until every command in `ids` is finished (done, failed, expired or cancelled), reading the store every
    /// `interval`: the gateway that delivers them may be another process, so the store is where their state shows.
    /// - Returns: the commands as they ended, or as they are when `timeout` passes.
    public func wait(for ids: [Int64], timeout: Duration, interval: Duration = .milliseconds(250)) async throws -> [PushCommandRecord] {
        let end = ContinuousClock.now + timeout
        while true {
            let records = try await store.pushCommands(ids: ids)
            if records.allSatisfy(\.state.isFinished) || ContinuousClock.now >= end { return records }
            // Another process changes the rows; reading them again is the only way to see it (not a synchronisation
            // inside this process).
            try await Task.sleep(for: min(interval, end - ContinuousClock.now))
        }
    }
}
