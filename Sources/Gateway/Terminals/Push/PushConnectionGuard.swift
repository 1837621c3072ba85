// Keeps slow or greedy clients from holding the push listener: a request's head and body must arrive within their
// deadlines, connections beyond the limit are closed at once, and a refused oversized body is not read to its end.
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Counts the listener's open connections (shared by every connection's guard).
final class PushConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    /// Takes a place; false when `limit` connections are open already (nothing is taken then).
    func enter(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func leave() { open.subtract(1, ordering: .relaxed) }

    var current: Int { open.load(ordering: .relaxed) }
}

/// One connection's guard, between the HTTP codec and the request handling.
///
/// - From the moment the connection is accepted (and after each answer, for the next request on the connection) the
///   request line and headers must arrive within `headerTimeout`; a client that sends a byte now and then never
///   completes a head, and is disconnected at the deadline. The event loop never waits on a client, so other
///   terminals are served meanwhile.
/// - After the head, the body must arrive within `bodyTimeout`.
/// - Beyond `maxConnections` open connections, a new one is closed at once.
/// - After a `413` answer the connection is closed rather than read to the end of the body it refused.
final class PushConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What made the guard close a connection, for the log and the tests.
    enum Closure: String, Sendable {
        case headerTimeout = "request head not received in time"
        case bodyTimeout = "request body not received in time"
        case tooManyConnections = "too many connections"
    }

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let maxConnections: Int
    private let count: PushConnectionCount
    private let onClose: @Sendable (Closure) -> Void
    private var deadline: Scheduled<Void>?
    private var counted = false
    private var closeAfterAnswer = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, maxConnections: Int, count: PushConnectionCount,
         onClose: @escaping @Sendable (Closure) -> Void) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
        self.count = count
        self.onClose = onClose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard count.enter(limit: maxConnections) else {
            onClose(.tooManyConnections)
            context.close(promise: nil)
            return
        }
        counted = true
        arm(headerTimeout, .headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            count.leave()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            count.leave()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            arm(bodyTimeout, .bodyTimeout, context: context)
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch part {
        case .head(let head):
            if head.status == .contentTooLarge { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if closeAfterAnswer {
                let written = context.writeAndFlush(data)
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                written.cascade(to: promise)
            } else {
                context.write(data, promise: promise)
                // The next request on this connection has its own head deadline.
                arm(headerTimeout, .headerTimeout, context: context)
            }
        }
    }

    private func arm(_ timeout: TimeAmount, _ reason: Closure, context: ChannelHandlerContext) {
        deadline?.cancel()
        let onClose = self.onClose
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            onClose(reason)
            context.close(promise: nil)
        }
    }
}
