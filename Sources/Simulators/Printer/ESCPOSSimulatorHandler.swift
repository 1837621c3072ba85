// TEST FAKE: the printer simulator's socket side: one handler per TCP connection, feeding the hub its bytes.
import NIOCore

/// One accepted connection: bytes go to the hub; replies come back through a ``ChannelPrinterLink``.
final class ESCPOSSimulatorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let simulator: ESCPOSPrinterSimulator
    private var id: Int?

    init(simulator: ESCPOSPrinterSimulator) { self.simulator = simulator }

    func channelActive(context: ChannelHandlerContext) {
        let link = ChannelPrinterLink(channel: context.channel)
        let (id, stalled) = simulator.hub.withLock { ($0.open(link: link), $0.stalled) }
        self.id = id
        // Before the first read, which NIO starts right after channelActive.
        if stalled { try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false) }
        simulator.didChange()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let id else { return }
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        simulator.hub.withLock { $0.receive(bytes, on: id) }
        simulator.didChange()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id {
            simulator.hub.withLock { $0.closed(id) }
            simulator.didChange()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Replies, reading on and off, and closing, each enqueued on the connection's event loop.
struct ChannelPrinterLink: PrinterLink {
    let channel: any Channel

    func send(_ bytes: [UInt8]) {
        let channel = self.channel
        channel.eventLoop.execute {
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    func setReading(_ on: Bool) {
        let channel = self.channel
        channel.eventLoop.execute {
            _ = channel.setOption(ChannelOptions.autoRead, value: on)
            if on { channel.read() }
        }
    }

    func close() {
        let channel = self.channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }
}
