// TEST FAKE: the terminal simulator's UDP side: one bare packet per datagram, one session per remote address.
import NIOCore
import ZKTerminal

/// The simulator's UDP socket. Datagrams that are no packet are counted and ignored. A peer's session lasts from
/// CONNECT to EXIT (or ``ZKTerminalSimulator/stop()``): UDP has no connection to lose, so a peer that vanishes
/// without EXIT keeps its session, gets at most one live event and never acknowledges it.
final class ZKSimulatorUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let simulator: ZKTerminalSimulator

    init(simulator: ZKTerminalSimulator) { self.simulator = simulator }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        let bytes = envelope.data.readBytes(length: envelope.data.readableBytes) ?? []
        let remote = envelope.remoteAddress
        let channel = context.channel
        simulator.hub.withLock { $0.receiveDatagram(bytes, from: remote, link: UDPLink(channel: channel, remote: remote)) }
        simulator.didChange()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram that could not be delivered (peer gone) is no reason to stop serving the others.
    }
}

/// Writes a UDP session's output, one datagram per packet.
struct UDPLink: SimulatorLink {
    let channel: any Channel
    let remote: SocketAddress

    func send(_ outputs: [SessionOutput]) {
        let channel = self.channel, remote = self.remote
        channel.eventLoop.execute {
            for output in outputs {
                let bytes: [UInt8]
                switch output {
                case .packet(let packet): bytes = packet.encoded()
                case .cutShort(let packet):
                    let whole = packet.encoded()
                    bytes = Array(whole.prefix(whole.count / 2))
                case .garbage(let garbage): bytes = garbage
                case .endSession: continue
                }
                channel.write(AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
            }
            channel.flush()
        }
    }

    func closeConnection() async {}
}
