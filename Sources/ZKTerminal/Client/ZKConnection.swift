// The wire under the client: one TCP connection or one UDP socket to a terminal, through SwiftNIO.
import CounterCore
import Foundation
import NIOCore
import NIOPosix


/// Where a pull terminal is dialled: the device model's endpoint (parsed from the configuration, never here).
public typealias ZKEndpoint = TerminalEndpoint

/// One open connection: sends packets, and receives them through a ``ZKPacketInbox``.
final class ZKConnection: Sendable {
    let channel: any Channel
    let inbox: ZKPacketInbox
    let endpoint: ZKEndpoint
    private let remote: SocketAddress?

    private init(channel: any Channel, inbox: ZKPacketInbox, endpoint: ZKEndpoint, remote: SocketAddress?) {
        self.channel = channel
        self.inbox = inbox
        self.endpoint = endpoint
        self.remote = remote
    }

    static func open(_ endpoint: ZKEndpoint, device: String, connectTimeout: TimeAmount) async throws -> ZKConnection {
        let inbox = ZKPacketInbox()
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            switch endpoint.transport {
            case .tcp:
                let channel = try await ClientBootstrap(group: group)
                    .connectTimeout(connectTimeout)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ZKTCPClientHandler(inbox: inbox, device: device))
                        }
                    }
                    .connect(host: endpoint.host, port: endpoint.port).get()
                return ZKConnection(channel: channel, inbox: inbox, endpoint: endpoint, remote: nil)
            case .udp:
                let remote = try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port)
                // An ephemeral local port every time: a fixed port is what stops other clients reconnecting.
                let local = remote.protocol == .inet6 ? "::" : (endpoint.host.hasPrefix("127.") ? "127.0.0.1" : "0.0.0.0")
                let channel = try await DatagramBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ZKUDPClientHandler(inbox: inbox, remote: remote))
                        }
                    }
                    .bind(host: local, port: 0).get()
                return ZKConnection(channel: channel, inbox: inbox, endpoint: endpoint, remote: remote)
            }
        } catch {
            throw ZKClientError.unreachable(device: device, detail: "\(endpoint): \(error)")
        }
    }

    func send(_ packet: ZKPacket) async throws {
        let bytes = packet.encoded()
        switch endpoint.transport {
        case .tcp:
            try await channel.writeAndFlush(ByteBuffer(bytes: ZKTCPFrame.wrap(bytes))).get()
        case .udp:
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote!, data: ByteBuffer(bytes: bytes))).get()
        }
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// TCP: reassembles frames from the byte stream and hands packets to the inbox.
final class ZKTCPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: ZKPacketInbox
    private let device: String
    private var deframer = ZKTCPDeframer()

    init(inbox: ZKPacketInbox, device: String) {
        self.inbox = inbox
        self.device = device
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        deframer.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        do {
            while let bytes = try deframer.next() {
                inbox.deliver(try ZKPacket.decode(bytes))
            }
        } catch {
            // The stream is out of step; there is no reliable way back into it.
            inbox.close(.protocolViolation(device: device, firmware: nil, detail: "\(error)"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.close(.connectionLost(device: device, during: "the exchange"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.close(.connectionLost(device: device, during: "the exchange (\(error))"))
        context.close(promise: nil)
    }
}

/// UDP: one packet per datagram, only from the terminal we talk to.
final class ZKUDPClientHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let inbox: ZKPacketInbox
    private let remote: SocketAddress

    init(inbox: ZKPacketInbox, remote: SocketAddress) {
        self.inbox = inbox
        self.remote = remote
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == remote else { return }
        let bytes = envelope.data.readBytes(length: envelope.data.readableBytes) ?? []
        // A datagram that is not a packet is dropped: UDP has no stream to fall out of step with.
        if let packet = try? ZKPacket.decode(bytes) { inbox.deliver(packet) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable surfaces here; the next wait times out and the client reports it.
    }
}
