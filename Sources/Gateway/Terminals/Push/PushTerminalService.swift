// The push listener as a service of the gateway: its own address and port (`[push]`), plain HTTP for the terminals,
// no API tokens and nothing but /iclock/; with the group commit of uploads and the watchdog of the terminals' calls.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// Serves push terminals (ADMS / iclock over HTTP) under the gateway's service group.
public struct PushTerminalService: Service {
    let server: PushTerminalServer
    let onListening: @Sendable (String, Int) -> Void
    let connections = PushConnectionCount()

    /// The service for `config`, or nil when it has no `[push]` table and no push terminal.
    /// - Parameters:
    ///   - bindings: which device serves each role (a serial is served when a terminal role is bound to it).
    ///   - health: told of every call of a served terminal, and of its silence.
    ///   - observer: told of handshakes, uploads, commands and refusals (tests, the benchmark).
    ///   - onListening: called with the address and port once the listener accepts connections.
    public static func make(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger, bindings: RoleBindings,
                            health: DeviceHealthMonitor?, observer: (@Sendable (PushTerminalEvent) -> Void)? = nil,
                            onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in }) -> PushTerminalService? {
        guard config.push.enabled else { return nil }
        var logger = logger
        logger[metadataKey: "listener"] = "push"
        let directory = PushTerminalDirectory(config: config, bindings: bindings, store: store, health: health, logger: logger)
        let copy = PushTerminalCopy(store: store, clock: clock, keep: config.attendance.backupsKept, logger: logger)
        let watchdog = PushTerminalWatchdog(directory: directory, health: health, store: store, copy: copy, clock: clock, settings: config.push, logger: logger)
        let server = PushTerminalServer(config: config, store: store, clock: clock, logger: logger, directory: directory,
                                        commits: PushCommitQueue(store: store, logger: logger), watchdog: watchdog, copy: copy, observer: observer)
        return PushTerminalService(server: server, onListening: onListening)
    }

    public func run() async throws {
        let push = server.config.push
        let logger = server.logger
        let connections = self.connections
        let onListening = self.onListening
        let guardHandlers: @Sendable () -> [any RemovableChannelHandler] = {
            [PushConnectionGuard(headerTimeout: .seconds(Int64(push.headerTimeoutSeconds)), bodyTimeout: .seconds(Int64(push.bodyTimeoutSeconds)),
                                 maxConnections: push.maxConnections, count: connections) { reason in
                Counter(label: "countergate_push_connections_closed_total", dimensions: [("reason", reason.rawValue)]).increment()
                logger.notice("push connection closed", metadata: ["reason": "\(reason.rawValue)"])
            }]
        }
        let app = Application(
            router: server.router(),
            server: .http1(configuration: .init(additionalChannelHandlers: guardHandlers(), idleTimeout: .seconds(Int64(max(60, push.headerTimeoutSeconds * 6))))),
            configuration: .init(address: .hostname(push.bind, port: push.port), serverName: "CounterGate iclock"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? push.port
                logger.info("push terminals listening (ADMS / iclock over HTTP)", metadata: [
                    "address": "\(push.bind)", "port": "\(port)", "url": "http://\(push.bind):\(port)/iclock/"])
                onListening(push.bind, port)
            },
            logger: logger)
        let commits = server.commits
        let watchdog = server.watchdog
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await commits.run() }
            group.addTask { await cancelWhenGracefulShutdown { await watchdog.run() } }
            do {
                try await app.run()
            } catch {
                commits.finish()
                group.cancelAll()
                throw StartupError(description: "the push listener could not run on \(push.bind):\(push.port): \(error). "
                                   + "Check [push] bind is an address of this machine and port \(push.port) is free (another gateway, another service)")
            }
            // The listener has answered its last request: nothing more will be committed.
            commits.finish()
            group.cancelAll()
            try await group.waitForAll()
        }
        // The users' backups still waiting are written on the way out.
        await server.copy.flush(force: true)
    }
}

extension PushTerminalService {
    /// For fault-injection tests: make the next uploads fail with 500 (after or before their commit).
    func injectFaults(_ faults: PushFaults) { server.setFaults(faults) }

    /// For tests: one watchdog look now (silence, expired commands, backups due).
    func checkTerminals() async { await server.watchdog.check() }

    /// For tests: write the users' backups that are waiting, now.
    @discardableResult
    func flushBackups() async -> [TerminalBackupRecord] { await server.copy.flush(force: true) }

    /// Open connections of the listener now.
    var openConnections: Int { connections.current }
}
