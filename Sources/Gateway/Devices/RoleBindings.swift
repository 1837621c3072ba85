// The running gateway's view of which device serves each role, kept in step with the store's bindings.
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import ESCPOS
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A role's binding changed (ops ran `countergate devices replace`, or the gateway started with an ops binding).
public struct BindingChange: Sendable {
    public let role: String
    public let kind: DeviceKind
    /// The device that served the role before, if any.
    public let from: String?
    /// The device serving the role now, as the services use it (role, windows, comm key and backup from the
    /// configuration; id, profile, address and serial from the store).
    public let to: HallConfiguration.Device
}

/// Why a role has no usable printer now.
public struct BoundPrinterProblem: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Which device serves each configured role now. The print spooler's workers ask it for their role's printer before
/// each job; terminal syncs follow its changes; ``BindingWatcher`` keeps it in step with the store.
public final class RoleBindings: Sendable {
    let store: HallStore
    let logger: Logger
    /// The configured devices by role: what a role's settings (windows, comm key, backup role) come from.
    let configured: [String: HallConfiguration.Device]
    let printerProfiles: PrinterProfileSet?

    private struct State {
        var bindings: [String: RoleBinding] = [:]
        /// Printers made for devices ops bound, by role; reused while the binding stays (one transport per device).
        var rebound: [String: SpooledPrinter] = [:]
        var listeners: [UUID: AsyncStream<BindingChange>.Continuation] = [:]
    }
    private let state = Mutex(State())

    /// - Parameter printerProfiles: the profiles a rebound printer's profile is looked up in.
    public init(config: HallConfiguration, store: HallStore, printerProfiles: PrinterProfileSet?, logger: Logger) {
        self.store = store
        self.logger = logger
        configured = Dictionary(config.devices.map { ($0.role, $0) }, uniquingKeysWith: { first, _ in first })
        self.printerProfiles = printerProfiles
    }

    /// A configuration's bindings: its printer profiles loaded (when it has printers), the store's current bindings read.
    public static func load(config: HallConfiguration, store: HallStore, logger: Logger) async throws -> RoleBindings {
        let profiles = config.devices.contains { $0.kind == .printer } ? try? PrinterProfiles.load(directory: config.printing.profilesDirectory) : nil
        let bindings = RoleBindings(config: config, store: store, printerProfiles: profiles, logger: logger)
        for change in bindings.update(try await store.roleBindings()) {
            logger.notice("role bound by ops to another device than the configuration names", metadata: [
                "role": "\(change.role)", "device": "\(change.to.id)", "address": "\(change.to.address)", "configured": "\(change.from ?? "-")"])
        }
        return bindings
    }

    /// Takes the store's bindings in; returns the roles whose device changed (and tells the listeners).
    /// Roles the configuration does not name are ignored: the services run only configured roles.
    @discardableResult
    public func update(_ bindings: [RoleBinding]) -> [BindingChange] {
        var changes: [BindingChange] = []
        let listeners = state.withLock { state -> [AsyncStream<BindingChange>.Continuation] in
            for binding in bindings {
                guard let configured = configured[binding.role] else { continue }
                let before = state.bindings[binding.role]
                state.bindings[binding.role] = binding
                // The first look compares with the configuration: an ops binding found at start is a change too.
                let (previousID, previousAddress): (String?, String?) = before.map { ($0.deviceID, $0.device?.address) } ?? (configured.id, configured.address)
                guard binding.deviceID != previousID || binding.device?.address != previousAddress else { continue }
                // A role bound to nothing keeps its last device: there is nothing to switch to.
                guard let device = Self.device(configured, bound: binding) else { continue }
                state.rebound[binding.role] = nil
                changes.append(BindingChange(role: binding.role, kind: binding.kind, from: previousID, to: device))
            }
            return changes.isEmpty ? [] : Array(state.listeners.values)
        }
        for change in changes { for listener in listeners { listener.yield(change) } }
        return changes
    }

    /// The device serving `role` now (the configured one until the store says otherwise), as the services use it.
    public func device(for role: String) -> HallConfiguration.Device? {
        guard let configured = configured[role] else { return nil }
        guard let binding = state.withLock({ $0.bindings[role] }) else { return configured }
        return Self.device(configured, bound: binding)
    }

    /// Binding changes from now on, until the consumer stops.
    public func changes() -> AsyncStream<BindingChange> {
        let (stream, continuation) = AsyncStream<BindingChange>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let id = UUID()
        state.withLock { $0.listeners[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) } }
        return stream
    }

    /// The printer to print `configured`'s role's next job on. Reads the role's binding from the store first (one
    /// small query), so a job taken after ops rebound the role goes to the new printer even before the watcher's
    /// next look. The configured printer (and its open transport) is returned while the role is bound to it.
    public func printer(for configured: SpooledPrinter) async -> Result<SpooledPrinter, BoundPrinterProblem> {
        let role = configured.device.role
        do {
            if let binding = try await store.roleBinding(role) { update([binding]) }
        } catch {
            logger.warning("role binding unreadable; printing on the printer known so far", metadata: ["role": "\(role)", "error": "\(error)"])
        }
        guard let binding = state.withLock({ $0.bindings[role] }) else { return .success(configured) }
        if binding.deviceID != configured.device.id, let problem = binding.device?.linkProblem {
            return .failure(BoundPrinterProblem(description: "role \(role) is bound to \(binding.deviceID ?? "?") at an unusable address: \(problem)"))
        }
        guard let bound = Self.device(configured.device, bound: binding) else { return .success(configured) }
        if bound.id == configured.device.id && bound.address == configured.device.address && bound.profile == configured.device.profile {
            return .success(configured)
        }
        if let cached = state.withLock({ $0.rebound[role] }), cached.device == bound { return .success(cached) }
        guard let profile = printerProfiles?[bound.profile] else {
            return .failure(BoundPrinterProblem(description: "role \(role) is bound to \(bound.id), whose profile \"\(bound.profile)\" is not among the printer profiles; "
                                                + "bind a printer with a known profile (countergate devices replace \(role) --with …)"))
        }
        guard case .printer(let address) = bound.link else {
            return .failure(BoundPrinterProblem(description: "role \(role) is bound to \(bound.id) at \(bound.address), which is no printer address"))
        }
        let printer = SpooledPrinter(device: bound, profile: profile, transport: address.makeTransport())
        state.withLock { $0.rebound[role] = printer }
        logger.notice("printer role now prints on the device ops bound", metadata: ["role": "\(role)", "printer": "\(printer.label)"])
        return .success(printer)
    }

    /// The configured device of a role with the bound device's identity; nil when the role is bound to nothing (or to
    /// a device whose stored address is no address of its kind).
    static func device(_ configured: HallConfiguration.Device, bound: RoleBinding) -> HallConfiguration.Device? {
        guard let id = bound.deviceID, let identity = bound.device else { return nil }
        if id == configured.id { return configured }
        guard let link = identity.link else { return nil }
        var device = configured
        device.id = id
        device.profile = identity.profile
        device.rebind(to: link, address: identity.address)
        device.serialNumber = identity.serialNumber
        return device
    }
}

/// Polls the store's role bindings (one small query a second) and brings ``RoleBindings`` in step, so the running
/// gateway follows a `countergate devices replace` made by the CLI, another process. A rebound printer role rings the
/// spooler's doorbell: its waiting jobs print on the new printer at once.
public struct BindingWatcher: Sendable {
    public let store: HallStore
    public let bindings: RoleBindings
    public let doorbell: SpoolerDoorbell?
    public let interval: Duration
    public let logger: Logger
    public var observer: (@Sendable (BindingChange) -> Void)?

    public init(store: HallStore, bindings: RoleBindings, doorbell: SpoolerDoorbell?, interval: Duration = .seconds(1), logger: Logger,
                observer: (@Sendable (BindingChange) -> Void)? = nil) {
        self.store = store
        self.bindings = bindings
        self.doorbell = doorbell
        self.interval = interval
        self.logger = logger
        self.observer = observer
    }

    /// Watches until cancelled. Every change is logged, and a printer role's rings the doorbell, whoever noticed it
    /// first (this poll, or a spooler worker reading its role's binding before a job).
    public func run() async {
        let changes = bindings.changes()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await change in changes {
                    logger.notice("role rebound", metadata: ["role": "\(change.role)", "kind": "\(change.kind.rawValue)",
                                                             "from": "\(change.from ?? "-")", "to": "\(change.to.id)", "address": "\(change.to.address)"])
                    if change.kind == .printer { doorbell?.ring() }
                    observer?(change)
                }
            }
            group.addTask {
                // The bindings are read again only after a commit somewhere (and at least every half minute, in case
                // the probe itself cannot be read): an idle hall's store is then asked one pragma a second.
                let probe = try? StoreChangeProbe(store: store)
                var lastRead = ContinuousClock.now
                var first = true
                while !Task.isCancelled {
                    let changed = (try? await probe?.changed()) ?? true
                    if first || changed || ContinuousClock.now - lastRead >= .seconds(30) {
                        first = false
                        lastRead = ContinuousClock.now
                        do { bindings.update(try await store.roleBindings()) } catch {
                            logger.error("role bindings unreadable: \(error)")
                        }
                    }
                    // The watcher's rhythm (a cheap query each second), not a synchronisation.
                    do { try await Task.sleep(for: interval) } catch { break }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

struct BindingWatcherService: Service {
    let watcher: BindingWatcher

    func run() async throws {
        let watcher = self.watcher
        await runUntilShutdown { await watcher.run() }
    }
}
