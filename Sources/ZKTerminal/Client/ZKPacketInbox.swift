// Packets arriving from the network, handed to the one task waiting for them, with a timeout.
import Foundation
import NIOCore
import Synchronization

/// Where the channel handler leaves decoded packets and the client picks them up. At most one waiter.
final class ZKPacketInbox: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<ZKPacket, any Error>
    }

    private struct State {
        var queue: [ZKPacket] = []
        var head = 0
        var waiter: Waiter?
        var closed: ZKClientError?
        var nextID: UInt64 = 0
        /// A wait that timed out or was cancelled before it registered (the timer can fire first).
        var failedEarly: (id: UInt64, error: WaitError)?
    }

    enum WaitError: Error { case timedOut, cancelled }

    private let state = Mutex(State())

    /// A packet arrived.
    func deliver(_ packet: ZKPacket) {
        let waiter: Waiter? = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.queue.append(packet)
            return nil
        }
        waiter?.continuation.resume(returning: packet)
    }

    /// The connection ended or broke; every later wait fails with `error`.
    func close(_ error: ZKClientError) {
        let waiter: Waiter? = state.withLock { s in
            if s.closed == nil { s.closed = error }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Drops packets that arrived and were not asked for (stale replies after a timeout).
    func discardPending() {
        state.withLock { s in
            s.queue.removeAll(keepingCapacity: true)
            s.head = 0
        }
    }

    /// The next packet, waiting at most `timeout`.
    /// - Parameter honourCancellation: false for cleanup work (re-enabling the terminal) that must finish
    ///   even when the task is being cancelled; the timeout still bounds it.
    func next(timeout: TimeAmount, on eventLoop: any EventLoop, honourCancellation: Bool = true) async throws -> ZKPacket {
        if honourCancellation && Task.isCancelled { throw WaitError.cancelled }
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        let timer = eventLoop.scheduleTask(in: timeout) { [weak self] in self?.fail(id, WaitError.timedOut) }
        defer { timer.cancel() }
        let wait = {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ZKPacket, any Error>) in
                let immediate: Result<ZKPacket, any Error>? = self.state.withLock { s in
                    if s.head < s.queue.count {
                        let packet = s.queue[s.head]
                        s.head += 1
                        if s.head == s.queue.count {
                            s.queue.removeAll(keepingCapacity: true)
                            s.head = 0
                        }
                        return .success(packet)
                    }
                    if let closed = s.closed { return .failure(closed) }
                    if let early = s.failedEarly, early.id == id { return .failure(early.error) }
                    s.waiter = Waiter(id: id, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        }
        if !honourCancellation { return try await wait() }
        return try await withTaskCancellationHandler(operation: wait) { [weak self] in
            self?.fail(id, WaitError.cancelled)
        }
    }

    private func fail(_ id: UInt64, _ error: WaitError) {
        let waiter: Waiter? = state.withLock { s in
            guard let w = s.waiter, w.id == id else {
                s.failedEarly = (id, error)
                return nil
            }
            s.waiter = nil
            return w
        }
        waiter?.continuation.resume(throwing: error)
    }
}
