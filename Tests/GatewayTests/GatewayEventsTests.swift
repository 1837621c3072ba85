// Live events: the hub broadcasts to every subscriber; GET /api/v1/events streams them as Server-Sent Events to a
// caller whose role may read devices, over a real loopback connection.
import CounterConfig
import CounterCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Gateway

@Suite struct GatewayEventsTests {
    @Test("every subscriber gets every event, in order; a dropped subscriber is forgotten")
    func broadcast() async {
        let hub = GatewayEvents()
        let first = hub.subscribe(), second = hub.subscribe()
        #expect(hub.subscriberCount == 2)
        hub.publish(GatewayEvent(name: "device", fields: ["id": "p1", "power": "offline", "reason": nil]))
        hub.publish(GatewayEvent(name: "mode", fields: ["signInMode": "true"]))
        for stream in [first, second] {
            var iterator = stream.makeAsyncIterator()
            #expect(await iterator.next()?.serverSentEvent == "event: device\ndata: {\"id\":\"p1\",\"power\":\"offline\"}\n\n")
            #expect(await iterator.next()?.name == "mode")
        }
    }

    /// Opens a loopback connection, sends `request`, and reads until `until` is in what came back; the connection stays
    /// open (the caller closes `fd`).
    static func read(port: Int, request: String, until: String) throws -> (text: String, fd: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else {
            close(fd)
            throw ReadFailure(description: "cannot connect: \(errno)")
        }
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(until) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else {
                close(fd)
                throw ReadFailure(description: "the stream ended or timed out before \(until); got:\n\(String(decoding: received, as: UTF8.self))")
            }
            received.append(contentsOf: buffer[0..<n])
        }
        return (String(decoding: received, as: UTF8.self), fd)
    }

    /// Reads until the other side closes; false when it did not within the socket's timeout.
    static func readsToEnd(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 { return false }
        }
    }

    struct ReadFailure: Error, CustomStringConvertible { let description: String }

    @Test("GET /api/v1/events streams device events to ops as text/event-stream, and ends when the server stops gracefully",
          .timeLimit(.minutes(1)))
    func serverSentEvents() async throws {
        let hall = try APITestHall()
        let ops = try await hall.token(.ops).token
        let events = GatewayEvents()
        let api = HallAPI(config: hall.config, store: hall.store, clock: hall.clock, events: events)
        let app = hall.app { api.register(on: $0) }
        let fd = try await app.test(.live) { client in
            let port = try #require(client.port)
            // Publish once the page is listening (its subscription is the signal), not after a pause.
            let publisher = Task {
                await events.someoneListens()
                events.publish(GatewayEvent(name: "device", fields: ["id": "window-2-printer", "power": "offline", "reason": "connection refused"]))
            }
            let (text, fd) = try await Task.detached {
                try Self.read(port: port, request: "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ops)\r\n\r\n",
                              until: "connection refused")
            }.value
            await publisher.value
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.lowercased().contains("content-type: text/event-stream"))
            #expect(text.contains("event: device\ndata: {\"id\":\"window-2-printer\",\"power\":\"offline\",\"reason\":\"connection refused\"}"))
            return fd
        }
        // The test server has stopped gracefully with the stream still open: the stream was ended, not left hanging.
        defer { close(fd) }
        #expect(await Task.detached { Self.readsToEnd(fd) }.value)
    }
}
