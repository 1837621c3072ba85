// Live events for the pages (the ops dashboard, the duty chief's list): device states, the hall's mode, print jobs,
// sign-ins and replacement progress, broadcast to every subscriber and served as Server-Sent Events.
import CounterCore
import CounterStore
import Foundation
import Synchronization

/// One thing that happened, as the pages receive it: an SSE event name and a JSON object.
public struct GatewayEvent: Sendable, Equatable {
    /// `device`, `mode`, `job`, `signin`, `replace`.
    public let name: String
    /// The JSON object, already encoded.
    public let json: String

    public init(name: String, fields: [String: String?]) {
        self.name = name
        let object = fields.compactMapValues { $0 }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        json = String(decoding: data, as: UTF8.self)
    }

    /// The event in the `text/event-stream` format.
    public var serverSentEvent: String { "event: \(name)\ndata: \(json)\n\n" }
}

/// The events the pages follow, each built in one place (their fields are listed in docs/api/openapi.yaml, /events).
extension GatewayEvent {
    /// `device`: a device's power changed.
    static func device(_ change: DeviceHealthChange) -> GatewayEvent {
        GatewayEvent(name: "device", fields: [
            "id": change.device.id, "role": change.device.role, "kind": change.device.kind.rawValue,
            "power": change.transition.to.rawValue, "reason": change.transition.reason, "at": APITime.string(change.transition.at)])
    }

    /// `mode`: whether any part of the hall is in sign-in mode, and which terminal roles are.
    static func mode(_ hall: HallAttendanceMode) -> GatewayEvent {
        GatewayEvent(name: "mode", fields: [
            "signInMode": hall.anyFallback ? "true" : "false",
            "roles": hall.roles.filter { $0.value.isFallback }.keys.sorted().joined(separator: ",")])
    }

    /// `signin`: a sign-in awaits the duty chief (from the kiosk, `pin`, or a badge, `badge`).
    static func signIn(_ stored: StoredSignIn, name: String?) -> GatewayEvent {
        GatewayEvent(name: "signin", fields: ["id": String(stored.id), "staffId": stored.signIn.staffID, "name": name,
                                              "at": APITime.string(stored.signIn.at), "method": stored.signIn.method.rawValue])
    }

    /// `job`: a print job's state changed (queued, retried or cancelled through the API; printed, waiting, moved or
    /// failed in the spooler).
    static func job(id: Int64, state: String, printer: String? = nil, reason: String? = nil) -> GatewayEvent {
        GatewayEvent(name: "job", fields: ["id": String(id), "state": state, "printer": printer, "reason": reason])
    }
}

/// Broadcasts events to every subscriber; a slow subscriber loses the oldest of its unread events, never blocks the
/// gateway.
public final class GatewayEvents: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<GatewayEvent>.Continuation]>([:])
    private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let closed = Mutex(false)

    public init() {}

    /// Every event from now on, until the stream is dropped.
    public func subscribe() -> AsyncStream<GatewayEvent> {
        let (stream, continuation) = AsyncStream<GatewayEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        if closed.withLock({ $0 }) {
            continuation.finish()
            return stream
        }
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        for waiter in waiting.withLock({ all in defer { all = [] }; return all }) { waiter.resume() }
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    public func publish(_ event: GatewayEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    /// Ends every stream, and every later subscription at once: the gateway is stopping, and an open event stream
    /// must not hold up the HTTP server's graceful shutdown.
    public func close() {
        closed.withLock { $0 = true }
        for continuation in subscribers.withLock({ all in defer { all = [:] }; return Array(all.values) }) { continuation.finish() }
    }

    /// Returns once someone listens (at once if someone does).
    public func someoneListens() async {
        await withCheckedContinuation { continuation in
            let now = subscribers.withLock { subscribers in
                subscribers.isEmpty ? false : true
            }
            if now { continuation.resume(); return }
            waiting.withLock { $0.append(continuation) }
            // A subscriber that arrived between the look and the append: resume now.
            if subscribers.withLock({ !$0.isEmpty }), let waiter = waiting.withLock({ $0.isEmpty ? nil : $0.removeLast() }) { waiter.resume() }
        }
    }

    /// How many pages are listening.
    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
