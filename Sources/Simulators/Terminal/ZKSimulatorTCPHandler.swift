// TEST FAKE: the terminal simulator's TCP side: deframes each connection's stream into packets for its session,
// and writes the session's output back framed.
import NIOCore
import ZKTerminal

/// One accepted TCP connection. A stream that does not deframe (wrong magic, impossible length) is closed: there
/// is no way to find the next frame in it.
final class ZKSimulatorTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let simulator: ZKTerminalSimulator
    private var deframer = ZKTCPDeframer()
    private var key: ConnectionKey?

    init(simulator: ZKTerminalSimulator) { self.simulator = simulator }

    func channelActive(context: ChannelHandlerContext) {
        let link = TCPLink(channel: context.channel)
        key = simulator.hub.withLock { $0.openTCPConnection(link: link) }
        simulator.didChange()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let key else { return }
        var buffer = unwrapInboundIn(data)
        deframer.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        while true {
            let packet: [UInt8]?
            do {
                packet = try deframer.next()
            } catch {
                simulator.hub.withLock { hub in
                    hub.terminal.counters.undecodableInputs += 1
                    hub.connectionClosed(key)
                }
                simulator.didChange()
                context.close(promise: nil)
                return
            }
            guard let packet else { return }
            simulator.hub.withLock { $0.receive(packet, on: key) }
            simulator.didChange()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let key {
            simulator.hub.withLock { $0.connectionClosed(key) }
            simulator.didChange()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Writes a TCP session's output: every frame of one answer in one flush (pyzk reads PREPARE_DATA, DATA and ACK_OK
/// as they come, in order), closing only after the bytes are written.
struct TCPLink: SimulatorLink {
    let channel: any Channel

    func send(_ outputs: [SessionOutput]) {
        let channel = self.channel
        channel.eventLoop.execute {
            var buffer = channel.allocator.buffer(capacity: 0)
            var close = false
            for output in outputs {
                switch output {
                case .packet(let packet):
                    buffer.writeBytes(ZKTCPFrame.wrap(packet.encoded()))
                case .cutShort(let packet):
                    let frame = ZKTCPFrame.wrap(packet.encoded())
                    buffer.writeBytes(frame.prefix(frame.count / 2))
                case .garbage(let bytes):
                    buffer.writeBytes(bytes)
                case .endSession:
                    close = true
                }
            }
            let written = buffer.readableBytes > 0 ? channel.writeAndFlush(buffer) : channel.eventLoop.makeSucceededVoidFuture()
            if close { written.whenComplete { _ in channel.close(promise: nil) } }
        }
    }

    func closeConnection() async {
        try? await channel.close().get()
    }
}
