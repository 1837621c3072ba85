// Bare-bones TCP and UDP clients for the simulator tests: they send packets and show exactly what came back on
// the wire, so the tests can see faults that a real client would hide.
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import ZKTerminal

struct WireTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// What a channel received, and a way to wait for more.
final class Inbox<Item: Sendable>: Sendable {
    private let state = Mutex<(items: [Item], taken: Int, closed: Bool)>(([], 0, false))
    private let signal: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func append(_ items: [Item]) {
        state.withLock { $0.items += items }
        continuation.yield()
    }

    func close() {
        state.withLock { $0.closed = true }
        continuation.yield()
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Everything received and not yet taken.
    var untaken: [Item] { state.withLock { Array($0.items[$0.taken...]) } }

    func take(_ count: Int) { state.withLock { $0.taken += count } }

    /// Waits until `condition` holds over the untaken items and whether the channel closed.
    func wait(for what: String, timeout: Duration = .seconds(10), until condition: @escaping @Sendable ([Item], Bool) -> Bool) async throws {
        let met = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if self.check(condition) { return true }
                for await _ in self.signal where self.check(condition) { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !met { throw WireTimedOut(what: what) }
    }

    private func check(_ condition: ([Item], Bool) -> Bool) -> Bool {
        let (items, closed) = state.withLock { (Array($0.items[$0.taken...]), $0.closed) }
        return condition(items, closed)
    }
}

private final class ByteCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let inbox: Inbox<UInt8>
    init(inbox: Inbox<UInt8>) { self.inbox = inbox }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        inbox.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
    func channelInactive(context: ChannelHandlerContext) { inbox.close() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

private final class DatagramCollector: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let inbox: Inbox<[UInt8]>
    init(inbox: Inbox<[UInt8]>) { self.inbox = inbox }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        inbox.append([envelope.data.readBytes(length: envelope.data.readableBytes) ?? []])
    }
}

/// Splits bytes into whole TCP frames; the packets and how many bytes they took, or the deframer's error.
func deframe(_ bytes: [UInt8]) -> (packets: [ZKPacket], used: Int, error: ZKDecodeError?) {
    var deframer = ZKTCPDeframer()
    deframer.append(bytes)
    var packets: [ZKPacket] = []
    do {
        while let raw = try deframer.next() {
            packets.append(try ZKPacket.decode(raw))
        }
    } catch {
        return (packets, bytes.count - deframer.pendingBytes, error)
    }
    return (packets, bytes.count - deframer.pendingBytes, nil)
}

/// A TCP client that frames what it sends and keeps every byte it receives.
final class TCPWireClient: Sendable {
    let channel: any Channel
    let inbox = Inbox<UInt8>()
    private let session = Mutex<(id: UInt16, reply: UInt16)>((0, 0))

    init(port: Int) async throws {
        let inbox = self.inbox
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ByteCollector(inbox: inbox)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Sends a command with this client's session id and the next reply id; returns the reply id used.
    @discardableResult
    func send(_ command: ZKCommand, _ payload: [UInt8] = []) async throws -> UInt16 {
        let (id, reply) = session.withLock { s in
            s.reply &+= 1
            return (s.id, s.reply)
        }
        try await sendRaw(ZKTCPFrame.wrap(ZKPacket(command: command, sessionID: id, replyID: reply, payload: payload).encoded()))
        return reply
    }

    /// The next `count` packets.
    func packets(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [ZKPacket] {
        try await inbox.wait(for: "\(count) packet(s)", timeout: timeout) { bytes, _ in
            let result = deframe(bytes)
            return result.packets.count >= count || result.error != nil
        }
        let result = deframe(inbox.untaken)
        if let error = result.error, result.packets.count < count { throw error }
        var used = 0
        for packet in result.packets.prefix(count) { used += 8 + 8 + packet.payload.count }
        inbox.take(used)
        return Array(result.packets.prefix(count))
    }

    /// Sends a command and returns its one-packet reply.
    func request(_ command: ZKCommand, _ payload: [UInt8] = []) async throws -> ZKPacket {
        try await send(command, payload)
        return try await packets(1)[0]
    }

    /// CONNECT (and AUTH with `key`); returns the session id.
    func connect(key: UInt32? = nil) async throws -> UInt16 {
        let reply = try await request(.connect)
        session.withLock { $0.id = reply.sessionID }
        if let key, reply.command == .ackUnauthorized {
            let auth = try await request(.auth, ZKCommKey.scramble(key: key, sessionID: reply.sessionID))
            guard auth.command == .ackOK else { throw WireTimedOut(what: "AUTH accepted (got \(auth.command))") }
        } else if reply.command != .ackOK {
            throw WireTimedOut(what: "CONNECT accepted (got \(reply.command))")
        }
        return reply.sessionID
    }

    /// Waits for the server to close the connection; returns the bytes not taken yet.
    func bytesUntilClosed(timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await inbox.wait(for: "the connection to close", timeout: timeout) { _, closed in closed }
        return inbox.untaken
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// A UDP client that sends bare packets and keeps every datagram it receives.
final class UDPWireClient: Sendable {
    let channel: any Channel
    let server: SocketAddress
    let inbox = Inbox<[UInt8]>()
    private let session = Mutex<(id: UInt16, reply: UInt16)>((0, 0))

    init(port: Int) async throws {
        let inbox = self.inbox
        server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DatagramCollector(inbox: inbox)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: channel.allocator.buffer(bytes: bytes))).get()
    }

    @discardableResult
    func send(_ command: ZKCommand, _ payload: [UInt8] = []) async throws -> UInt16 {
        let (id, reply) = session.withLock { s in
            s.reply &+= 1
            return (s.id, s.reply)
        }
        try await sendRaw(ZKPacket(command: command, sessionID: id, replyID: reply, payload: payload).encoded())
        return reply
    }

    /// The next `count` datagrams, as they came.
    func datagrams(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [[UInt8]] {
        try await inbox.wait(for: "\(count) datagram(s)", timeout: timeout) { items, _ in items.count >= count }
        let items = Array(inbox.untaken.prefix(count))
        inbox.take(count)
        return items
    }

    func packets(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [ZKPacket] {
        try await datagrams(count, timeout: timeout).map { try ZKPacket.decode($0) }
    }

    func request(_ command: ZKCommand, _ payload: [UInt8] = []) async throws -> ZKPacket {
        try await send(command, payload)
        return try await packets(1)[0]
    }

    func connect() async throws -> UInt16 {
        let reply = try await request(.connect)
        guard reply.command == .ackOK else { throw WireTimedOut(what: "CONNECT accepted (got \(reply.command))") }
        session.withLock { $0.id = reply.sessionID }
        return reply.sessionID
    }

    func close() async {
        try? await channel.close().get()
    }
}
