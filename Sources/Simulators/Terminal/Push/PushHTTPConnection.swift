// TEST FAKE support: the HTTP/1.1 client of the simulated push terminal, one kept-alive connection at a time, as the
// terminals' "iClock Proxy" keeps one.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An answer of the server.
public struct PushHTTPAnswer: Sendable, Hashable {
    public let status: Int
    public let body: [UInt8]
    public let contentType: String?

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request of the simulated terminal got no answer.
public struct PushHTTPFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// One connection to the gateway's push listener; requests go one after another, answers are read in full.
final class PushHTTPConnection {
    private let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private let host: String

    private init(channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>,
                 inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
                 outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, host: String) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
        self.host = host
    }

    /// Connects, runs `body` with the connection, and closes it.
    static func with<T>(host: String, port: Int, _ body: (PushHTTPConnection) async throws -> T) async throws -> T {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw PushHTTPFailure(description: "cannot reach the server at \(host):\(port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = PushHTTPConnection(channel: channel, inbound: inbound.makeAsyncIterator(), outbound: outbound, host: "\(host):\(port)")
            return try await body(connection)
        }
    }

    /// Sends one request and reads its answer; gives up (closing the connection) after `timeout`.
    func send(method: HTTPMethod, target: String, body: [UInt8] = [], contentType: String? = nil, timeout: TimeAmount = .seconds(15)) async throws -> PushHTTPAnswer {
        var headers = HTTPHeaders([("Host", host), ("User-Agent", "iClock Proxy/1.09 (CounterGate simulator)"), ("Accept", "*/*")])
        if method == .POST || !body.isEmpty {
            headers.add(name: "Content-Length", value: String(body.count))
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
        }
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) { [channel] in channel.channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)))
            if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var status = 0
            var contentType: String?
            var bytes: [UInt8] = []
            while let part = try await inbound.next() {
                switch part {
                case .head(let head):
                    status = Int(head.status.code)
                    contentType = head.headers.first(name: "Content-Type")
                case .body(let buffer):
                    bytes += buffer.readableBytesView
                case .end:
                    return PushHTTPAnswer(status: status, body: bytes, contentType: contentType)
                }
            }
            throw PushHTTPFailure(description: "the server closed the connection before answering \(method) \(target.prefix(60))")
        } catch let failure as PushHTTPFailure {
            throw failure
        } catch {
            throw PushHTTPFailure(description: "\(method) \(target.prefix(60)) failed: \(error)")
        }
    }
}
