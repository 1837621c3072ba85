// /api/v1, one resource: live events (Server-Sent Events) for the pages. Each route states the permission it needs (HallRequestContext.require).
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension HallAPI {
    /// The live events (Server-Sent Events) for the pages routes.
    func registerEvents(on api: APIRouteBuilder) {
        let eventRoutes = api.group("/events")
        // Live events (Server-Sent Events): device, mode, job, signin, replace.
        eventRoutes.on(.get, "", "read-devices") { _, context in
            _ = try context.require(.readDevices)
            let stream = events.subscribe()
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                // Events, and a comment every 15 s that keeps proxies from closing a quiet stream (a timer, not
                // synchronisation), merged into one stream of text for the one writer.
                let (texts, text) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
                let forward = Task {
                    for await event in stream { text.yield(event.serverSentEvent) }
                    text.finish()
                }
                let keepAlive = Task {
                    while (try? await Task.sleep(for: .seconds(15))) != nil { text.yield(": keep-alive\n\n") }
                }
                defer { forward.cancel(); keepAlive.cancel() }
                try await writer.write(ByteBuffer(string: ": CounterGate events\n\n"))
                // The stream ends when the gateway begins to stop, so an open page does not hold up the shutdown.
                try await withGracefulShutdownHandler {
                    for await chunk in texts { try await writer.write(ByteBuffer(string: chunk)) }
                } onGracefulShutdown: {
                    text.finish()
                }
                try await writer.finish(nil)
            })
        }
    }
}
